/**
 * Worker hop: the cost of one call to a weft worker process (no-op executor) over `process_single_data`, made the
 * way weft makes it: `RuntimeClient.processSingleData` (encode the DataRequest, send, decode the answer), over the
 * native transport the worker advertises, and again with the client forced to gRPC (`transport: 'grpc'`); and the
 * same requests multiplexed over one long-lived `jina.JinaRPC/Call` bidi stream (`RuntimeClient.call`, gRPC), the
 * path every runtime already serves and the baseline the native transport has to beat to earn its place.
 * (a) latency of 1-document requests, one in flight: weft vs a raw Node TCP echo of length-prefixed frames in
 *     another process (the physical floor of a local hop), with the hand-written gRPC echo for context;
 * (b) requests/s with 64 in flight on one connection: weft vs a hand-written @grpc/grpc-js + protobufjs server
 *     of the same DataRequestProto messages (decode, append a route, encode).
 * Every peer runs in its own process. The echo clients send pre-encoded request bytes and keep the answers as
 * bytes; weft sends a DataRequest whose documents are still the bytes that arrived (as a head or gateway forwards
 * them) and decodes each answer's envelope. Prints tables, the native transport's ratios against both gRPC
 * baselines (unary calls and the Call stream), and `target worker-hop.latency_ratio` (weft native p50 / raw p50),
 * `.throughput_ratio` (weft native / grpc-js), `.native_vs_stream_throughput` (native req/s / Call-stream req/s,
 * keep native if >= 1.5) and `.native_vs_stream_p50` (native p50 / Call-stream p50 at 1 in flight, keep native if
 * <= 0.7). The native transport earns its place when either of the last two holds.
 */
import { DocumentArray } from '../packages/weft/src/document/index.js';
import { RuntimeClient } from '../packages/weft/src/networking/index.js';
import { DataRequest, decodeDataRequest, encodeDataRequest } from '../packages/weft/src/request/index.js';
import {
  BytesClient,
  closedLoop,
  cpuMs,
  FrameClient,
  type Peer,
  StreamCaller,
  sequential,
  startEchoServer,
  startWorker,
} from './fixtures/worker-bench-lib.js';
import { percentile, table, target } from './lib.js';

const LATENCY_CALLS = 3000;
const LATENCY_ROUNDS = 3;
const THROUGHPUT_MS = 3000;
const THROUGHPUT_ROUNDS = 6;
const IN_FLIGHT = 64;

const req = new DataRequest({
  header: { requestId: 'bench-0001', execEndpoint: '/index' },
  parameters: { limit: 10 },
  docs: new DocumentArray([{ id: 'doc-0001', text: 'a short sentence to index' }]),
});
const bytes = Buffer.from(encodeDataRequest(req));

const peers: Peer[] = [];
try {
  const [worker, raw, grpc] = await Promise.all([startWorker('NoOp'), startEchoServer('raw'), startEchoServer('grpc')]);
  peers.push(worker, raw, grpc);
  const weftClient = new RuntimeClient(`127.0.0.1:${worker.port}`, { name: 'bench/rep-0' });
  const weftGrpcClient = new RuntimeClient(`127.0.0.1:${worker.port}`, { name: 'bench/rep-0', transport: 'grpc' });
  const weftStream = new StreamCaller(weftGrpcClient);
  const grpcClient = new BytesClient(grpc.port);
  const frames = await FrameClient.open(raw.port);
  const forwarded = decodeDataRequest(bytes);
  if ((await weftClient.connect()) !== 'native') {
    console.error(`the weft worker did not advertise a native port (transport: ${weftClient.transport})`);
    process.exit(1);
  }

  // agreement: the worker processed the request (route appended, docs intact) on both transports; the echoes answered
  const fromWorker = await weftClient.processSingleData(forwarded);
  const fromWorkerGrpc = await weftGrpcClient.processSingleData(forwarded);
  const fromStream = await weftStream.call(forwarded);
  const fromGrpc = decodeDataRequest(await grpcClient.call(bytes));
  const fromRaw = await frames.call(bytes);
  if (
    fromWorker.routes.at(-1)?.executor !== 'bench' ||
    fromWorker.docs.at(0)?.text !== 'a short sentence to index' ||
    fromWorkerGrpc.routes.at(-1)?.executor !== 'bench' ||
    fromWorkerGrpc.docs.at(0)?.text !== 'a short sentence to index' ||
    fromStream.routes.at(-1)?.executor !== 'bench' ||
    fromStream.docs.at(0)?.text !== 'a short sentence to index' ||
    weftClient.transport !== 'native' ||
    weftGrpcClient.transport !== 'grpc' ||
    fromGrpc.routes.at(-1)?.executor !== 'echo' ||
    fromGrpc.docs.at(0)?.id !== 'doc-0001' ||
    Buffer.compare(fromRaw, bytes) !== 0
  ) {
    console.error('a peer answered something unexpected; not benchmarking');
    process.exit(1);
  }

  // (a) latency, one in flight, rounds interleaved so drift hits every peer alike
  type Impl = 'raw' | 'grpc' | 'weft' | 'weftGrpc' | 'weftStream';
  const lat: Record<Impl, number[]> = { raw: [], grpc: [], weft: [], weftGrpc: [], weftStream: [] };
  const calls: Record<Impl, () => Promise<unknown>> = {
    raw: () => frames.call(bytes),
    grpc: () => grpcClient.call(bytes),
    weft: () => weftClient.processSingleData(forwarded),
    weftGrpc: () => weftGrpcClient.processSingleData(forwarded),
    weftStream: () => weftStream.call(forwarded),
  };
  for (let round = 0; round < LATENCY_ROUNDS; round++) {
    for (const name of ['raw', 'grpc', 'weft', 'weftGrpc', 'weftStream'] as const) {
      lat[name].push(...(await sequential(calls[name], round === 0 ? 500 : 100, LATENCY_CALLS / LATENCY_ROUNDS)));
    }
  }
  const row = (impl: string, v: number[]) => ({
    impl,
    calls: v.length,
    'p50 ms': percentile(v, 50),
    'p99 ms': percentile(v, 99),
    'vs raw p50': percentile(v, 50) / percentile(lat.raw, 50),
  });
  table(`worker-hop (a): 1-document request, 1 in flight, ${bytes.length}-byte DataRequestProto`, [
    row('raw TCP echo, length-prefixed (floor)', lat.raw),
    row('grpc-js + protobufjs echo', lat.grpc),
    row('weft: RuntimeClient → worker, native', lat.weft),
    row('weft: RuntimeClient → worker, gRPC', lat.weftGrpc),
    row('weft: RuntimeClient → worker, Call stream', lat.weftStream),
  ]);

  // (b) throughput, 64 in flight on one channel (or native connection) each
  type Loaded = 'grpc' | 'weft' | 'weftGrpc' | 'weftStream';
  const loaded: Loaded[] = ['grpc', 'weft', 'weftGrpc', 'weftStream'];
  type Tally = { completed: number; ms: number; cpu: number; latencies: number[] };
  const tally = (): Tally => ({ completed: 0, ms: 0, cpu: 0, latencies: [] });
  const thr: Record<Loaded, Tally> = { grpc: tally(), weft: tally(), weftGrpc: tally(), weftStream: tally() };
  const pids = {
    grpc: grpc.child.pid,
    weft: worker.child.pid,
    weftGrpc: worker.child.pid,
    weftStream: worker.child.pid,
  };
  for (const name of loaded) await closedLoop(calls[name], IN_FLIGHT, 500);
  for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
    // rotate the order so drift of a busy machine hits every implementation alike
    for (const name of loaded.map((_, k) => loaded[(k + round) % loaded.length] as Loaded)) {
      const cpu0 = cpuMs(pids[name]) ?? Number.NaN;
      const r = await closedLoop(calls[name], IN_FLIGHT, THROUGHPUT_MS / THROUGHPUT_ROUNDS);
      thr[name].cpu += (cpuMs(pids[name]) ?? Number.NaN) - cpu0;
      thr[name].completed += r.completed;
      thr[name].ms += r.elapsedMs;
      thr[name].latencies.push(...r.latencies);
    }
  }
  const rps = (name: Loaded) => (thr[name].completed / thr[name].ms) * 1000;
  const cpuPerReq = (name: Loaded) => (thr[name].cpu * 1000) / thr[name].completed;
  const loadedRow = (impl: string, name: Loaded) => ({
    impl,
    'req/s': Math.round(rps(name)),
    'server CPU us/req': Math.round(cpuPerReq(name)),
    'p50 ms': percentile(thr[name].latencies, 50),
    'p99 ms': percentile(thr[name].latencies, 99),
  });
  table(`worker-hop (b): ${IN_FLIGHT} requests in flight (unary process_single_data, or on one Call stream)`, [
    loadedRow('grpc-js + protobufjs echo', 'grpc'),
    loadedRow('weft: RuntimeClient → worker, native', 'weft'),
    loadedRow('weft: RuntimeClient → worker, gRPC', 'weftGrpc'),
    loadedRow('weft: RuntimeClient → worker, Call stream', 'weftStream'),
  ]);

  // the native transport against both gRPC paths a runtime serves: below 1 in throughput, above 1 in latency = slower
  const p50 = (v: number[]) => percentile(v, 50);
  const against = (baseline: string, name: 'weftGrpc' | 'weftStream') => ({
    'native vs': baseline,
    'req/s ratio': rps('weft') / rps(name),
    'p50 ratio, 1 in flight': p50(lat.weft) / p50(lat[name]),
    [`p50 ratio, ${IN_FLIGHT} in flight`]: p50(thr.weft.latencies) / p50(thr[name].latencies),
    'server CPU/req ratio': cpuPerReq('weft') / cpuPerReq(name),
  });
  table('worker-hop (c): the native transport against gRPC', [
    against('unary process_single_data', 'weftGrpc'),
    against('one Call bidi stream', 'weftStream'),
  ]);

  weftClient.close();
  await weftStream.close();
  weftGrpcClient.close();
  grpcClient.close();
  frames.close();
  target('worker-hop', 'latency_ratio', percentile(lat.weft, 50) / percentile(lat.raw, 50), '<=', 2.0);
  console.log(
    `server CPU per request, weft / grpc-js+protobufjs: ${(cpuPerReq('weft') / cpuPerReq('grpc')).toFixed(3)} (steadier than req/s on a busy machine)`,
  );
  target('worker-hop', 'throughput_ratio', rps('weft') / rps('grpc'), '>=', 1.0);
  // the native transport's reason to exist: either target met keeps it; neither met means internal hops should
  // use the Call stream instead
  target('worker-hop', 'native_vs_stream_throughput', rps('weft') / rps('weftStream'), '>=', 1.5);
  target('worker-hop', 'native_vs_stream_p50', p50(lat.weft) / p50(lat.weftStream), '<=', 0.7);
} finally {
  await Promise.all(peers.map((p) => p.stop()));
}
