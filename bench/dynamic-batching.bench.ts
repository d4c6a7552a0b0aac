/**
 * Dynamic batching through a worker process: an executor whose cost is a fixed 5 ms per call plus 0.2 ms per
 * document (busy CPU, like a model's forward pass), 32 concurrent callers sending 1-document requests. Batching on
 * (preferredBatchSize 16, timeout 2 ms) against off, same executor class, each in its own worker process.
 * Prints throughput and latency, and `target dynamic-batching.throughput_ratio` (on / off).
 */
import { DocumentArray } from '../packages/weft/src/document/index.js';
import { DataRequest, decodeDataRequest, encodeDataRequest } from '../packages/weft/src/request/index.js';
import { BytesClient, closedLoop, type Peer, startWorker } from './fixtures/worker-bench-lib.js';
import { percentile, table, target } from './lib.js';

const CALLERS = 32;
const RUN_MS = 4000;
const ROUNDS = 4;
const BATCH = { preferredBatchSize: 16, timeoutMs: 2 };

const bytes = Buffer.from(
  encodeDataRequest(
    new DataRequest({
      header: { requestId: 'batch-bench', execEndpoint: '/encode' },
      docs: new DocumentArray([{ id: 'doc-0001', text: 'an image caption to encode' }]),
    }),
  ),
);

const peers: Peer[] = [];
try {
  const [off, on] = await Promise.all([
    startWorker('CostModel', { name: 'off' }),
    startWorker('CostModel', { name: 'on', dynamicBatching: { '/encode': BATCH } }),
  ]);
  peers.push(off, on);
  const clients = { off: new BytesClient(off.port), on: new BytesClient(on.port) };

  // agreement: both answer with the document; the batched one reports batches larger than one
  const batchOf = async (c: BytesClient) => {
    const r = decodeDataRequest(await c.call(bytes));
    if (r.isError || r.docs.at(0)?.id !== 'doc-0001')
      throw new Error(`unexpected answer: ${r.header.status?.description}`);
    return r.docs.at(0)?.tags.batch as number;
  };
  await batchOf(clients.off);
  await batchOf(clients.on);

  const results: Record<
    'off' | 'on',
    { completed: number; latencies: number[]; elapsedMs: number; batches: number[] }
  > = {
    off: { completed: 0, latencies: [], elapsedMs: 0, batches: [] },
    on: { completed: 0, latencies: [], elapsedMs: 0, batches: [] },
  };
  for (const mode of ['off', 'on'] as const) await closedLoop(() => clients[mode].call(bytes), CALLERS, 300); // warm-up
  // rounds alternate between the modes so that changes in machine load hit both alike
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      const client = clients[mode];
      const out = results[mode];
      const r = await closedLoop(
        async () => {
          const answer = decodeDataRequest(await client.call(bytes));
          out.batches.push(answer.docs.at(0)?.tags.batch as number);
        },
        CALLERS,
        RUN_MS / ROUNDS,
      );
      out.completed += r.completed;
      out.elapsedMs += r.elapsedMs;
      out.latencies.push(...r.latencies);
    }
  }
  for (const c of Object.values(clients)) c.close();

  const rps = (m: 'off' | 'on') => (results[m].completed / results[m].elapsedMs) * 1000;
  const row = (label: string, m: 'off' | 'on') => ({
    mode: label,
    requests: results[m].completed,
    'req/s': Math.round(rps(m)),
    'p50 ms': percentile(results[m].latencies, 50),
    'p95 ms': percentile(results[m].latencies, 95),
    'mean batch': results[m].batches.reduce((a, b) => a + b, 0) / Math.max(1, results[m].batches.length),
  });
  table(
    `dynamic-batching: cost 5 ms + 0.2 ms/doc, ${CALLERS} callers x 1-doc requests, ${RUN_MS} ms per mode, worker process`,
    [row('batching off', 'off'), row(`batching on (size ${BATCH.preferredBatchSize}, ${BATCH.timeoutMs} ms)`, 'on')],
  );
  target('dynamic-batching', 'throughput_ratio', rps('on') / rps('off'), '>=', 3.0);
} finally {
  await Promise.all(peers.map((p) => p.stop()));
}
