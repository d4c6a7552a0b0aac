/**
 * Worker hop: the cost of one call to a weft worker process (no-op executor) over `process_single_data`.
 * (a) latency of 1-document requests, one in flight: weft worker vs a raw Node TCP echo of length-prefixed frames
 *     in another process (the physical floor of a local hop), with the hand-written gRPC echo for context;
 * (b) requests/s with 64 in flight on one channel: weft worker vs a hand-written @grpc/grpc-js + protobufjs server
 *     of the same DataRequestProto messages (decode, append a route, encode).
 * Every peer runs in its own process; the client sends the same pre-encoded request bytes to each.
 * Prints tables and `target worker-hop.latency_ratio` (weft p50 / raw p50) and `.throughput_ratio` (weft / grpc).
 */
import { DocumentArray } from '../packages/weft/src/document/index.js';
import { DataRequest, decodeDataRequest, encodeDataRequest } from '../packages/weft/src/request/index.js';
import {
  BytesClient,
  closedLoop,
  cpuMs,
  FrameClient,
  type Peer,
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
  const weftClient = new BytesClient(worker.port);
  const grpcClient = new BytesClient(grpc.port);
  const frames = await FrameClient.open(raw.port);

  // agreement: the worker processed the request (route appended, docs intact); the echoes answered it
  const fromWorker = decodeDataRequest(await weftClient.call(bytes));
  const fromGrpc = decodeDataRequest(await grpcClient.call(bytes));
  const fromRaw = await frames.call(bytes);
  if (
    fromWorker.routes.at(-1)?.executor !== 'bench' ||
    fromWorker.docs.at(0)?.text !== 'a short sentence to index' ||
    fromGrpc.routes.at(-1)?.executor !== 'echo' ||
    fromGrpc.docs.at(0)?.id !== 'doc-0001' ||
    Buffer.compare(fromRaw, bytes) !== 0
  ) {
    console.error('a peer answered something unexpected; not benchmarking');
    process.exit(1);
  }

  // (a) latency, one in flight, rounds interleaved so drift hits every peer alike
  const lat: Record<'raw' | 'grpc' | 'weft', number[]> = { raw: [], grpc: [], weft: [] };
  const calls = {
    raw: () => frames.call(bytes),
    grpc: () => grpcClient.call(bytes),
    weft: () => weftClient.call(bytes),
  };
  for (let round = 0; round < LATENCY_ROUNDS; round++) {
    for (const name of ['raw', 'grpc', 'weft'] as const) {
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
    row('weft worker (no-op executor)', lat.weft),
  ]);

  // (b) throughput, 64 in flight on one channel each
  const thr: Record<'grpc' | 'weft', { completed: number; ms: number; cpu: number; latencies: number[] }> = {
    grpc: { completed: 0, ms: 0, cpu: 0, latencies: [] },
    weft: { completed: 0, ms: 0, cpu: 0, latencies: [] },
  };
  const pids = { grpc: grpc.child.pid, weft: worker.child.pid };
  await closedLoop(calls.grpc, IN_FLIGHT, 500);
  await closedLoop(calls.weft, IN_FLIGHT, 500);
  for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
    for (const name of round % 2 ? (['weft', 'grpc'] as const) : (['grpc', 'weft'] as const)) {
      const cpu0 = cpuMs(pids[name]) ?? Number.NaN;
      const r = await closedLoop(calls[name], IN_FLIGHT, THROUGHPUT_MS / THROUGHPUT_ROUNDS);
      thr[name].cpu += (cpuMs(pids[name]) ?? Number.NaN) - cpu0;
      thr[name].completed += r.completed;
      thr[name].ms += r.elapsedMs;
      thr[name].latencies.push(...r.latencies);
    }
  }
  const rps = (name: 'grpc' | 'weft') => (thr[name].completed / thr[name].ms) * 1000;
  const cpuPerReq = (name: 'grpc' | 'weft') => (thr[name].cpu * 1000) / thr[name].completed;
  table(`worker-hop (b): ${IN_FLIGHT} requests in flight, unary process_single_data`, [
    {
      impl: 'grpc-js + protobufjs echo',
      'req/s': Math.round(rps('grpc')),
      'server CPU us/req': Math.round(cpuPerReq('grpc')),
      'p50 ms': percentile(thr.grpc.latencies, 50),
      'p99 ms': percentile(thr.grpc.latencies, 99),
    },
    {
      impl: 'weft worker (no-op executor)',
      'req/s': Math.round(rps('weft')),
      'server CPU us/req': Math.round(cpuPerReq('weft')),
      'p50 ms': percentile(thr.weft.latencies, 50),
      'p99 ms': percentile(thr.weft.latencies, 99),
    },
  ]);

  weftClient.close();
  grpcClient.close();
  frames.close();
  target('worker-hop', 'latency_ratio', percentile(lat.weft, 50) / percentile(lat.raw, 50), '<=', 2.0);
  console.log(
    `server CPU per request, weft / grpc-js+protobufjs: ${(cpuPerReq('weft') / cpuPerReq('grpc')).toFixed(3)} (steadier than req/s on a busy machine)`,
  );
  target('worker-hop', 'throughput_ratio', rps('weft') / rps('grpc'), '>=', 1.0);
} finally {
  await Promise.all(peers.map((p) => p.stop()));
}
