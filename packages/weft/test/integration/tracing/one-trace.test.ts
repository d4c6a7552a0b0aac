// Acceptance (issue #9): one request from the Client to a three-executor Flow with `tracing: true` (real
// processes; the middle executor has two shards behind a head) is one trace: client → gateway → each executor in
// order, through the head to both shards, with parent/child links, received by an in-process OTLP/HTTP receiver.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Client, DocumentArray, type EndpointArgs, Executor, Flow, requests } from '../../../src/index.js';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './otlp-receiver.js';

export class Tag extends Executor {
  @requests()
  tag({ docs }: EndpointArgs): void {
    for (const d of docs) d.tags[this.metas.name] = true;
  }
}

export class TagWithSpan extends Executor {
  @requests()
  tag({ docs }: EndpointArgs): void {
    const span = this.tracer.startSpan('rank documents');
    for (const d of docs) d.tags[this.metas.name] = true;
    span.end();
  }
}

const SERVER = 2;
const CLIENT = 3;

describe('tracing: one trace per request', () => {
  let receiver: OtlpReceiver;
  let flow: Flow;
  let provider: BasicTracerProvider;

  before(async () => {
    receiver = await startOtlpReceiver();
    flow = await new Flow({
      protocol: ['grpc', 'http', 'websocket'],
      tracing: true,
      tracesExporterHost: '127.0.0.1',
      tracesExporterPort: receiver.port,
      env: { OTEL_BSP_SCHEDULE_DELAY: '50' },
    })
      .add({ name: 'first', uses: Tag })
      .add({ name: 'sharded', uses: Tag, shards: 2, polling: 'ALL' })
      .add({ name: 'last', uses: TagWithSpan })
      .start();
    provider = new BasicTracerProvider({
      spanProcessors: [
        new SimpleSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${receiver.port}/v1/traces` })),
      ],
    });
  });

  const url = (protocol: string): string => flow.endpoints.find((e) => e.protocol === protocol)?.url as string;

  after(async () => {
    await flow?.close();
    await provider?.shutdown();
    await receiver?.close();
  });

  it('covers the client, the gateway, the head and every executor, linked parent to child', async () => {
    const client = new Client({
      host: flow.endpoints[0]?.url,
      tracer: provider.getTracer('test'),
      showProgress: false,
    });
    const docs = await client.post('/', DocumentArray.empty(2));
    await client.close();
    assert.equal(docs.length, 2);
    assert.deepEqual(Object.keys(docs.at(0)?.tags ?? {}).sort(), ['first', 'last', 'sharded']);

    await receiver.until((spans) => spans.some((s) => s.name === 'client /'));
    const root = receiver.spans.find((s) => s.name === 'client /') as ReceivedSpan;
    const inTrace = (): ReceivedSpan[] => receiver.spans.filter((s) => s.traceId === root.traceId);
    // each process exports its own spans: wait for the last of every runtime's
    const expected = [
      'gateway /',
      'executor first/rep-0 /',
      'head sharded',
      'executor sharded/shard-0/rep-0 /',
      'executor sharded/shard-1/rep-0 /',
      'executor last/rep-0 /',
      'rank documents',
    ];
    await receiver.until(() => expected.every((n) => inTrace().some((s) => s.name === n)));
    const spans = inTrace();
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const parentOf = (s: ReceivedSpan): ReceivedSpan | undefined => byId.get(s.parentSpanId);
    const one = (test: (s: ReceivedSpan) => boolean, what: string): ReceivedSpan => {
      const found = spans.filter(test);
      assert.equal(found.length, 1, `${what}: ${found.length} spans; all: ${spans.map((s) => s.name).join(', ')}`);
      return found[0] as ReceivedSpan;
    };

    assert.equal(root.kind, CLIENT);
    assert.equal(root.parentSpanId, '');
    const gateway = one((s) => s.service === 'gateway' && s.kind === SERVER, 'gateway span');
    assert.equal(gateway.parentSpanId, root.spanId);
    assert.equal(gateway.attributes['weft.protocol'], 'grpc');

    const executorSpan = (name: string): ReceivedSpan[] =>
      spans.filter(
        (s) => s.kind === SERVER && s.attributes['weft.runtime'] === 'worker' && s.name.includes(` ${name}/`),
      );
    const viaCall = (s: ReceivedSpan, target: string, caller: ReceivedSpan): void => {
      const call = parentOf(s);
      assert.ok(call, `${s.name} has a parent in the trace`);
      assert.equal(call.kind, CLIENT);
      assert.equal(call.attributes['weft.target'], target);
      assert.equal(call.parentSpanId, caller.spanId, `${call.name} is a child of ${caller.name}`);
    };

    const [first] = executorSpan('first');
    const [last] = executorSpan('last');
    assert.ok(first && last);
    viaCall(first, 'first', gateway);
    viaCall(last, 'last', gateway);

    // the sharded executor: gateway → call → head → call per shard → each shard's executor span
    const head = one((s) => s.attributes['weft.runtime'] === 'head', 'head span');
    viaCall(head, 'sharded', gateway);
    const shards = executorSpan('sharded');
    assert.equal(shards.length, 2, 'both shards (polling ALL) are in the trace');
    for (const s of shards) {
      const call = parentOf(s) as ReceivedSpan;
      assert.equal(call.kind, CLIENT);
      assert.equal(call.parentSpanId, head.spanId);
    }

    // executor code's own span is a child of its executor's span
    const own = one((s) => s.name === 'rank documents', "the executor's own span");
    assert.equal(own.parentSpanId, last.spanId);

    // in order: each executor starts after the one before has ended
    const shardStart = shards.map((s) => s.startNs).reduce((a, b) => (a < b ? a : b));
    const shardEnd = shards.map((s) => s.endNs).reduce((a, b) => (a > b ? a : b));
    assert.ok(first.endNs <= shardStart, 'first ends before the shards start');
    assert.ok(shardEnd <= last.startNs, 'the shards end before last starts');
    assert.ok(gateway.startNs <= first.startNs && last.endNs <= gateway.endNs, 'the gateway span encloses them all');
  });

  for (const protocol of ['http', 'websocket']) {
    it(`carries the client's traceparent over ${protocol}`, async () => {
      const endpoint = `/${protocol}-call`;
      const client = new Client({ host: url(protocol), tracer: provider.getTracer('test'), showProgress: false });
      await client.post(endpoint, DocumentArray.empty(1));
      await client.close();
      const gatewayOf = (root: ReceivedSpan | undefined): ReceivedSpan | undefined =>
        receiver.spans.find((s) => s.service === 'gateway' && s.kind === SERVER && s.parentSpanId === root?.spanId);
      const rootSpan = (): ReceivedSpan | undefined => receiver.spans.find((s) => s.name === `client ${endpoint}`);
      await receiver.until(() => gatewayOf(rootSpan()) !== undefined);
      const gateway = gatewayOf(rootSpan()) as ReceivedSpan;
      assert.equal(gateway.traceId, rootSpan()?.traceId);
      assert.equal(gateway.attributes['weft.protocol'], protocol);
      assert.equal(gateway.attributes['weft.endpoint'], endpoint);
    });
  }
});
