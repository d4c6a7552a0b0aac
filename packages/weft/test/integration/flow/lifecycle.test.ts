// A Flow's life: loaded from YAML (`${{ ENV.X }}`, file:line:key errors), started, closed with nothing left
// behind; a start that fails reports the executor's own error and leaves nothing running; a script running a
// Flow that is stopped with SIGINT leaves no process behind either.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, Flow, StartupError } from '../../../src/index.js';
import { childExecArgv, liveChildPids } from '../../../src/orchestrate/index.js';
import { Broken, Mark } from './fixtures/executors.js';
import { alive, allGone, childrenOf, killAll } from './helpers.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const everyPid: number[] = [];

describe('Flow lifecycle', { timeout: 240_000 }, () => {
  after(() => killAll(everyPid));

  it('loads a Flow from YAML with ENV.X substituted, serves it, and closes every process', async () => {
    const flow = Flow.load(join(fixtures, 'flow.yml'), {
      env: { GREETER_NAME: 'welcomer', GREETING: 'bonjour', FLOW_TIMEOUT_READY: '120000' },
    });
    assert.equal(flow.options.timeoutReady, 120_000);
    assert.deepEqual(flow.executors[1]?.usesDynamicBatching, { '/default': { preferredBatchSize: 2, timeoutMs: 5 } });
    assert.deepEqual(flow.graph, {
      'start-gateway': ['welcomer'],
      welcomer: ['marker'],
      marker: ['end-gateway'],
    });
    try {
      await flow.start();
      const pids = flow.pids();
      everyPid.push(...pids);
      assert.equal(pids.length, 3);
      assert.throws(() => flow.add({ uses: Mark }), /added before start\(\)/);
      const docs = await flow.post('/', [{ text: 'Ada' }]);
      assert.equal(docs.at(0)?.text, 'bonjour, Ada (welcomer)');
      assert.equal(docs.at(0)?.tags.path, '>marker');
      await flow.close();
      assert.deepEqual(alive(pids), [], 'no process outlives close()');
      assert.deepEqual(flow.pids(), []);
    } finally {
      await flow.close();
    }
  });

  it('names the file, line and key of a YAML mistake', () => {
    assert.throws(
      () => Flow.load(join(fixtures, 'bad-flow.yml')),
      (err: ConfigError) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /bad-flow\.yml:8:\d+: executors\.1\.replicsa: unknown key/);
        return true;
      },
    );
    assert.throws(
      () => Flow.load(join(fixtures, 'flow.yml'), { env: { GREETING: 'hi', FLOW_TIMEOUT_READY: '1' } }),
      /flow\.yml:8:\d+: \$\{\{ ENV\.GREETER_NAME \}\} is not set/,
    );
  });

  it('rejects start() with the failing executor’s name and own error, and leaves nothing running', async () => {
    const before = new Set([...liveChildPids(), ...childrenOf(process.pid)]);
    const flow = new Flow().add({ name: 'fine', uses: Mark }).add({ name: 'broken', uses: Broken, needs: 'gateway' });
    await assert.rejects(flow.start(), (err: StartupError) => {
      assert.ok(err instanceof StartupError, String(err));
      assert.match(err.message, /executor 'broken'/);
      assert.match(err.message, /RangeError: model file weights\.bin is corrupt/);
      return true;
    });
    assert.deepEqual(
      liveChildPids().filter((p) => !before.has(p)),
      [],
    );
    assert.deepEqual(
      childrenOf(process.pid).filter((p) => !before.has(p)),
      [],
    );
    assert.deepEqual(flow.pids(), []);
    await flow.close();
  });

  it('leaves no process behind when a script running a Flow is stopped with SIGINT', async () => {
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const child: ChildProcess = spawn(process.execPath, [...childExecArgv([]), join(fixtures, 'serve-flow.ts')], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const pids = await new Promise<number[]>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /^PIDS (\[.*\])$/m.exec(out);
        if (m) resolve(JSON.parse(m[1] as string) as number[]);
      });
      void exited.then(([code]) => reject(new Error(`the script exited (${code}) before printing its pids: ${out}`)));
    });
    everyPid.push(...pids);
    // the gateway, one worker, and a head with two replicas
    assert.equal(pids.length, 5);
    assert.deepEqual(alive(pids), pids);
    child.kill('SIGINT');
    const [, signal] = await exited;
    assert.equal(signal, 'SIGINT');
    await allGone(pids);
  });
});
