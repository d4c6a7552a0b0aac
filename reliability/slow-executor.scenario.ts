/**
 * Slow executor and back-pressure: a Flow of `fast` (2 ms a request) and `slow` (20 ms, ten times slower; two
 * shards behind a head, about 100 requests a second), its gateway at `prefetch` 8 and `timeout_send` 1.5 s for
 * `slow`. Clients stream `/slow`
 * from endless generators, faster than it serves, while others post `/fast` one request at a time:
 * - calm: `/fast` only (its latency without load);
 * - back-pressure: 8 streams of `/slow` with the Client's `prefetch` 2 (16 in flight, a tenth of the timeout's
 *   worth): the streams are slowed to what `slow` serves, none fails, memory stays flat;
 * - overload: 24 more streams with the Client's default prefetch (the gateway's holds each to 8; about 200 in
 *   flight, more than `slow` serves within its timeout): timeouts fire, each naming the executor; memory stays flat;
 * then the load stops: every client call must end (nothing deadlocks) and `/slow` must answer again.
 * RSS of the gateway, the head and every worker is sampled every 250 ms. Figures: requests answered and failed per
 * endpoint and phase, `/fast` p50/p99 in calm vs. under load, the most inputs a stream read ahead of its answers,
 * RSS growth. Full: 10 s calm + 30 s + 30 s; short: 2 s + 5 s + 5 s.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Flow } from '@weft-ai/weft';
import { Client } from '@weft-ai/weft/client';
import { figure, goal, percentile, report, round, SHORT } from './lib.js';
import { Fast, Slow } from './slow-executor.executors.js';

const CALM_MS = SHORT ? 2_000 : 10_000;
const PHASE_MS = SHORT ? 5_000 : 30_000;
const PREFETCH = 8;
const TIMEOUT_SEND_MS = 1_500;
/** The Client's prefetch of the back-pressure streams: 16 in flight, a tenth of the timeout's worth of work. */
const CLIENT_PREFETCH = 2;
const FAST_CLIENTS = 2;
const STREAMS = { backpressure: 8, overload: 32 };
const SETTLE_MS = 20_000;

type Phase = 'calm' | 'backpressure' | 'overload' | 'done';
let phase: Phase = 'calm';

const flow = new Flow({ prefetch: PREFETCH })
  .add({ name: 'fast', uses: Fast })
  .add({ name: 'slow', uses: Slow, shards: 2, timeoutSend: TIMEOUT_SEND_MS });
await flow.start();
const host = `grpc://127.0.0.1:${flow.port}`;

// --- memory: RSS of every runtime, by name ---------------------------------------------------------------------
const runtimes = flow.pids().map((pid) => ({ pid, name: runtimeName(pid) }));
const rss = new Map<string, { phase: Phase; mib: number }[]>();
const sampler = setInterval(() => {
  for (const r of runtimes) {
    const mib = rssMiB(r.pid);
    if (mib !== undefined) rss.set(r.name, [...(rss.get(r.name) ?? []), { phase, mib }]);
  }
}, 250);

// --- /fast: one request at a time, timed ----------------------------------------------------------------------
const fastMs: Record<string, number[]> = { calm: [], load: [] };
let fastFailed = 0;
const errors = new Map<string, number>();
const count = (key: string): void => {
  errors.set(key.slice(0, 200), (errors.get(key.slice(0, 200)) ?? 0) + 1);
};
async function fastClient(): Promise<void> {
  const c = new Client({ host, showProgress: false });
  while (phase !== 'done') {
    const at = phase;
    const t0 = performance.now();
    try {
      await c.post('/fast', [{ text: 'f' }], { timeout: 10_000 });
      (at === 'calm' ? fastMs.calm : fastMs.load)?.push(performance.now() - t0);
    } catch (err) {
      fastFailed++;
      count(`/fast ${describe(err)}`);
    }
  }
  await c.close();
}

// --- /slow: streams from endless generators -------------------------------------------------------------------
const slow = {
  backpressure: { answered: 0, failed: 0 },
  overload: { answered: 0, failed: 0, timeouts: 0, namingSlow: 0 },
};
const readAhead = { client: 0, gateway: 0 };
/** A client streaming `/slow` while the phase is one of `until`; with `prefetch`, the Client holds it back. */
async function slowStream(until: Phase[], prefetch?: number): Promise<void> {
  const key = prefetch === undefined ? 'gateway' : 'client';
  const c = new Client({ host, showProgress: false });
  while (until.includes(phase)) {
    const started = phase as 'backpressure' | 'overload';
    let produced = 0;
    let answered = 0;
    const inputs = async function* () {
      while (until.includes(phase)) {
        produced++;
        readAhead[key] = Math.max(readAhead[key], produced - answered);
        yield { text: 's' };
      }
    };
    try {
      await c.post('/slow', inputs(), {
        requestSize: 1,
        ...(prefetch !== undefined ? { prefetch } : {}),
        onDone: () => {
          answered++;
          slow[phase === 'overload' ? 'overload' : started].answered++;
        },
      });
    } catch (err) {
      const at = phase === 'overload' || started === 'overload' ? 'overload' : 'backpressure';
      slow[at].failed++;
      const e = err as { code?: string; message?: string };
      if (at === 'overload' && e.code === 'WEFT_TIMEOUT') slow.overload.timeouts++;
      if (at === 'overload' && e.code === 'WEFT_TIMEOUT' && /executor 'slow'/.test(e.message ?? '')) {
        slow.overload.namingSlow++;
      }
      count(`/slow ${at} ${describe(err)}`);
    }
  }
  await c.close();
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const loops: Promise<void>[] = Array.from({ length: FAST_CLIENTS }, () => fastClient());
await pause(CALM_MS);
phase = 'backpressure';
for (let i = 0; i < STREAMS.backpressure; i++) loops.push(slowStream(['backpressure', 'overload'], CLIENT_PREFETCH));
await pause(PHASE_MS);
phase = 'overload';
for (let i = STREAMS.backpressure; i < STREAMS.overload; i++) loops.push(slowStream(['overload']));
await pause(PHASE_MS);
phase = 'done';

// --- nothing deadlocks: every call ends, and /slow answers again ----------------------------------------------
const stopped = performance.now();
let watchdog: NodeJS.Timeout | undefined;
const settled = await Promise.race([
  Promise.all(loops).then(() => true),
  new Promise<false>((r) => {
    watchdog = setTimeout(() => r(false), SETTLE_MS);
  }),
]);
clearTimeout(watchdog);
const settleMs = performance.now() - stopped;
let servesAgain = 0;
const probe = new Client({ host, showProgress: false });
for (let i = 0; i < 10 && servesAgain === 0; i++) {
  try {
    await probe.post('/slow', [{ text: 'after' }], { timeout: 5_000 });
    servesAgain = 1;
  } catch (err) {
    count(`/slow after the load ${describe(err)}`);
  }
}
const againMs = performance.now() - stopped;
await probe.close();
clearInterval(sampler);
for (const [e, n] of errors) console.error(`  ${n} x ${e}`);

// growth: the most RSS in the last phase over the most in the first loaded phase's first half
const growth: [string, number, number][] = [];
for (const [name, samples] of rss) {
  const bp = samples.filter((s) => s.phase === 'backpressure');
  const base = Math.max(...bp.slice(0, Math.max(1, bp.length >> 1)).map((s) => s.mib));
  const over = samples.filter((s) => s.phase === 'overload').map((s) => s.mib);
  growth.push([name, round(Math.max(...over) - base), round(Math.max(...samples.map((s) => s.mib)))]);
}
const worstGrowth = Math.max(...growth.map((g) => g[1]));
await flow.close();

report('slow-executor', [
  figure('/slow streams (back-pressure / overload)', `${STREAMS.backpressure} / ${STREAMS.overload}`),
  figure('/slow answered under back-pressure', slow.backpressure.answered),
  goal('/slow streams failed under back-pressure', slow.backpressure.failed, '=', 0),
  // + 2: the input being turned into a request and the request waiting for a free slot
  goal(
    `most inputs a stream read ahead of its answers (Client prefetch ${CLIENT_PREFETCH})`,
    readAhead.client,
    '<=',
    CLIENT_PREFETCH + 2,
  ),
  figure('most inputs a stream read ahead of its answers (default Client prefetch)', readAhead.gateway),
  figure('/slow answered in overload', slow.overload.answered),
  goal('/slow timeouts in overload (timeouts fire)', slow.overload.timeouts, '>=', 1),
  goal('/slow failures not a timeout naming the executor', slow.overload.failed - slow.overload.namingSlow, '=', 0),
  figure('/fast answered (calm / under load)', `${fastMs.calm?.length} / ${fastMs.load?.length}`),
  goal('/fast failed', fastFailed, '=', 0),
  figure('/fast p50 calm / under load (ms)', `${ms(fastMs.calm, 50)} / ${ms(fastMs.load, 50)}`),
  figure('/fast p99 calm / under load (ms)', `${ms(fastMs.calm, 99)} / ${ms(fastMs.load, 99)}`),
  ...growth.map(([name, g, max]) => figure(`RSS ${name}: growth in overload / max (MiB)`, `${g} / ${max}`)),
  goal('RSS growth of the worst runtime (MiB)', worstGrowth, '<=', 64),
  goal('client calls still open after the load stopped', settled ? 0 : 1, '=', 0),
  figure('load stopped to every call ended (ms)', round(settleMs)),
  goal('/slow answers after the load (1 = yes)', servesAgain, '=', 1),
  figure('load stopped to /slow answering (ms)', round(againMs)),
]);

function ms(values: number[] | undefined, p: number): number | string {
  return values && values.length > 0 ? round(percentile(values, p)) : 'n/a';
}

function describe(err: unknown): string {
  return `${(err as { code?: string }).code ?? ''} ${(err as Error).message}`;
}

function rssMiB(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** The runtime's name from its configuration in its environment (`slow/shard-0/rep-0`), else its kind and pid. */
function runtimeName(pid: number): string {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    for (const kv of env) {
      const m = /^WEFT_[A-Z_]*CONFIG=(.*)$/s.exec(kv);
      const name = m ? (JSON.parse(m[1] as string) as { name?: string }).name : undefined;
      if (name) return name;
    }
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return `${/(gateway|head|worker)-main/.exec(cmd)?.[1] ?? 'runtime'} ${pid}`;
  } catch {
    return `runtime ${pid}`;
  }
}
