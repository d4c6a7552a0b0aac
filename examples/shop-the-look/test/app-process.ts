/**
 * Test helpers: the app as a user runs it (main.ts in its own process), its ready signal and its output, and the
 * runtimes of its Flow (to pause one with SIGSTOP, the way a slow machine would).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { childrenOf } from '@weft-ai/weft/testing';

export const EXAMPLE = join(import.meta.dirname, '..');

export interface App {
  child: ChildProcess;
  url: string;
  output(): string;
  /** Resolves with the first match of `re` in the app's output (stdout and stderr), as it appears. */
  waitFor(re: RegExp): Promise<RegExpExecArray>;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/** Start `script` (main.ts) and resolve once it prints the page's address (its ready signal). */
export async function startApp(args: string[], script = 'main.ts'): Promise<App> {
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const child = spawn(
    process.execPath,
    ['--conditions=weft-source', '--import', 'tsx', join(EXAMPLE, script), ...args],
    {
      cwd: EXAMPLE,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (c: Buffer) => {
    out += c.toString();
    for (const w of waiters) w();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const waitFor = (re: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const m = re.exec(out);
        if (m) {
          waiters.delete(check);
          resolve(m);
        }
      };
      waiters.add(check);
      check();
      void exited.then(([code]) => {
        if (waiters.has(check)) reject(new Error(`the app exited (${code}) before printing ${re}:\n${out}`));
      });
    });
  const m = await waitFor(/ready: open (http:\/\/\S+)/);
  return { child, url: m[1] as string, output: () => out, waitFor, exited };
}

/** The pid of the Flow runtime named `name` (a child of the app whose worker configuration names it). */
export function runtimePid(app: App, name: string): number {
  for (const pid of childrenOf(app.child.pid as number)) {
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    if (environ.includes(`"name":"${name}/rep-0"`)) return pid;
  }
  assert.fail(`no runtime '${name}' among the app's processes`);
}

/** Stop the app with SIGINT; resolves with its exit code. */
export async function stopApp(app: App): Promise<number | null> {
  if (app.child.exitCode !== null) return app.child.exitCode;
  app.child.kill('SIGINT');
  const [code] = await app.exited;
  return code;
}
