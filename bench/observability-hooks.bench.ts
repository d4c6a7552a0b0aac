/**
 * The observability hooks alone, in one process and without a network: what monitoring (the Prometheus bridge's
 * subscribers) and tracing (its interceptor and call hooks, exporting to an in-process OTLP/HTTP sink) add to one
 * request as the gateway handles it (a SERVER span, a CLIENT span per executor, the gateway and pool events) and as
 * a worker handles it (a SERVER span from the `traceparent`, the executor and runtime-call events). A no-op
 * request costs the same work in both columns, so the difference is the hooks' own CPU time per request, which a
 * loaded machine disturbs far less than the end-to-end throughput of `observability.bench.ts`.
 *
 * Rounds alternate between the bare path and the observed one in the same process (the bridges are installed once
 * and switched by unsubscribing, so both columns run the same code).
 */

import { createServer } from 'node:http';
import { DocumentArray } from '../packages/weft/src/document/index.js';
import { registeredInterceptor } from '../packages/weft/src/interceptors/index.js';
import { callHooks, setCallHooks } from '../packages/weft/src/networking/index.js';
import { channels } from '../packages/weft/src/observability/events.js';
import { PrometheusBridge } from '../packages/weft/src/observability/metrics/prometheus-bridge.js';
import { startTracing, TRACING_INTERCEPTOR } from '../packages/weft/src/observability/tracing/tracing-bridge.js';
import { DataRequest } from '../packages/weft/src/request/index.js';
import { round, table } from './lib.js';

const REQUESTS = 20_000;
const ROUNDS = 6;

const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200).end());
});
await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(sink.address() as { port: number }).port}/v1/traces`;

const request = new DataRequest({
  header: { requestId: 'hooks-bench', execEndpoint: '/index' },
  docs: new DocumentArray([{ id: 'doc-0001', text: 'a short sentence' }]),
});
const docs = request.docs;

/** One gateway request through two executors, as `Gateway.process` and the connection pools see it. */
async function gatewayRequest(intercept: ((ctx: never, next: () => Promise<void>) => Promise<void>) | undefined) {
  const observed = channels.gatewayRequestStart.hasSubscribers;
  const event = observed
    ? {
        gateway: 'gateway',
        protocol: 'grpc',
        endpoint: '/index',
        request,
        streaming: false,
        startedAt: performance.now(),
        response: undefined as DataRequest | undefined,
        durationMs: 0,
      }
    : undefined;
  if (event) channels.gatewayRequestStart.publish(event);
  const ctx = {
    gateway: 'gateway',
    protocol: 'grpc',
    endpoint: '/index',
    executor: undefined,
    headers: {},
    connection: undefined,
    streaming: false,
    request,
    response: undefined as DataRequest | undefined,
    state: {},
  };
  const graph = async () => {
    for (const target of ['noop0', 'noop1']) {
      const call = (o: unknown) => {
        const startedAt = channels.poolCall.hasSubscribers ? performance.now() : undefined;
        const answer = Promise.resolve(o);
        if (startedAt !== undefined) {
          channels.poolCall.publish({
            pool: target,
            address: '127.0.0.1:1',
            method: 'process_single_data',
            durationMs: performance.now() - startedAt,
            ok: true,
          });
        }
        return answer;
      };
      const hook = callHooks.outbound;
      await (hook ? hook({ target, method: 'process_single_data' }, {}, call) : call({}));
    }
    ctx.response = request;
  };
  if (intercept) await intercept(ctx as never, graph);
  else await graph();
  if (event) {
    event.durationMs = performance.now() - event.startedAt;
    event.response = ctx.response;
    channels.gatewayRequestEnd.publish(event);
  }
}

/** One executor call in a worker, as the request handler and the server kit see it. */
async function workerRequest(intercept: ((ctx: never, next: () => Promise<void>) => Promise<void>) | undefined) {
  const startedAt = performance.now();
  const observed = channels.executorRequestEnd.hasSubscribers;
  const ctx = {
    executor: 'noop0/rep-0',
    protocol: 'grpc',
    endpoint: '/index',
    request,
    headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    streaming: false,
    docs,
    parameters: {},
    result: undefined,
    yielded: 0,
    state: {},
  };
  const run = async () => {};
  if (intercept) await intercept(ctx as never, run);
  else await run();
  if (observed) {
    const durationMs = performance.now() - startedAt;
    channels.executorRequestEnd.publish({ ...ctx, docs: 1, startedAt, durationMs });
    channels.runtimeCall.publish({
      kind: 'worker',
      name: 'noop0/rep-0',
      method: 'process_single_data',
      requestBytes: 60,
      responseBytes: 80,
      durationMs,
      failed: false,
    });
  }
}

const tracing = startTracing({ serviceName: 'hooks-bench', url });
const intercept = registeredInterceptor(TRACING_INTERCEPTOR) as never;
const hooks = { outbound: callHooks.outbound, inbound: callHooks.inbound };
let bridge: PrometheusBridge | undefined;
const setObserved = (on: boolean) => {
  if (on) bridge ??= new PrometheusBridge('gateway', 'gateway');
  else {
    bridge?.close();
    bridge = undefined;
  }
  setCallHooks(on ? hooks : {});
};

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
type Side = 'gateway' | 'worker';
const totals = new Map<string, number>();
for (let r = 0; r < ROUNDS; r++) {
  for (const on of r % 2 ? [true, false] : [false, true]) {
    setObserved(on);
    for (const side of ['gateway', 'worker'] as Side[]) {
      const fn = side === 'gateway' ? gatewayRequest : workerRequest;
      const t0 = cpuUs();
      for (let i = 0; i < REQUESTS; i++) {
        await fn(on ? intercept : undefined);
        // let the span processor's timers and the exporter's sockets run, as a server's event loop would
        if (i % 256 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      const key = `${side} ${on ? 'on' : 'off'}`;
      if (r > 0) totals.set(key, (totals.get(key) ?? 0) + cpuUs() - t0);
    }
  }
}
const per = (k: string) => (totals.get(k) ?? 0) / (REQUESTS * (ROUNDS - 1));
table(`observability hooks: CPU per request, ${REQUESTS} requests x ${ROUNDS - 1} rounds (after a warm-up round)`, [
  ...(['gateway', 'worker'] as Side[]).map((side) => ({
    side,
    'bare us/req': round(per(`${side} off`), 2),
    'monitoring + tracing us/req': round(per(`${side} on`), 2),
    'hooks us/req': round(per(`${side} on`) - per(`${side} off`), 2),
  })),
]);
setObserved(false);
await tracing.shutdown();
sink.close();
