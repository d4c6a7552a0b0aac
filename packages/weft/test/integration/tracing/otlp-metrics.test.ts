// OTLP metrics (`metrics: true`): a Deployment's worker pushes Jina's executor metrics to an OTLP/HTTP receiver.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Deployment, DocumentArray, type EndpointArgs, Executor, requests } from '../../../src/index.js';
import { startOtlpReceiver } from './otlp-receiver.js';

export class Count extends Executor {
  @requests()
  count({ docs }: EndpointArgs): void {
    for (const d of docs) d.text = 'counted';
  }
}

describe('OTLP metrics', () => {
  it("pushes Jina's executor metrics when metrics: true", async () => {
    const receiver = await startOtlpReceiver();
    const d = new Deployment({
      uses: Count,
      metrics: true,
      metricsExporterPort: receiver.port,
      env: { OTEL_METRIC_EXPORT_INTERVAL: '200' },
    });
    try {
      await d.start();
      const docs = await d.post('/', DocumentArray.empty(4));
      assert.equal(docs.at(0)?.text, 'counted');
      await receiver.untilMetric('jina_document_processed');
      await receiver.untilMetric('jina_process_request_seconds');
      for (const name of ['jina_receiving_request_seconds', 'jina_successful_requests']) {
        assert.ok(receiver.metrics.has(name), `${name} in ${[...receiver.metrics].join(', ')}`);
      }
    } finally {
      await d.close();
      await receiver.close();
    }
  });
});
