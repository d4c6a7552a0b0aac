import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DocumentArray } from '../document/index.js';
import { Executor } from './executor.js';
import { ExecutorRunner } from './executor-runner.js';
import { registerExecutor } from './registry.js';
import { resolveUses } from './uses.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/executors');

describe('uses resolution', () => {
  it('takes a class', async () => {
    class Mine extends Executor {}
    assert.equal((await resolveUses(Mine)).cls, Mine);
    await assert.rejects(resolveUses(class NotExec {} as never), { code: 'WEFT_EXECUTOR_LOAD' });
  });

  it('imports a TypeScript module specifier, with or without #Export', async () => {
    const r = await resolveUses('./greeter.ts#Greeter', { cwd: fixtures });
    assert.equal(r.cls.name, 'Greeter');
    const only = await resolveUses(join(fixtures, 'only-one.ts'));
    assert.equal(only.cls.name, 'OnlyOne');
    await assert.rejects(
      resolveUses('./greeter.ts', { cwd: fixtures }),
      /several Executor classes \(Failing, Greeter\)/,
    );
    await assert.rejects(resolveUses('./greeter.ts#Nope', { cwd: fixtures }), /has no export 'Nope'/);
    await assert.rejects(resolveUses('./missing.ts#X', { cwd: fixtures }), /does not exist/);
  });

  it('resolves registered names and explains unknown ones', async () => {
    class Registered extends Executor {}
    registerExecutor('Registered', Registered);
    assert.equal((await resolveUses('Registered')).cls, Registered);
    await assert.rejects(resolveUses('Nobody'), (e: Error & { code: string }) => {
      return e.code === 'WEFT_EXECUTOR_LOAD' && /unknown executor 'Nobody'/.test(e.message);
    });
  });

  it('names the package to install for a missing built-in', async () => {
    const root = fileURLToPath(new URL('../../../../', import.meta.url));
    const hide = fileURLToPath(new URL('../../test/fixtures/hide-packages.mjs', import.meta.url));
    const script = `
      import { resolveUses } from './packages/weft/src/executor/index.ts';
      try { await resolveUses('VectorIndexer'); console.log('{}'); }
      catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=weft-source', '--import', 'tsx', '--import', hide, '--input-type=module', '-e', script],
      { cwd: root, env: { ...process.env, WEFT_HIDE_PACKAGES: '@weft-ai/executor-vector-indexer' } },
    );
    const out = JSON.parse(stdout.trim().split('\n').at(-1) as string);
    assert.equal(out.code, 'WEFT_EXECUTOR_LOAD');
    assert.match(out.message, /npm install @weft-ai\/executor-vector-indexer/);
  });

  it('loads executor YAML with ENV substitution, metas, requests and dynamic_batching', async () => {
    process.env.WEFT_TEST_GREETING = 'howdy';
    const r = await resolveUses(join(fixtures, 'greeter.yml'));
    assert.equal(r.cls.name, 'Greeter');
    assert.deepEqual(r.usesWith, { greeting: 'howdy' });
    assert.equal(r.metas.name, 'yaml-greeter');
    assert.deepEqual(r.requests, { '/shout': 'shout' });
    assert.deepEqual(r.dynamicBatching, { '/greet': { preferredBatchSize: 4, timeoutMs: 50 } });
    const exec = new r.cls({ ...r.usesWith, metas: r.metas, requests: r.requests, dynamicBatching: r.dynamicBatching });
    const runner = new ExecutorRunner(exec);
    const out = await runner.invoke({ endpoint: '/greet', docs: new DocumentArray([{ text: 'bob' }]) });
    assert.equal(out.docs.at(0)?.text, 'howdy, bob');
    const shout = await runner.invoke({ endpoint: '/shout', docs: new DocumentArray([{ text: 'bob' }]) });
    assert.equal(shout.docs.at(0)?.text, 'BOB');
  });

  it('reports YAML schema errors with file, line and key', async () => {
    await assert.rejects(resolveUses(join(fixtures, 'bad.yml')), (e: Error & { code: string }) => {
      return (
        e.code === 'WEFT_CONFIG' && /bad\.yml:7:\d+: dynamic_batching\.\/greet\.preferred_batch_size/.test(e.message)
      );
    });
    delete process.env.WEFT_TEST_GREETING;
    await assert.rejects(resolveUses(join(fixtures, 'greeter.yml')), /WEFT_TEST_GREETING/);
    await assert.rejects(resolveUses(join(fixtures, 'nope.yml')), /no such file/);
  });
});
