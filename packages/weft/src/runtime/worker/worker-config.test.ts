import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { validateWorkerConfig } from '../../config/index.js';
import { Executor, type ExecutorOptions } from '../../executor/index.js';
import { failurePayload } from '../server/index.js';
import { createExecutor, decodeWorkerConfig, loadExecutorClass } from './worker-config.js';
import { workerEntry } from './worker-entry.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '../../../test/fixtures/executors');

describe('worker configuration', () => {
  it('is decoded by the worker (validated by its parent), and validation names every offending key', () => {
    const ok = decodeWorkerConfig('{"uses":"X","name":"x/rep-0","port":0,"runtimeArgs":{"replicas":2}}');
    assert.equal(ok.name, 'x/rep-0');
    assert.equal(ok.runtimeArgs?.replicas, 2);
    assert.deepEqual(validateWorkerConfig(ok), ok);
    assert.throws(() => decodeWorkerConfig(undefined), {
      code: 'WEFT_CONFIG',
      message: /WEFT_WORKER_CONFIG is not set/,
    });
    assert.throws(() => decodeWorkerConfig('{nope'), { code: 'WEFT_CONFIG', message: /not valid JSON/ });
    assert.throws(() => decodeWorkerConfig('{"uses":"X"}'), { code: 'WEFT_CONFIG', message: /name, port missing/ });
    assert.throws(
      () => validateWorkerConfig({ uses: { module: 'm' }, name: '', port: 70000, extra: 1 }),
      (e: Error & { code: string }) => {
        assert.equal(e.code, 'WEFT_CONFIG');
        for (const key of ['uses', 'name', 'port', 'extra']) assert.match(e.message, new RegExp(key));
        return true;
      },
    );
    assert.throws(
      () =>
        validateWorkerConfig({ uses: 'X', name: 'x', port: 1, dynamicBatching: { '/a': { preferredBatchSize: 0 } } }),
      /dynamicBatching\.\/a\.preferredBatchSize/,
    );
  });

  it('loads uses as a module + export (path or file URL) and as a uses string', async () => {
    const byPath = await loadExecutorClass({ uses: { module: join(fixtures, 'greeter.ts'), exportName: 'Greeter' } });
    assert.equal(byPath.cls.name, 'Greeter');
    const byUrl = await loadExecutorClass({
      uses: { module: pathToFileURL(join(fixtures, 'greeter.ts')).href, exportName: 'Greeter' },
    });
    assert.equal(byUrl.cls, byPath.cls);
    const relative = await loadExecutorClass({ uses: './greeter.ts#Greeter', cwd: fixtures });
    assert.equal(relative.cls, byPath.cls);
    await assert.rejects(loadExecutorClass({ uses: { module: join(fixtures, 'greeter.ts'), exportName: 'Missing' } }), {
      code: 'WEFT_EXECUTOR_LOAD',
      message: /has no export 'Missing'/,
    });
  });

  it('constructs with YAML with: under usesWith, merged metas, requests and batching, and runtime args', async () => {
    process.env.WEFT_TEST_GREETING = 'howdy';
    try {
      const resolved = await loadExecutorClass({ uses: join(fixtures, 'greeter.yml') });
      const exec = createExecutor(resolved, {
        name: 'greeter/rep-1',
        usesWith: { greeting: 'hey' },
        requests: { '/hi': 'greet' },
        dynamicBatching: { '/hi': { preferredBatchSize: 2 } },
        runtimeArgs: { replicas: 2, shardId: 1, workspace: '/tmp/weft-ws' },
      }) as Executor & { greeting: string };
      assert.equal(exec.greeting, 'hey');
      assert.equal(exec.metas.name, 'yaml-greeter');
      assert.deepEqual(exec.runtimeArgs, {
        name: 'greeter/rep-1',
        replicas: 2,
        shards: 1,
        shardId: 1,
        workspace: '/tmp/weft-ws',
      });
      assert.deepEqual(exec.endpoints.sort(), ['/greet', '/hi', '/shout']);
      assert.equal(exec.resolveEndpoint('/hi')?.batching?.preferredBatchSize, 2);
      assert.equal(exec.resolveEndpoint('/greet')?.batching?.preferredBatchSize, 4);
    } finally {
      delete process.env.WEFT_TEST_GREETING;
    }
  });

  it("names the executor after the deployment unless metas say otherwise, and keeps a constructor's error", async () => {
    class Plain extends Executor {}
    const exec = createExecutor(await loadExecutorClass({ uses: Plain }), { name: 'encoder/rep-0' });
    assert.equal(exec.metas.name, 'encoder');
    assert.equal(exec.runtimeArgs.name, 'encoder/rep-0');
    class Throws extends Executor {
      constructor(args: ExecutorOptions = {}) {
        super(args);
        throw new URIError('no model at s3://x');
      }
    }
    const err = (() => {
      try {
        createExecutor({ cls: Throws, usesWith: {}, metas: {}, requests: {}, dynamicBatching: {} }, {});
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof URIError);
    const payload = failurePayload(err);
    assert.equal(payload.name, 'URIError');
    assert.equal(payload.message, 'no model at s3://x');
    assert.equal(payload.code, 'WEFT_EXECUTOR_LOAD');
    assert.match(payload.stack, /at new Throws/);
  });
});

describe('worker process support', () => {
  it('workerEntry runs the TypeScript sources through tsx with the weft-source condition', () => {
    const { file, execArgv } = workerEntry();
    assert.equal(file, join(here, 'worker-main.ts'));
    assert.equal(execArgv[0], '--conditions=weft-source');
    assert.equal(execArgv[1], '--import');
    assert.match(execArgv[2] ?? '', /tsx/);
  });
});
