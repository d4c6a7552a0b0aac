/**
 * Observability overhead: throughput of a no-op Flow (gateway + 2 no-op executors, host 127.0.0.1) with
 * monitoring (Prometheus `/metrics` on every runtime, scraped every second by this process, as a 1 s
 * scrape_interval would) and tracing on, against the same Flow with both off. Both Flows run side by side; a gRPC
 * client sends pre-encoded 1-document requests over unary `process_single_data`, 64 in flight, in alternating
 * rounds so drift on a busy machine hits both alike.
 *
 * Tracing: when the option schema has Jina's `tracing` / `traces_exporter_host` / `traces_exporter_port`, the
 * monitored Flow also traces, exporting to an in-process OTLP/HTTP sink that accepts and discards every POST.
 * Prints a table and `target observability.throughput_ratio` (on req/s / off req/s).
 */
import { createServer } from 'node:http';
import { flowSchemas } from '../packages/weft/src/config/index.js';
import { DocumentArray } from '../packages/weft/src/document/index.js';
import { Flow } from '../packages/weft/src/orchestrate/index.js';
import { DataRequest, decodeDataRequest, encodeDataRequest } from '../packages/weft/src/request/index.js';
import { BytesClient, closedLoop, cpuMs } from './fixtures/worker-bench-lib.js';
import { NoOp } from './fixtures/worker-executors.js';
import { percentile, table, target } from './lib.js';

const IN_FLIGHT = 64;
const RUN_MS = 8000;
const ROUNDS = 8;

const bytes = Buffer.from(
  encodeDataRequest(
    new DataRequest({
      header: { requestId: 'obs-bench', execEndpoint: '/index' },
      docs: new DocumentArray([{ id: 'doc-0001', text: 'a short sentence to index' }]),
    }),
  ),
);

/** An OTLP/HTTP receiver that accepts and discards everything (the cost measured is weft's, not a collector's). */
const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
});
await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
const sinkPort = (sink.address() as { port: number }).port;

const shape = flowSchemas().flow.shape as Record<string, unknown>;
const tracing = ['tracing', 'tracesExporterHost', 'tracesExporterPort'].every((k) => k in shape);
const tracingOptions = tracing
  ? { tracing: true, tracesExporterHost: '127.0.0.1', tracesExporterPort: sinkPort }
  : // TODO(h2 tracing): once the schema has tracing / traces_exporter_host / traces_exporter_port this branch is
    // dead and the monitored Flow traces too (to the sink above)
    {};

function flow(observed: boolean): Flow {
  return new Flow({ host: '127.0.0.1', ...(observed ? { monitoring: true, ...tracingOptions } : {}) })
    .add({ name: 'noop0', uses: NoOp })
    .add({ name: 'noop1', uses: NoOp });
}

type Mode = 'off' | 'on';
const flows = new Map<Mode, Flow>();
let scraper: NodeJS.Timeout | undefined;
try {
  flows.set('off', await flow(false).start());
  flows.set('on', await flow(true).start());
  const on = flows.get('on') as Flow;
  const clients = new Map<Mode, BytesClient>([...flows].map(([m, f]) => [m, new BytesClient(f.port)]));

  // agreement: both ran the request through both executors; the monitored one counts it
  for (const [mode, client] of clients) {
    const res = decodeDataRequest(await client.call(bytes));
    const routes = res.routes.map((r) => r.executor).join();
    if (res.isError || routes !== 'gateway,noop0,noop1') {
      console.error(`${mode} answered something unexpected (routes ${routes}); not benchmarking`);
      process.exit(1);
    }
  }
  const targets = on.monitoringEndpoints.map((t) => `http://${t.address}/metrics`);
  const scrape = () => Promise.all(targets.map((u) => fetch(u).then((r) => r.text())));
  const first = await scrape();
  if (!first[0]?.includes('jina_successful_requests_total{runtime_name="gateway"')) {
    console.error('the monitored gateway does not count requests; not benchmarking');
    process.exit(1);
  }
  let scrapes = 0;
  scraper = setInterval(() => {
    void scrape().then(() => scrapes++);
  }, 1000);

  const pids = new Map<Mode, number[]>([...flows].map(([m, f]) => [m, f.pids()]));
  const cpu = (m: Mode) => (pids.get(m) ?? []).reduce((sum, pid) => sum + (cpuMs(pid) ?? Number.NaN), 0);
  const results = new Map<Mode, { completed: number; ms: number; cpu: number; latencies: number[] }>([
    ['off', { completed: 0, ms: 0, cpu: 0, latencies: [] }],
    ['on', { completed: 0, ms: 0, cpu: 0, latencies: [] }],
  ]);
  for (const m of ['off', 'on'] as const)
    await closedLoop(() => (clients.get(m) as BytesClient).call(bytes), IN_FLIGHT, 500);
  for (let round = 0; round < ROUNDS; round++) {
    for (const m of round % 2 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      const out = results.get(m) as { completed: number; ms: number; cpu: number; latencies: number[] };
      const cpu0 = cpu(m);
      const r = await closedLoop(() => (clients.get(m) as BytesClient).call(bytes), IN_FLIGHT, RUN_MS / ROUNDS);
      out.cpu += cpu(m) - cpu0;
      out.completed += r.completed;
      out.ms += r.elapsedMs;
      out.latencies.push(...r.latencies);
    }
  }
  clearInterval(scraper);
  for (const c of clients.values()) c.close();

  const rps = (m: Mode) => {
    const r = results.get(m) as { completed: number; ms: number };
    return (r.completed / r.ms) * 1000;
  };
  const label = tracing ? 'monitoring + tracing on' : 'monitoring on (tracing: not in the option schema yet)';
  table(`observability: gateway + 2 no-op executors, ${IN_FLIGHT} in flight, unary process_single_data`, [
    ...(['off', 'on'] as const).map((m) => {
      const r = results.get(m) as { completed: number; cpu: number; latencies: number[] };
      return {
        flow: m === 'off' ? 'monitoring and tracing off' : label,
        requests: r.completed,
        'req/s': Math.round(rps(m)),
        'server CPU us/req': Math.round((r.cpu * 1000) / r.completed),
        'p50 ms': percentile(r.latencies, 50),
        'p99 ms': percentile(r.latencies, 99),
      };
    }),
  ]);
  console.log(`scrapes of the ${targets.length} /metrics endpoints during the run: ${scrapes}`);
  target('observability', 'throughput_ratio', rps('on') / rps('off'), '>=', 0.95);
} finally {
  if (scraper) clearInterval(scraper);
  await Promise.all([...flows.values()].map((f) => f.close()));
  sink.close();
}
