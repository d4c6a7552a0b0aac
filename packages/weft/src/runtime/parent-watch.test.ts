import assert from 'node:assert/strict';
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { freePorts } from '../orchestrate/index.js';
import { isAlive } from './parent-watch.js';

const child = new URL('../../test/fixtures/parent-watch-child.ts', import.meta.url).pathname;

function output(p: ChildProcess): { text: () => string; line: (re: RegExp) => Promise<void> } {
  let text = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  p.stdout?.on('data', (c: Buffer) => {
    text += c.toString();
    for (const w of waiters.filter((x) => x.re.test(text))) w.resolve();
  });
  return {
    text: () => text,
    line: (re) => (re.test(text) ? Promise.resolve() : new Promise((resolve) => waiters.push({ re, resolve }))),
  };
}

describe('watchParent', () => {
  it('notices a parent pid that no longer exists', async () => {
    const parent = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], { stdio: 'ignore' });
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const watcher = spawn(process.execPath, [...process.execArgv, child], {
      env: { ...env, WEFT_PARENT_PID: String(parent.pid) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const out = output(watcher);
    await out.line(/WATCHING/);
    parent.kill('SIGKILL');
    await once(watcher, 'exit');
    assert.match(out.text(), new RegExp(`GONE process ${parent.pid} exited`));
  });

  it('notices its IPC channel closing', async () => {
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const watcher = fork(child, [], { env, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    const out = output(watcher);
    await out.line(/WATCHING/);
    watcher.disconnect();
    await once(watcher, 'exit');
    assert.match(out.text(), /GONE its IPC channel closed/);
  });

  it('tells live pids from gone ones', async () => {
    assert.equal(isAlive(process.pid), true);
    const p = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await once(p, 'exit');
    assert.equal(isAlive(p.pid as number), false);
  });
});

describe('freePorts', () => {
  it('hands out distinct ports that can be bound', async () => {
    const ports = await freePorts(3);
    assert.equal(new Set(ports).size, 3);
    for (const port of ports) {
      const server = createServer().listen(port, '127.0.0.1');
      await once(server, 'listening');
      await new Promise((r) => server.close(r));
    }
  });
});
