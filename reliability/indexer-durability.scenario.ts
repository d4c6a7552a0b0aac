/**
 * Indexer durability at scale: a VectorIndexer process indexes 100k documents (short: 5k) in batches of 500 and
 * is SIGKILLed after a random 1-6 acknowledged batches, again and again; each restart resumes after the last
 * acknowledged batch. Figures: documents acknowledged, lost (goal 0), kills, restart time to serving (p50/max,
 * from spawn to the reopened indexer answering /count).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { figure, goal, percentile, report, round, SHORT } from './lib.js';

const writer = fileURLToPath(new URL('./fixtures/bulk-writer.ts', import.meta.url));
const TOTAL = SHORT ? 5_000 : 100_000;
const MAX_ROUNDS = SHORT ? 6 : 80;
const LIMIT_MS = SHORT ? 90_000 : 480_000;
const dir = mkdtempSync(join(tmpdir(), 'weft-rel-durability-'));

function run(
  from: number,
  killAfter: number,
): Promise<{ acked: number; readyMs: number; count: number; done: boolean }> {
  const t0 = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=weft-source', '--import', 'tsx', writer, dir, String(from), String(TOTAL)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let acked = from;
  let acks = 0;
  let readyMs = Number.NaN;
  let count = -1;
  let done = false;
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    if (line.startsWith('READY ')) {
      readyMs = performance.now() - t0;
      count = Number(line.slice(6));
    } else if (line.startsWith('ACK ')) {
      acked = Number(line.slice(4));
      if (++acks === killAfter) child.kill('SIGKILL');
    } else if (line === 'DONE') done = true;
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS);
  return new Promise((resolve) =>
    child.on('close', () => {
      clearTimeout(guard);
      resolve({ acked, readyMs, count, done });
    }),
  );
}

const started = performance.now();
let acked = 0;
let lost = 0;
let kills = 0;
const restart: number[] = [];
let finished = false;
for (let r = 0; r < MAX_ROUNDS && !finished && performance.now() - started < LIMIT_MS; r++) {
  const res = await run(acked, 1 + Math.floor(Math.random() * 6));
  if (r > 0) restart.push(res.readyMs);
  // what the reopened indexer holds must cover everything acknowledged before the kill
  if (res.count >= 0 && res.count < acked) lost = Math.max(lost, acked - res.count);
  acked = Math.max(acked, res.acked);
  finished = res.done;
  if (!finished) kills++;
}
const final = await run(TOTAL, 0);
if (final.count < acked) lost = Math.max(lost, acked - final.count);
rmSync(dir, { recursive: true, force: true });
report('indexer-durability', [
  figure('documents to index', TOTAL),
  figure('SIGKILLs', kills),
  figure('documents acknowledged', acked),
  goal('acknowledged documents lost', lost, '=', 0),
  figure('restart to serving p50 (ms)', round(percentile(restart, 50))),
  figure('restart to serving max (ms)', round(Math.max(...restart))),
]);
