// A real Prometheus scrapes a monitored Flow (gateway, an executor with dynamic batching, an executor with two
// replicas behind a head); after traffic, the expected series come back through Prometheus's HTTP API with their
// labels, and every PromQL expression of the shipped Grafana dashboard returns data.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DocumentArray, Flow } from '../../../src/index.js';
import { grafanaDashboard } from '../../../src/observability/metrics/index.js';
import { PrometheusServer, prometheusMissing } from './prometheus-server.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const missing = prometheusMissing();
const INDEXED = 6;

describe('Prometheus scraping a monitored Flow', { skip: missing, timeout: 60_000 }, () => {
  const deadline = Date.now() + 50_000;
  let flow: Flow;
  let prometheus: PrometheusServer;
  /** The value of the one series `expr` selects, once Prometheus has it (awaited). */
  const seriesValue = async (expr: string, expected?: number): Promise<number> => {
    let value = Number.NaN;
    await prometheus.until(deadline, `${expr}${expected !== undefined ? ` = ${expected}` : ''}`, async () => {
      const r = await prometheus.query(expr);
      if (r.length !== 1) return false;
      value = (r[0] as { value: number }).value;
      return expected === undefined || value === expected;
    });
    return value;
  };

  before(async () => {
    flow = new Flow({ monitoring: true }, { cwd: here })
      .add({ name: 'measured', uses: './fixtures/executors.ts#Measured' })
      .add({ name: 'pass', uses: './fixtures/executors.ts#Pass', replicas: 2 });
    await flow.start();
    prometheus = await PrometheusServer.start(
      flow.monitoringEndpoints.map((t) => t.address),
      deadline,
    );
    for (let i = 0; i < INDEXED; i++)
      await flow.post('/index', new DocumentArray([{ text: `doc ${i}` }, { text: 'x' }]));
    // concurrent requests to the batched endpoint share batches
    await Promise.all(Array.from({ length: 8 }, (_, i) => flow.post('/encode', new DocumentArray([{ text: `${i}` }]))));
    for (let i = 0; i < 2; i++) await assert.rejects(flow.post('/fail', new DocumentArray([{ text: 'boom' }])));
  });

  after(async () => {
    await prometheus?.stop();
    await flow?.close();
  });

  it('scrapes every runtime: the gateway, the head and each replica', async () => {
    const runtimes = flow.monitoringEndpoints.map((t) => t.runtime).sort();
    assert.deepEqual(runtimes, ['gateway', 'measured/rep-0', 'pass/head', 'pass/rep-0', 'pass/rep-1']);
    await prometheus.until(deadline, 'every target up', async () => {
      const up = await prometheus.query('up{job="weft"} == 1');
      return up.length === runtimes.length;
    });
  });

  it('counts requests at the gateway and at the executor, labelled by runtime, executor and endpoint', async () => {
    await seriesValue('jina_successful_requests_total{runtime_name="gateway",executor_endpoint="/index"}', INDEXED);
    await seriesValue(
      'jina_successful_requests_total{runtime_name="measured/rep-0",executor="measured",executor_endpoint="/index"}',
      INDEXED,
    );
    await seriesValue('jina_document_processed_total{executor="measured",executor_endpoint="/index"}', 2 * INDEXED);
    await seriesValue('jina_number_of_pending_requests{runtime_name="gateway"}', 0);
    await seriesValue('jina_receiving_request_seconds_count{runtime_name="gateway"}', INDEXED + 8 + 2);
    const sending = await seriesValue('jina_sending_request_seconds_count{runtime_name="gateway",executor="measured"}');
    assert.ok(sending >= INDEXED + 8 + 2, `gateway → measured calls: ${sending}`);
  });

  it('counts failures by error code, at the gateway and at the executor', async () => {
    await seriesValue(
      'jina_failed_requests_total{runtime_name="gateway",executor_endpoint="/fail",error_code="WEFT_EXECUTOR"}',
      2,
    );
    await seriesValue(
      'jina_failed_requests_total{runtime_name="measured/rep-0",executor_endpoint="/fail",error_code="WEFT_EXECUTOR"}',
      2,
    );
  });

  it('times each replica behind the head, and sees both replicas healthy from the head', async () => {
    const perReplica = await prometheus.query(
      'sum by (runtime_name) (jina_process_request_seconds_count{executor="pass"})',
    );
    assert.deepEqual(perReplica.map((s) => s.metric.runtime_name).sort(), ['pass/rep-0', 'pass/rep-1']);
    const total = perReplica.reduce((n, s) => n + s.value, 0);
    assert.equal(total, INDEXED + 8); // /fail stops at 'measured'
    await prometheus.until(deadline, 'two healthy replicas seen by pass/head', async () => {
      const healthy = await prometheus.query('weft_replica_healthy{runtime_name="pass/head",executor="pass"} == 1');
      return healthy.length === 2;
    });
    await seriesValue('weft_replica_healthy{runtime_name="gateway",executor="measured"}', 1);
    const bytes = await seriesValue('jina_received_request_bytes_count{runtime_name="pass/head"}');
    assert.ok(bytes >= INDEXED + 8);
  });

  it('measures dynamic batching: batch sizes and the queue depth', async () => {
    const docs = await seriesValue('sum(weft_dynamic_batch_size_sum{executor="measured",executor_endpoint="/encode"})');
    assert.equal(docs, 8);
    const batches = await seriesValue(
      'sum(weft_dynamic_batch_size_count{executor="measured",executor_endpoint="/encode"})',
    );
    assert.ok(batches < 8, `8 concurrent requests shared batches (${batches} batches)`);
    await seriesValue('weft_dynamic_batching_queue_depth{executor="measured",executor_endpoint="/encode"}', 0);
  });

  it("exports the executor's own metrics (@monitor and this.metrics) and process metrics", async () => {
    await seriesValue('measured_indexed_total{kind="text"}', 2 * INDEXED);
    await seriesValue('measured_weigh_seconds_count{runtime_name="measured/rep-0",executor="measured"}', 2 * INDEXED);
    const rss = await seriesValue('process_resident_memory_bytes{runtime_name="gateway"}');
    assert.ok(rss > 0);
  });

  it('every PromQL expression of the Grafana dashboard returns data', async () => {
    const dashboard = grafanaDashboard() as { panels: { title: string; targets: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, expr: t.expr })));
    assert.ok(exprs.length >= 10);
    for (const { panel, expr } of exprs) {
      await prometheus.until(deadline, `data for '${expr}' (panel '${panel}')`, async () => {
        return (await prometheus.query(expr)).length > 0;
      });
    }
  });
});
