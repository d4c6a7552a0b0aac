/**
 * Rolling restart under load, as Kubernetes rolls a Deployment: two executors (`a` → `b`) at 2 replicas each
 * behind a Flow's gateway; 16 clients post an idempotent endpoint (8 through `Client` streams, 8 unary); each
 * executor in turn is restarted replica by replica (`Flow.restartExecutor`: SIGTERM, the grace period drains the
 * requests under way, a new process on the same port, ready before the next replica goes). Figures: requests
 * sent, failed (goal 0), p99 latency without restarts (first phase) and during them, replicas replaced (goal:
 * all), restart time per replica. Full: 5 s calm + 3 rounds over both executors; short: 2 s + `b` once.
 */
import { performance } from 'node:perf_hooks';
import { Flow } from '@weft-ai/weft';
import { Client } from '@weft-ai/weft/client';
import { WhoAmI } from './fixtures/executors.js';
import { figure, goal, percentile, report, round, SHORT } from './lib.js';

const CALM_MS = SHORT ? 2_000 : 5_000;
const ROUNDS = SHORT ? 1 : 3;
// the short version restarts one executor (two replicas) to stay within CI's 30 s per scenario
const EXECUTORS = SHORT ? ['b'] : ['a', 'b'];
const REPLICAS = 2;
const STREAM_CLIENTS = 8;
const UNARY_CLIENTS = 8;
const MAX_REQUESTS = 1_000_000;

const flow = new Flow().add({ name: 'a', uses: WhoAmI, replicas: REPLICAS }).add({
  name: 'b',
  uses: WhoAmI,
  replicas: REPLICAS,
});
await flow.start();
const host = `grpc://127.0.0.1:${flow.port}`;

let phase: 'calm' | 'restarts' | 'done' = 'calm';
const calm: number[] = [];
const rolling: number[] = [];
const errors = new Map<string, number>();
let sent = 0;
let failed = 0;

async function timed(call: () => Promise<unknown>): Promise<void> {
  sent++;
  const at = phase;
  const t0 = performance.now();
  try {
    await call();
    (at === 'calm' ? calm : rolling).push(performance.now() - t0);
  } catch (err) {
    failed++;
    const key = `${(err as { code?: string }).code ?? ''} ${(err as Error).message}`.slice(0, 600);
    errors.set(key, (errors.get(key) ?? 0) + 1);
  }
}

async function streamClient(): Promise<void> {
  const c = new Client({ host, showProgress: false });
  while (phase !== 'done' && sent < MAX_REQUESTS) await timed(() => c.post('/', [{ id: 'x' }], { timeout: 10_000 }));
  await c.close();
}

async function unaryClient(): Promise<void> {
  while (phase !== 'done' && sent < MAX_REQUESTS) await timed(() => flow.post('/', [{ id: 'y' }], { timeout: 10_000 }));
}

const clients = [
  ...Array.from({ length: STREAM_CLIENTS }, () => streamClient()),
  ...Array.from({ length: UNARY_CLIENTS }, () => unaryClient()),
];
await new Promise((r) => setTimeout(r, CALM_MS));
phase = 'restarts';
const before = new Set(flow.pids());
const restartMs: number[] = [];
let replaced = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (const name of EXECUTORS) {
    const t0 = performance.now();
    const pids = await flow.restartExecutor(name);
    restartMs.push((performance.now() - t0) / Math.max(1, pids.length));
    replaced += pids.filter((p) => !before.has(p)).length;
    for (const p of pids) before.add(p);
  }
}
// a moment of load on the new processes
await new Promise((r) => setTimeout(r, 1_000));
phase = 'done';
await Promise.all(clients);
await flow.close();
for (const [e, n] of errors) console.error(`  ${n} x ${e}`);
const expected = ROUNDS * EXECUTORS.length * REPLICAS;
report('rolling-restart', [
  figure('clients (stream / unary)', `${STREAM_CLIENTS} / ${UNARY_CLIENTS}`),
  figure('requests sent', sent),
  goal('requests failed', failed, '=', 0),
  goal('replicas replaced by a new process', replaced, '=', expected),
  figure('p99 without restarts (ms)', round(percentile(calm, 99))),
  figure('p99 during restarts (ms)', round(percentile(rolling, 99))),
  figure(
    'restart per replica, p50 / max (ms)',
    `${round(percentile(restartMs, 50))} / ${round(Math.max(...restartMs))}`,
  ),
]);
