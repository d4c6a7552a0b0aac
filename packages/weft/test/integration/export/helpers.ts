// Helpers of the export run tests: start an exported `weft` command line as a local process and await its ready
// line, run a probe command to its end, and stop everything started.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../../bin/weft.mjs', import.meta.url));
export const PROJECT = join(import.meta.dirname, 'project');
const started: ChildProcess[] = [];

function child(args: string[], env: Record<string, string>): ChildProcess {
  const { NODE_TEST_CONTEXT: _, ...parentEnv } = process.env;
  const c = spawn(process.execPath, [BIN, ...args], {
    cwd: PROJECT,
    env: { ...parentEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(c);
  return c;
}

/** Start `weft <args>`; resolves once it printed its address (it is ready), rejects if it exits first. */
export async function serve(name: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  const c = child(args, env);
  let err = '';
  c.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const ready = new Promise<void>((resolve) => {
    let out = '';
    c.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/^(grpc|http|ws):\/\//m.test(out)) resolve();
    });
  });
  const exited = once(c, 'exit').then(([code]) => {
    throw new Error(`${name} (weft ${args[0]}) exited with ${code} before serving:\n${err}`);
  });
  await Promise.race([ready, exited]);
}

/** Run `weft <args>` to its end (a probe); resolves with its exit code. */
export async function runToEnd(args: string[]): Promise<number | null> {
  const [code] = (await once(child(args, {}), 'exit')) as [number | null];
  return code;
}

/** SIGTERM every process started here and wait for them to exit. */
export async function stopAll(): Promise<void> {
  const live = started.filter((c) => c.exitCode === null && c.signalCode === null);
  for (const c of live) c.kill('SIGTERM');
  await Promise.all(live.map((c) => once(c, 'exit')));
}
