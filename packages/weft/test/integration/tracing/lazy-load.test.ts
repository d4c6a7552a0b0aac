// The OpenTelemetry packages load only in runtimes started with tracing (or OTLP metrics) on: a Deployment's
// worker serving a request without `tracing` resolves no `@opentelemetry/*` package; with it, it does (so the
// check can fail). An import hook in the worker process (NODE_OPTIONS --import) records what it resolves.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Deployment, DocumentArray, type EndpointArgs, Executor, requests } from '../../../src/index.js';
import { startOtlpReceiver } from './otlp-receiver.js';

export class Echo extends Executor {
  @requests()
  echo({ docs }: EndpointArgs): void {
    for (const d of docs) d.text = 'seen';
  }
}

const dir = mkdtempSync(join(tmpdir(), 'weft-lazy-otel-'));
const spy = pathToFileURL(join(import.meta.dirname, 'fixtures', 'import-spy.mjs')).href;

async function resolvedBy(options: { tracing?: boolean }, file: string, port: number): Promise<string> {
  const d = new Deployment({
    uses: Echo,
    ...options,
    tracesExporterPort: port,
    env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${spy}`.trim(), WEFT_IMPORT_SPY_FILE: file },
  });
  await d.start();
  try {
    const docs = await d.post('/', DocumentArray.empty(1));
    assert.equal(docs.at(0)?.text, 'seen');
  } finally {
    await d.close();
  }
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

describe('OpenTelemetry is loaded only when asked', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a worker without tracing resolves no @opentelemetry package; with tracing it does', async () => {
    const receiver = await startOtlpReceiver();
    try {
      assert.equal(await resolvedBy({}, join(dir, 'off.txt'), receiver.port), '');
      const on = await resolvedBy({ tracing: true }, join(dir, 'on.txt'), receiver.port);
      assert.match(on, /@opentelemetry\/sdk-trace-base/);
    } finally {
      await receiver.close();
    }
  });
});
