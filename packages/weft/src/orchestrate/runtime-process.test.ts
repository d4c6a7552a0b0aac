import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { isAlive } from '../runtime/parent-watch.js';
import { freePort } from './ports.js';
import { RuntimeProcess, type RuntimeProcessOptions } from './runtime-process.js';

const file = new URL('../../test/fixtures/fake-runtime-main.ts', import.meta.url).pathname;

describe('RuntimeProcess', () => {
  const started: RuntimeProcess[] = [];
  const make = async (mode: string, extra: Partial<RuntimeProcessOptions> = {}) => {
    const port = await freePort();
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const p = new RuntimeProcess({
      label: `fake '${mode}'`,
      name: `fake/${mode}`,
      entry: { file, execArgv: [] },
      env: { ...env, FAKE_MODE: mode, FAKE_PORT: String(port) },
      address: `127.0.0.1:${port}`,
      timeoutReady: 60_000,
      ...extra,
    });
    const pids: number[] = [];
    p.on('spawn', (pid: number) => pids.push(pid));
    started.push(p);
    return { p, pids };
  };

  afterEach(async () => {
    for (const p of started.splice(0)) await p.stop(1000);
  });

  it('is ready once it reported ready and its health check answers SERVING; stop ends it', async () => {
    const { p, pids } = await make('serve');
    await p.start();
    assert.equal(p.state, 'ready');
    assert.equal(p.pid, pids[0]);
    assert.ok(isAlive(pids[0] as number));
    await p.stop();
    assert.equal(p.state, 'stopped');
    assert.equal(isAlive(pids[0] as number), false);
  });

  it('fails with the child’s own error when it reports failed', async () => {
    const { p, pids } = await make('fail');
    await assert.rejects(p.start(), (err: Error & { code: string }) => {
      assert.equal(err.code, 'WEFT_STARTUP');
      assert.match(err.message, /^fake 'fail' failed to start: RangeError: weights file is corrupt\n\s+at /);
      return true;
    });
    assert.equal(isAlive(pids[0] as number), false);
  });

  it('fails when the child exits before becoming ready, quoting its last output', async () => {
    const { p } = await make('exit');
    await assert.rejects(
      p.start(),
      /fake 'exit' exited \(code 3\) before becoming ready; its last output:\n {2}fake runtime: cannot open config/,
    );
  });

  it('gives up after timeoutReady, naming the process, and kills it', async () => {
    const { p, pids } = await make('hang', { timeoutReady: 300 });
    await assert.rejects(
      p.start(),
      /timed out after 300 ms waiting for fake 'hang' \(pid \d+, 127\.0\.0\.1:\d+\) to become ready/,
    );
    assert.equal(isAlive(pids[0] as number), false);
  });

  it('restarts a crashed process on the same address with back-off', async () => {
    const { p, pids } = await make('serve', { restart: { initialDelayMs: 10, maxDelayMs: 40 } });
    await p.start();
    const delays: number[] = [];
    p.on('restarting', (e: { delayMs: number }) => delays.push(e.delayMs));
    const exited = once(p, 'exit');
    process.kill(pids[0] as number, 'SIGKILL');
    const [info] = (await exited) as [{ signal: string }];
    assert.equal(info.signal, 'SIGKILL');
    const [pid] = (await once(p, 'restarted')) as [number];
    assert.notEqual(pid, pids[0]);
    assert.equal(p.pid, pid);
    process.kill(pid, 'SIGKILL');
    await once(p, 'restarted');
    assert.deepEqual(delays, [10, 20]); // it had not stayed up for resetAfterMs, so the delay doubled
    assert.equal(pids.length, 3);
  });

  it('does not restart when restart is off', async () => {
    const { p, pids } = await make('serve', { restart: false });
    await p.start();
    const exited = once(p, 'exit');
    process.kill(pids[0] as number, 'SIGKILL');
    await exited;
    assert.equal(p.state, 'failed');
  });

  // the timeout only turns a hang (a runtime that outlives its parent) into a failure
  it('kills children the parent did not stop when the parent exits', { timeout: 120_000 }, async () => {
    const script = new URL('../../test/fixtures/exit-without-close.ts', import.meta.url).pathname;
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const parent = spawn(process.execPath, [...process.execArgv, script], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    parent.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const [code] = (await once(parent, 'exit')) as [number];
    assert.equal(code, 0);
    const pid = Number(/PID (\d+)/.exec(out)?.[1]);
    assert.ok(pid > 0, out);
    // not our child: poll its liveness (the deaf runtime would live on forever without the exit handler)
    while (isAlive(pid)) await delay(25);
  });

  it('kills a child that ignores SIGTERM once the grace period is over', async () => {
    const { p, pids } = await make('stubborn');
    await p.start();
    await p.stop(200);
    assert.equal(isAlive(pids[0] as number), false);
  });
});
