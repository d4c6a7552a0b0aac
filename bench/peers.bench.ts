/**
 * Peers: the same 3-stage pipeline in weft and in Moleculer, side by side in one run. Each request carries 10
 * documents, each a short text and a 512-d float32 embedding (≈ 20 KB); each stage tags every document with its
 * name. weft: a Flow of three `Stage` executors (bench/fixtures/peers/stages.ts), each its own process behind the
 * gateway (its default native transport between runtimes), called by the `Client` over gRPC (`Client.post`, the
 * reported number) and, for reference, by the fastest client path weft has (one long-lived `JinaRPC/Call` stream
 * with every request multiplexed on it, what `RuntimeClient.call()` gives). Moleculer 0.14 (0.15 needs Node 22): three stage services,
 * each its own node process (bench/fixtures/peers/moleculer-node.ts), the first calling the second calling the
 * third, called from a broker in this process; over its TCP transporter (static addresses, no UDP discovery) and
 * over NATS (a `nats-server` this benchmark starts on a free loopback port; skipped when the binary is absent),
 * with each bundled serializer that round-trips the payload (a Float32Array must arrive as one; those that do not
 * are listed and not measured). No logging, metrics or tracing on either side.
 * Closed loop: (a) 1 request in flight, (b) 64 in flight; setups measured in interleaved rounds so drift on a busy
 * machine hits each alike. Prints req/s, p50, p99 and server CPU per request, and the targets
 * `peers.throughput_ratio` (weft ÷ best Moleculer, 64 in flight) and `peers.latency_ratio` (weft p50 ÷ best
 * Moleculer p50, 1 in flight). PEERS_SCALE=0.3 shortens every phase while developing.
 */
import { Client, Document, DocumentArray, Flow } from '@weft-ai/weft';
import { RuntimeClient } from '../packages/weft/src/networking/index.js';
import { DataRequest } from '../packages/weft/src/request/index.js';
import {
  type MoleculerCluster,
  type Serializer,
  startMoleculer,
  type Transport,
} from './fixtures/peers/moleculer-cluster.js';
import { type NatsServer, natsServerPath, startNatsServer } from './fixtures/peers/nats-server.js';
import { type PlainDoc, payload, STAGES, whatIsWrong } from './fixtures/peers/payload.js';
import { Stage } from './fixtures/peers/stages.js';
import { closedLoop, cpuMs, StreamCaller, sequential } from './fixtures/worker-bench-lib.js';
import { percentile, table, target } from './lib.js';

const SCALE = Number(process.env.PEERS_SCALE ?? 1);
const LATENCY_CALLS = Math.round(600 * SCALE);
const LATENCY_ROUNDS = 3;
const THROUGHPUT_MS = Math.round(4000 * SCALE);
const THROUGHPUT_ROUNDS = 2;
const IN_FLIGHT = 64;
const SERIALIZERS: Serializer[] = ['CBOR', 'MsgPack', 'Notepack', 'JSON'];

interface Setup {
  name: string;
  peer: 'weft' | 'moleculer';
  call: () => Promise<PlainDoc[]>;
  pids: () => (number | undefined)[];
}

const sent = payload();
const docs = new DocumentArray(sent.map((d) => new Document({ ...d, tags: {} })));
const plain = (da: DocumentArray): PlainDoc[] =>
  [...da].map((d) => ({
    id: d.id,
    text: d.text ?? '',
    embedding: d.embedding?.data as Float32Array,
    tags: d.tags as Record<string, unknown>,
  }));

const setups: Setup[] = [];
const closers: (() => Promise<void>)[] = [];
const skipped: { setup: string; why: string }[] = [];
try {
  // weft: one Flow, two client paths
  // no access log: Moleculer logs no line per request either
  const flow = await new Flow({ host: '127.0.0.1', accessLog: false })
    .add({ name: STAGES[0], uses: Stage, usesWith: { tag: STAGES[0] } })
    .add({ name: STAGES[1], uses: Stage, usesWith: { tag: STAGES[1] } })
    .add({ name: STAGES[2], uses: Stage, usesWith: { tag: STAGES[2] } })
    .start();
  closers.push(() => flow.close());
  const client = new Client({ host: `grpc://127.0.0.1:${flow.port}` });
  closers.push(() => client.close());
  setups.push({
    name: 'weft Flow, Client.post over gRPC',
    peer: 'weft',
    call: async () => plain(await client.post('/process', docs)),
    pids: () => flow.pids(),
  });
  const runtime = new RuntimeClient(`127.0.0.1:${flow.port}`, { name: 'gateway' });
  const stream = new StreamCaller(runtime);
  closers.push(async () => {
    await stream.close();
    runtime.close();
  });
  const request = new DataRequest({ header: { requestId: 'peers', execEndpoint: '/process' }, docs });
  setups.push({
    name: 'weft Flow, one multiplexed JinaRPC/Call stream',
    peer: 'weft',
    call: async () => plain((await stream.call(request)).docs),
    pids: () => flow.pids(),
  });

  // Moleculer: every transporter × serializer that round-trips the payload
  const transports: { label: string; transport: Transport }[] = [{ label: 'TCP', transport: { kind: 'TCP' } }];
  const natsBin = natsServerPath();
  let nats: NatsServer | undefined;
  if (natsBin) {
    nats = await startNatsServer(natsBin);
    closers.push((nats as NatsServer).stop);
    transports.push({ label: 'NATS', transport: { kind: 'NATS', url: nats.url } });
  } else {
    console.log(
      'peers: nats-server is absent, so the Moleculer NATS rows are skipped (Debian: `apt-get install nats-server`).',
    );
  }
  for (const { label, transport } of transports) {
    for (const serializer of SERIALIZERS) {
      const name = `Moleculer, ${label} transporter, ${serializer}`;
      const cluster: MoleculerCluster = await startMoleculer(transport, serializer);
      const wrong = await cluster.call(payload()).then(
        (got) => whatIsWrong(sent, got),
        (err: Error) => `the call failed: ${err.message}`,
      );
      if (wrong) {
        skipped.push({ setup: name, why: wrong });
        await cluster.stop();
        continue;
      }
      closers.push(() => cluster.stop());
      setups.push({
        name,
        peer: 'moleculer',
        call: () => cluster.call(sent),
        pids: () => [...cluster.pids(), ...(transport.kind === 'NATS' ? [nats?.pid] : [])],
      });
    }
  }
  // agreement: every measured setup passes the documents through all three stages intact
  for (const s of setups) {
    const wrong = whatIsWrong(sent, await s.call());
    if (wrong) {
      console.error(`${s.name} answered something unexpected (${wrong}); not benchmarking`);
      process.exit(1);
    }
  }
  if (skipped.length > 0) table('peers: serializers left out (they do not round-trip the payload)', skipped);

  // (a) latency, one in flight
  const lat = new Map(setups.map((s) => [s.name, [] as number[]]));
  for (let round = 0; round < LATENCY_ROUNDS; round++) {
    for (const s of round % 2 ? [...setups].reverse() : setups) {
      const warmup = round === 0 ? 200 : 30;
      lat.get(s.name)?.push(...(await sequential(s.call, warmup, Math.round(LATENCY_CALLS / LATENCY_ROUNDS))));
    }
  }
  table('peers (a): 10 docs × 512-d float32 + text through 3 stages, 1 request in flight', [
    ...setups.map((s) => {
      const v = lat.get(s.name) as number[];
      return {
        setup: s.name,
        calls: v.length,
        'req/s': Math.round(1000 / mean(v)),
        'p50 ms': percentile(v, 50),
        'p99 ms': percentile(v, 99),
      };
    }),
  ]);

  // (b) throughput, 64 in flight
  // CPU per process (the servers' pids in order, then this process: the client side) — a steadier measure than
  // wall-clock time on a shared machine, and where the time goes
  const cpuEach = (s: Setup) => [...s.pids().map((pid) => cpuMs(pid) ?? Number.NaN), processCpuMs()];
  const thr = new Map(
    setups.map((s) => [s.name, { completed: 0, ms: 0, cpu: [] as number[], latencies: [] as number[] }]),
  );
  for (const s of setups) await closedLoop(s.call, IN_FLIGHT, 300);
  for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
    for (const s of round % 2 ? [...setups].reverse() : setups) {
      const t = thr.get(s.name) as { completed: number; ms: number; cpu: number[]; latencies: number[] };
      const cpu0 = cpuEach(s);
      const r = await closedLoop(s.call, IN_FLIGHT, THROUGHPUT_MS / THROUGHPUT_ROUNDS);
      cpuEach(s).forEach((c, i) => {
        t.cpu[i] = (t.cpu[i] ?? 0) + c - (cpu0[i] as number);
      });
      t.completed += r.completed;
      t.ms += r.elapsedMs;
      t.latencies.push(...r.latencies);
    }
  }
  const rps = (s: Setup) => {
    const t = thr.get(s.name) as { completed: number; ms: number };
    return (t.completed / t.ms) * 1000;
  };
  table(`peers (b): the same, ${IN_FLIGHT} requests in flight`, [
    ...setups.map((s) => {
      const t = thr.get(s.name) as { completed: number; cpu: number[]; latencies: number[] };
      const us = t.cpu.map((c) => Math.round((c * 1000) / t.completed));
      return {
        setup: s.name,
        'req/s': Math.round(rps(s)),
        'server CPU us/req': us.slice(0, -1).reduce((a, b) => a + b, 0),
        'per process': us.slice(0, -1).join(' + '),
        'client CPU us/req': us.at(-1) as number,
        'p50 ms': percentile(t.latencies, 50),
        'p99 ms': percentile(t.latencies, 99),
      };
    }),
  ]);
  console.log(
    'per process: weft = gateway + stage1 + stage2 + stage3 workers; Moleculer = stage1 + stage2 + stage3 nodes ' +
      '(+ nats-server); client CPU is this process (the caller: weft Client or the Moleculer caller broker)',
  );

  const weft = setups[0] as Setup;
  const fastWeft = setups[1] as Setup;
  const moleculer = setups.filter((s) => s.peer === 'moleculer');
  if (moleculer.length === 0) {
    console.log('peers: no Moleculer setup round-tripped the payload; no targets');
  } else {
    const p50 = (s: Setup) => percentile(lat.get(s.name) as number[], 50);
    const bestRps = moleculer.reduce((a, b) => (rps(b) > rps(a) ? b : a));
    const bestP50 = moleculer.reduce((a, b) => (p50(b) < p50(a) ? b : a));
    console.log(
      `best Moleculer: ${bestRps.name} at ${IN_FLIGHT} in flight, ${bestP50.name} at 1 in flight; ` +
        `the fastest weft client path (${fastWeft.name}) gives throughput ratio ` +
        `${(rps(fastWeft) / rps(bestRps)).toFixed(3)}, latency ratio ${(p50(fastWeft) / p50(bestP50)).toFixed(3)}`,
    );
    target('peers', 'throughput_ratio', rps(weft) / rps(bestRps), '>=', 1.5);
    target('peers', 'latency_ratio', p50(weft) / p50(bestP50), '<=', 0.7);
  }
} finally {
  for (const close of closers.reverse()) await close().catch(() => undefined);
}

function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function mean(v: readonly number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}
