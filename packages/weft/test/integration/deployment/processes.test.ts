import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { childExecArgv } from '../../../src/orchestrate/index.js';
import { alive, allGone, killAll } from './helpers.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const everyPid: number[] = [];

interface Script {
  child: ChildProcess;
  stdout: () => string;
  /** The runtimes' pids, once the script printed them. */
  pids: Promise<number[]>;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/** Run a fixture script as its own Node process (as a user would: node --import tsx script.ts). */
function run(script: string, ...args: string[]): Script {
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const child = spawn(process.execPath, [...childExecArgv([]), join(fixtures, script), ...args], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  let resolvePids: (pids: number[]) => void = () => undefined;
  const pids = new Promise<number[]>((resolve) => {
    resolvePids = resolve;
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const m = /^PIDS (\[.*\])$/m.exec(out);
    if (m) {
      const list = JSON.parse(m[1] as string) as number[];
      everyPid.push(...list);
      resolvePids(list);
    }
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  void exited.then(() => resolvePids([]));
  return { child, stdout: () => out, pids, exited };
}

// timeouts only turn a hang (a runtime process that outlives its parent) into a failure
describe('Deployment processes', { timeout: 180_000 }, () => {
  after(() => killAll(everyPid));

  it('runs a class defined in a standalone main script, and leaves nothing behind', async () => {
    const script = run('shout-script.ts');
    const pids = await script.pids;
    const [code] = await script.exited;
    assert.equal(code, 0, script.stdout());
    assert.equal(pids.length, 3);
    assert.match(script.stdout(), /^RESULT HELLO! WORLD!$/m);
    assert.equal(script.stdout().match(/RESULT/g)?.length, 1, 'the script’s code after start() ran only once');
    assert.match(script.stdout(), /^CLOSED$/m);
    assert.deepEqual(alive(pids), []);
  });

  for (const [how, kill] of [
    ['SIGINT', (c: ChildProcess) => c.kill('SIGINT')],
    ['SIGKILL', (c: ChildProcess) => c.kill('SIGKILL')],
  ] as const) {
    it(`leaves no runtime process behind when the parent is killed with ${how}`, async () => {
      const script = run('serve-forever.ts');
      const pids = await script.pids;
      assert.equal(pids.length, 3);
      assert.equal(alive(pids).length, 3);
      kill(script.child);
      const [, signal] = await script.exited;
      assert.equal(signal, how);
      await allGone(pids);
    });
  }

  it('kills its runtime processes when the parent dies of an uncaught exception', async () => {
    const script = run('serve-forever.ts', 'crash');
    const pids = await script.pids;
    const [code] = await script.exited;
    assert.equal(code, 1);
    // the exit handler SIGKILLs them synchronously: they are gone (or zombies being reaped) by now
    await allGone(pids);
  });
});
