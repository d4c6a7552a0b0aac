/**
 * Parent killed: a VectorIndexer's process is SIGKILLed while a restarted one is already waiting for its
 * workspace (the overlap after `weft flow` or a Deployment's parent is killed). Each round starts a holder (a real
 * indexer with one acknowledged document), starts a waiter that finds the workspace held, SIGKILLs the holder and
 * times how long the waiter takes to open the workspace. Figures: rounds, failed restarts (goal 0), documents
 * lost (goal 0), takeover time p50/max. Full: 20 rounds; short: 3.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { figure, goal, percentile, report, round, SHORT } from './lib.js';

const fixture = fileURLToPath(
  new URL('../packages/executor-vector-indexer/test/fixtures/lock-holder.ts', import.meta.url),
);
const ROUNDS = SHORT ? 3 : 20;
const ROUND_LIMIT_MS = 30_000;

function start(...args: string[]): { child: ChildProcess; next: () => Promise<string | undefined> } {
  const child = spawn(process.execPath, ['--conditions=weft-source', '--import', 'tsx', fixture, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const it = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  return { child, next: async () => (await it.next()).value as string | undefined };
}

function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref())]);
}

let failed = 0;
let lost = 0;
const takeover: number[] = [];
for (let round_ = 0; round_ < ROUNDS; round_++) {
  const dir = mkdtempSync(join(tmpdir(), 'weft-rel-parent-'));
  const procs: ChildProcess[] = [];
  try {
    const holder = start('hold', dir);
    procs.push(holder.child);
    if ((await within(holder.next(), ROUND_LIMIT_MS)) !== `HELD ${holder.child.pid}`) throw new Error('no holder');
    const waiter = start('wait', dir, String(ROUND_LIMIT_MS));
    procs.push(waiter.child);
    const busy = await within(waiter.next(), ROUND_LIMIT_MS);
    if (busy !== `BUSY ${holder.child.pid}`) throw new Error(`waiter said ${busy}`);
    const t0 = performance.now();
    holder.child.kill('SIGKILL');
    const open = await within(waiter.next(), ROUND_LIMIT_MS);
    if (typeof open !== 'string' || !open.startsWith('OPEN ')) throw new Error(`waiter said ${open}`);
    takeover.push(performance.now() - t0);
    if (open !== 'OPEN {"count":1}') lost++;
  } catch (err) {
    console.error(`  round ${round_}: ${(err as Error).message}`);
    failed++;
  } finally {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
report('parent-killed', [
  figure('rounds', ROUNDS),
  goal('failed restarts', failed, '=', 0),
  goal('acknowledged documents lost', lost, '=', 0),
  figure('takeover after SIGKILL p50 (ms)', round(percentile(takeover, 50))),
  figure('takeover after SIGKILL max (ms)', round(Math.max(...takeover))),
]);
