// The workspace lock dies with its holder. A runtime restarted right after its parent was SIGKILLed overlaps the
// old runtime's shutdown: the new VectorIndexer must wait for the old holder and take over the moment it is gone
// (here the holder is SIGKILLed while the waiter is blocked), and a waiter whose wait runs out gets a coded
// error naming the holder's pid.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ExecutorLoadError } from '@weft-ai/weft';
import { VectorIndexer } from '../../../src/index.js';
import { tempWorkspace } from '../../fixtures/indexer-fixtures.js';

const script = fileURLToPath(new URL('../../fixtures/lock-holder.ts', import.meta.url));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Start the fixture; `lines` yields its stdout lines in order. */
function start(...args: string[]): { child: ChildProcess; next: () => Promise<string> } {
  const child = spawn(process.execPath, ['--conditions=weft-source', '--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const it = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  return {
    child,
    next: async () => {
      const r = await it.next();
      assert.ok(!r.done, 'the child ended its output early');
      return r.value;
    },
  };
}

describe('workspace lock across processes', () => {
  it('a waiter takes over the moment the SIGKILLed holder is gone', async () => {
    const ws = tempWorkspace('weft-vi-lock-');
    try {
      const holder = start('hold', ws.dir);
      assert.equal(await holder.next(), `HELD ${holder.child.pid}`);
      const waiter = start('wait', ws.dir, '60000');
      // the waiter saw the workspace held by the holder, and is now blocked waiting for it
      assert.equal(await waiter.next(), `BUSY ${holder.child.pid}`);
      holder.child.kill('SIGKILL');
      assert.equal(await waiter.next(), 'OPEN {"count":1}');
      const [code] = await once(waiter.child, 'exit');
      assert.equal(code, 0);
    } finally {
      ws.cleanup();
    }
  });

  it('a waiter whose wait runs out fails with WEFT_EXECUTOR_LOAD naming the holder', async () => {
    const ws = tempWorkspace('weft-vi-lock-');
    try {
      const holder = start('hold', ws.dir);
      assert.equal(await holder.next(), `HELD ${holder.child.pid}`);
      assert.throws(
        () => new VectorIndexer({ workspace: ws.dir, lockWaitMs: 100 }),
        (err: unknown) => {
          assert.ok(err instanceof ExecutorLoadError);
          assert.equal(err.code, 'WEFT_EXECUTOR_LOAD');
          assert.equal(err.details?.pid, holder.child.pid);
          assert.match(err.message, new RegExp(`in use by process ${holder.child.pid} \\(waited 100 ms`));
          return true;
        },
      );
      holder.child.kill('SIGKILL');
      await once(holder.child, 'exit');
      // once the holder is gone the workspace opens at once, with what the holder acknowledged
      const ix = new VectorIndexer({ workspace: ws.dir, lockWaitMs: 0 });
      assert.equal(ix.recovery.count, 1);
      await ix.close();
    } finally {
      ws.cleanup();
    }
  });
});
