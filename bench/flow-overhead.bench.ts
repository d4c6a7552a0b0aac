/**
 * Flow overhead: what a Flow's gateway and each executor hop add to a request. A gRPC client sends pre-encoded
 * 1-document DataRequestProto bytes over unary `process_single_data` to the gateway of a Flow whose executors are
 * a chain of k no-op executors, k = 0, 1, 2, 4 (k = 0: no executor, the gateway answers by itself). All Flows run
 * side by side and are measured in interleaved rounds, so drift on a busy machine hits each alike.
 * (a) latency, one request in flight, beside the raw Node TCP echo round trip of length-prefixed frames to another
 *     process (echo-servers.ts `raw`: the floor of one local hop), measured in the same run; the cost of one added
 *     executor is the least-squares slope of p50 over k;
 * (b) requests/s with 64 in flight on one channel, beside a hand-written relay (relay-server.ts: a grpc-js +
 *     protobufjs gateway forwarding to the grpc-js echo server of echo-servers.ts, two processes, like k = 1).
 * (c), (d) the same with a realistic payload: 10 documents with a 512-d float32 embedding and a short text each
 *     (about 21 KB), through chains of k executors that each add a tag to every document, 1 and 64 in flight,
 *     beside the raw TCP echo of the same bytes.
 * Prints tables and `target flow-overhead.per_executor_ratio` (p50 cost of one added executor / raw TCP p50),
 * `.per_executor_ratio_payload` (the same with the realistic payload and its raw echo) and `.throughput_ratio`
 * (k = 1 req/s / relay req/s). FLOW_OVERHEAD_SCALE=0.3 shortens every phase while developing.
 */
import { DocumentArray } from '../packages/weft/src/document/index.js';
import { Flow } from '../packages/weft/src/orchestrate/index.js';
import { DataRequest, decodeDataRequest, encodeDataRequest } from '../packages/weft/src/request/index.js';
import { slope, startRelay } from './fixtures/flow-bench-lib.js';
import {
  BytesClient,
  closedLoop,
  cpuMs,
  FrameClient,
  type Peer,
  sequential,
  startEchoServer,
} from './fixtures/worker-bench-lib.js';
import { NoOp, Tagger } from './fixtures/worker-executors.js';
import { percentile, table, target } from './lib.js';

const KS = [0, 1, 2, 4] as const;
const SCALE = Number(process.env.FLOW_OVERHEAD_SCALE ?? 1);
const LATENCY_CALLS = Math.round(1500 * SCALE);
const LATENCY_ROUNDS = 3;
const THROUGHPUT_MS = Math.round(3000 * SCALE);
const THROUGHPUT_ROUNDS = 4;
const IN_FLIGHT = 64;

type Name = 'relay' | `k=${(typeof KS)[number]}`;

const bytes = Buffer.from(
  encodeDataRequest(
    new DataRequest({
      header: { requestId: 'bench-0001', execEndpoint: '/index' },
      parameters: { limit: 10 },
      docs: new DocumentArray([{ id: 'doc-0001', text: 'a short sentence to index' }]),
    }),
  ),
);

const DIM = 512;
const PAYLOAD_DOCS = 10;
const payloadBytes = Buffer.from(
  encodeDataRequest(
    new DataRequest({
      header: { requestId: 'bench-0002', execEndpoint: '/index' },
      docs: new DocumentArray(
        Array.from({ length: PAYLOAD_DOCS }, (_, i) => ({
          id: `doc-${i}`,
          text: `product ${i}: a short description`,
          embedding: Float32Array.from({ length: DIM }, (_, j) => Math.sin(i * DIM + j)),
        })),
      ),
    }),
  ),
);

/** A Flow of `k` no-op executors in a chain (no access log: a line per request is not what is measured). */
function chain(k: number, uses: typeof NoOp | typeof Tagger = NoOp, prefix = 'noop'): Flow {
  const flow = new Flow({ host: '127.0.0.1', accessLog: false });
  for (let i = 0; i < k; i++) flow.add({ name: `${prefix}${i}`, uses });
  return flow;
}

const peers: Peer[] = [];
const flows = new Map<number, Flow>();
try {
  const [raw, echo] = await Promise.all([startEchoServer('raw'), startEchoServer('grpc')]);
  peers.push(raw, echo);
  peers.push(await startRelay(echo.port));
  const relay = peers[2] as Peer;
  // one Flow at a time: starting all their processes at once would only slow each start down
  for (const k of KS) flows.set(k, await chain(k).start());

  const clients = new Map<Name, BytesClient>([['relay', new BytesClient(relay.port)]]);
  for (const [k, flow] of flows) clients.set(`k=${k}` as Name, new BytesClient(flow.port));
  const frames = await FrameClient.open(raw.port);
  const names = [...clients.keys()];

  // agreement: every gateway ran the request through its chain (one route per hop) with the document intact
  for (const [name, client] of clients) {
    const res = decodeDataRequest(await client.call(bytes));
    const k = name === 'relay' ? 1 : Number(name.slice(2));
    const expected =
      name === 'relay' ? ['relay', 'echo'] : ['gateway', ...Array.from({ length: k }, (_, i) => `noop${i}`)];
    const routes = res.routes.map((r) => r.executor);
    if (res.isError || res.docs.at(0)?.text !== 'a short sentence to index' || routes.join() !== expected.join()) {
      console.error(`${name} answered something unexpected (routes ${routes.join(' → ')}); not benchmarking`);
      process.exit(1);
    }
  }
  if (Buffer.compare(await frames.call(bytes), bytes) !== 0) {
    console.error('the raw echo answered something unexpected; not benchmarking');
    process.exit(1);
  }

  // (a) latency, one in flight
  const lat = new Map<Name | 'raw', number[]>([['raw', []], ...names.map((n) => [n, []] as [Name, number[]])]);
  const call = (name: Name | 'raw') =>
    name === 'raw' ? () => frames.call(bytes) : () => (clients.get(name) as BytesClient).call(bytes);
  for (let round = 0; round < LATENCY_ROUNDS; round++) {
    for (const name of lat.keys()) {
      const warmup = round === 0 ? 300 : 50;
      (lat.get(name) as number[]).push(...(await sequential(call(name), warmup, LATENCY_CALLS / LATENCY_ROUNDS)));
    }
  }
  const p50 = (name: Name | 'raw') => percentile(lat.get(name) as number[], 50);
  const rawP50 = p50('raw');
  const perExecutor = slope(
    [...KS],
    KS.map((k) => p50(`k=${k}`)),
  );
  table('flow-overhead (a): 1-document request, 1 in flight, unary process_single_data to the gateway', [
    { impl: 'raw TCP echo, length-prefixed (floor of one hop)', executors: '-', ...stats(lat.get('raw'), rawP50) },
    { impl: 'hand-written grpc-js relay → grpc-js echo', executors: '1 (echo)', ...stats(lat.get('relay'), rawP50) },
    ...KS.map((k) => ({
      impl: k === 0 ? 'weft Flow, gateway alone' : `weft Flow, chain of ${k} no-op executor(s)`,
      executors: String(k),
      ...stats(lat.get(`k=${k}`), rawP50),
    })),
  ]);
  console.log(
    `p50 cost of one added executor (least-squares slope over k): ${perExecutor.toFixed(3)} ms; ` +
      `k=0→1: ${(p50('k=1') - p50('k=0')).toFixed(3)} ms, 1→2: ${(p50('k=2') - p50('k=1')).toFixed(3)} ms, ` +
      `2→4: ${((p50('k=4') - p50('k=2')) / 2).toFixed(3)} ms per executor; raw TCP p50 ${rawP50.toFixed(3)} ms`,
  );

  // (b) throughput, 64 in flight on one channel each
  const pids = new Map<Name, (number | undefined)[]>([['relay', [relay.child.pid, echo.child.pid]]]);
  for (const [k, flow] of flows) pids.set(`k=${k}` as Name, flow.pids());
  const cpu = (name: Name) => (pids.get(name) ?? []).reduce<number>((sum, pid) => sum + (cpuMs(pid) ?? Number.NaN), 0);
  const thr = new Map(names.map((n) => [n, { completed: 0, ms: 0, cpu: 0, latencies: [] as number[] }]));
  for (const name of names) await closedLoop(call(name), IN_FLIGHT, 300);
  for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
    for (const name of round % 2 ? [...names].reverse() : names) {
      const t = thr.get(name) as { completed: number; ms: number; cpu: number; latencies: number[] };
      const cpu0 = cpu(name);
      const r = await closedLoop(call(name), IN_FLIGHT, THROUGHPUT_MS / THROUGHPUT_ROUNDS);
      t.cpu += cpu(name) - cpu0;
      t.completed += r.completed;
      t.ms += r.elapsedMs;
      t.latencies.push(...r.latencies);
    }
  }
  const rps = (name: Name) => {
    const t = thr.get(name) as { completed: number; ms: number };
    return (t.completed / t.ms) * 1000;
  };
  table(`flow-overhead (b): ${IN_FLIGHT} requests in flight, unary process_single_data to the gateway`, [
    ...names.map((name) => {
      const t = thr.get(name) as { completed: number; cpu: number; latencies: number[] };
      return {
        impl: name === 'relay' ? 'hand-written grpc-js relay → grpc-js echo' : `weft Flow, ${name}`,
        'req/s': Math.round(rps(name)),
        'server CPU us/req': Math.round((t.cpu * 1000) / t.completed),
        'p50 ms': percentile(t.latencies, 50),
        'p99 ms': percentile(t.latencies, 99),
      };
    }),
  ]);

  for (const c of clients.values()) c.close();
  // the realistic payload, with chains of taggers (one set of Flows at a time keeps the machine's load alike)
  await Promise.all([...flows.values()].map((f) => f.close()));
  flows.clear();
  const payload = await payloadRun(frames);
  frames.close();
  target('flow-overhead', 'per_executor_ratio', perExecutor / rawP50, '<=', 3.0);
  target('flow-overhead', 'per_executor_ratio_payload', payload.perExecutor / payload.rawP50, '<=', 3.0);
  target('flow-overhead', 'throughput_ratio', rps('k=1') / rps('relay'), '>=', 1.0);
} finally {
  await Promise.all([...flows.values()].map((f) => f.close()));
  await Promise.all(peers.map((p) => p.stop()));
}

/** (c) and (d): chains of taggers with the realistic payload, beside the raw echo of the same bytes. */
async function payloadRun(frames: FrameClient): Promise<{ perExecutor: number; rawP50: number }> {
  const started = new Map<number, Flow>();
  try {
    for (const k of KS) started.set(k, await chain(k, Tagger, 'tag').start());
    const clients = new Map([...started].map(([k, f]) => [k, new BytesClient(f.port)]));
    for (const [k, client] of clients) {
      const res = decodeDataRequest(await client.call(payloadBytes));
      const names = Array.from({ length: k }, (_, i) => `tag${i}`);
      const ok =
        !res.isError &&
        res.docs.length === PAYLOAD_DOCS &&
        res.docs.at(3)?.embedding?.size === DIM &&
        [...res.docs].every((d) => names.every((n) => d.tags[n] === true)) &&
        res.routes.map((r) => r.executor).join() === ['gateway', ...names].join();
      if (!ok) {
        console.error(`k=${k} with the payload answered something unexpected; not benchmarking`);
        process.exit(1);
      }
    }
    if (Buffer.compare(await frames.call(payloadBytes), payloadBytes) !== 0) {
      console.error('the raw echo answered the payload with something else; not benchmarking');
      process.exit(1);
    }
    const keys = ['raw', ...KS.map(String)];
    const call = (key: string) =>
      key === 'raw'
        ? () => frames.call(payloadBytes)
        : () => (clients.get(Number(key)) as BytesClient).call(payloadBytes);
    const lat = new Map(keys.map((key) => [key, [] as number[]]));
    for (let round = 0; round < LATENCY_ROUNDS; round++) {
      for (const key of round % 2 ? [...keys].reverse() : keys) {
        const warmup = round === 0 ? 200 : 30;
        (lat.get(key) as number[]).push(...(await sequential(call(key), warmup, LATENCY_CALLS / LATENCY_ROUNDS)));
      }
    }
    const p50 = (key: string) => percentile(lat.get(key) as number[], 50);
    const rawP50 = p50('raw');
    const perExecutor = slope(
      [...KS],
      KS.map((k) => p50(String(k))),
    );
    table(
      `flow-overhead (c): ${PAYLOAD_DOCS} documents × ${DIM}-d float32 embedding + text (${payloadBytes.length} B), 1 in flight`,
      [
        { impl: 'raw TCP echo of the same bytes (floor of one hop)', executors: '-', ...stats(lat.get('raw'), rawP50) },
        ...KS.map((k) => ({
          impl: k === 0 ? 'weft Flow, gateway alone' : `weft Flow, chain of ${k} tagger(s)`,
          executors: String(k),
          ...stats(lat.get(String(k)), rawP50),
        })),
      ],
    );
    console.log(
      `payload: p50 cost of one added executor ${perExecutor.toFixed(3)} ms (slope over k); raw TCP p50 ` +
        `${rawP50.toFixed(3)} ms; k=0→1: ${(p50('1') - p50('0')).toFixed(3)} ms`,
    );
    const cpu = (k: number) =>
      (started.get(k)?.pids() ?? []).reduce<number>((sum, pid) => sum + (cpuMs(pid) ?? Number.NaN), 0);
    const thr = new Map(KS.map((k) => [k, { completed: 0, ms: 0, cpu: 0, latencies: [] as number[] }]));
    for (const k of KS) await closedLoop(call(String(k)), IN_FLIGHT, 300);
    for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
      for (const k of round % 2 ? [...KS].reverse() : KS) {
        const t = thr.get(k) as { completed: number; ms: number; cpu: number; latencies: number[] };
        const cpu0 = cpu(k);
        const r = await closedLoop(call(String(k)), IN_FLIGHT, THROUGHPUT_MS / THROUGHPUT_ROUNDS);
        t.cpu += cpu(k) - cpu0;
        t.completed += r.completed;
        t.ms += r.elapsedMs;
        t.latencies.push(...r.latencies);
      }
    }
    table(`flow-overhead (d): the same payload, ${IN_FLIGHT} requests in flight`, [
      ...KS.map((k) => {
        const t = thr.get(k) as { completed: number; ms: number; cpu: number; latencies: number[] };
        return {
          impl: k === 0 ? 'weft Flow, gateway alone' : `weft Flow, chain of ${k} tagger(s)`,
          'req/s': Math.round((t.completed / t.ms) * 1000),
          'server CPU us/req': Math.round((t.cpu * 1000) / t.completed),
          'p50 ms': percentile(t.latencies, 50),
          'p99 ms': percentile(t.latencies, 99),
        };
      }),
    ]);
    for (const c of clients.values()) c.close();
    return { perExecutor, rawP50 };
  } finally {
    await Promise.all([...started.values()].map((f) => f.close()));
  }
}

function stats(v: number[] | undefined, rawP50: number): Record<string, number> {
  const values = v ?? [];
  return {
    calls: values.length,
    'p50 ms': percentile(values, 50),
    'p99 ms': percentile(values, 99),
    'vs raw p50': percentile(values, 50) / rawP50,
  };
}
