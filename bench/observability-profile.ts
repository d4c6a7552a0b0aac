/**
 * Profiling aid for the observability bench (not a benchmark): starts one no-op Flow (gateway + 2 no-op
 * executors) with monitoring and tracing on, off, or one of them (`on` | `off` | `monitoring` | `tracing`), drives it for a few seconds with 64
 * unary calls in flight, and stops, printing req/s and the runtimes' CPU per request. Run it under
 * `node --cpu-prof --cpu-prof-dir=DIR` for a CPU profile of every runtime process (they inherit the profiler's
 * options; NODE_OPTIONS cannot carry `--cpu-prof`).
 *
 * @example node --cpu-prof --cpu-prof-dir=/tmp/prof --conditions=weft-source --import tsx bench/observability-profile.ts on 6000
 */
import { createServer } from 'node:http';
import { DocumentArray } from '../packages/weft/src/document/index.js';
import { Flow } from '../packages/weft/src/orchestrate/index.js';
import { DataRequest, encodeDataRequest } from '../packages/weft/src/request/index.js';
import { BytesClient, closedLoop, cpuMs } from './fixtures/worker-bench-lib.js';
import { NoOp } from './fixtures/worker-executors.js';

const mode = process.argv[2] ?? 'on';
const monitoring = mode === 'on' || mode === 'monitoring';
const tracing = mode === 'on' || mode === 'tracing';
const ms = Number(process.argv[3] ?? 6000);
const bytes = Buffer.from(
  encodeDataRequest(
    new DataRequest({
      header: { requestId: 'obs-profile', execEndpoint: '/index' },
      docs: new DocumentArray([{ id: 'doc-0001', text: 'a short sentence to index' }]),
    }),
  ),
);
const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200).end());
});
await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
const sinkPort = (sink.address() as { port: number }).port;
const flow = new Flow({
  host: '127.0.0.1',
  accessLog: false,
  ...(monitoring ? { monitoring: true } : {}),
  ...(tracing ? { tracing: true, tracesExporterHost: '127.0.0.1', tracesExporterPort: sinkPort } : {}),
})
  .add({ name: 'noop0', uses: NoOp })
  .add({ name: 'noop1', uses: NoOp });
await flow.start();
try {
  const client = new BytesClient(flow.port);
  await closedLoop(() => client.call(bytes), 64, 500);
  const cpu = () => flow.pids().reduce((sum, pid) => sum + (cpuMs(pid) ?? Number.NaN), 0);
  const cpu0 = cpu();
  const r = await closedLoop(() => client.call(bytes), 64, ms);
  const us = ((cpu() - cpu0) * 1000) / r.completed;
  console.log(`${mode}: ${Math.round((r.completed / r.elapsedMs) * 1000)} req/s, server CPU ${Math.round(us)} us/req`);
  client.close();
} finally {
  await flow.close();
  sink.close();
}
