/**
 * Replica loss under load: an executor at 3 replicas behind a Flow's gateway, 64 concurrent clients posting an
 * idempotent endpoint, one replica SIGKILLed every 5 s (the Flow restarts it on its address). Figures: requests
 * sent, failed (goal 0), p99 latency without faults (first phase) and with them, time until a killed replica
 * serves again. Full: 10 s calm + 60 s with faults; short: 3 s + 10 s.
 */
import { performance } from 'node:perf_hooks';
import { Flow } from '@weft-ai/weft';
import { WhoAmI } from './fixtures/executors.js';
import { figure, goal, percentile, report, round, SHORT } from './lib.js';

const CLIENTS = 64;
const CALM_MS = SHORT ? 3_000 : 10_000;
const FAULT_MS = SHORT ? 10_000 : 60_000;
const KILL_EVERY_MS = 5_000;
const MAX_REQUESTS = 2_000_000;

const flow = new Flow().add({ name: 'who', uses: WhoAmI, replicas: 3 });
await flow.start();
const pidOf = new Map<string, number>();
const calm: number[] = [];
const faulty: number[] = [];
const errors = new Map<string, number>();
let sent = 0;
let failed = 0;
let phase: 'calm' | 'faults' | 'done' = 'calm';
const killedAt = new Map<string, { pid: number; at: number }>();
const backAfter: number[] = [];

async function client(): Promise<void> {
  while (phase !== 'done' && sent < MAX_REQUESTS) {
    sent++;
    const t0 = performance.now();
    try {
      const docs = await flow.post('/', [{ id: 'x' }], { timeout: 10_000 });
      const d = [...docs][0];
      const ms = performance.now() - t0;
      (phase === 'calm' ? calm : faulty).push(ms);
      const runtime = String(d?.tags.runtime);
      const pid = Number(d?.tags.pid);
      pidOf.set(runtime, pid);
      const k = killedAt.get(runtime);
      if (k && pid !== k.pid) {
        backAfter.push(performance.now() - k.at);
        killedAt.delete(runtime);
      }
    } catch (err) {
      failed++;
      const key = `${(err as { code?: string }).code ?? ''} ${(err as Error).message}`.slice(0, 160);
      errors.set(key, (errors.get(key) ?? 0) + 1);
    }
  }
}

const clients = Array.from({ length: CLIENTS }, () => client());
await new Promise((r) => setTimeout(r, CALM_MS));
phase = 'faults';
let kills = 0;
const faultEnd = performance.now() + FAULT_MS;
for (let slot = 0; performance.now() + KILL_EVERY_MS <= faultEnd + 100; slot++) {
  const runtime = [...pidOf.keys()].sort()[slot % 3] ?? '';
  const pid = pidOf.get(runtime);
  if (pid !== undefined && !killedAt.has(runtime)) {
    try {
      process.kill(pid, 'SIGKILL');
      killedAt.set(runtime, { pid, at: performance.now() });
      kills++;
    } catch {}
  }
  await new Promise((r) => setTimeout(r, KILL_EVERY_MS));
}
await new Promise((r) => setTimeout(r, Math.max(0, faultEnd - performance.now())));
phase = 'done';
await Promise.all(clients);
await flow.close();
console.error(`  replicas seen: ${JSON.stringify([...pidOf])}`);
for (const [e, n] of errors) console.error(`  ${n} x ${e}`);
report('replica-loss', [
  figure('clients', CLIENTS),
  figure('replicas SIGKILLed', kills),
  figure('requests sent', sent),
  goal('requests failed', failed, '=', 0),
  figure('p99 without faults (ms)', round(percentile(calm, 99))),
  figure('p99 during faults (ms)', round(percentile(faulty, 99))),
  figure('replica serves again after kill, max (ms)', backAfter.length ? round(Math.max(...backAfter)) : 'n/a'),
  goal('killed replicas not back', killedAt.size, '=', 0),
]);
