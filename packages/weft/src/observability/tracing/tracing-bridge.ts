/**
 * The OpenTelemetry tracing bridge, imported (lazily, by `startTelemetry`) only in a runtime started with
 * `tracing: true`: an OTLP/HTTP exporter, W3C trace context, and the spans of one request:
 *
 * - gateway: a SERVER span per client request (child of the client's `traceparent`, when it sent one), then a
 *   CLIENT span per call to an executor (or head);
 * - head: a SERVER span per request, a CLIENT span per call to a shard;
 * - worker: a SERVER span per executor call; executor code adds children through `this.tracer`.
 *
 * The context travels as a `traceparent` entry of the call's metadata, which both the gRPC and the native
 * transport carry (the native frame's metadata block is empty, and costs nothing, when there is none).
 *
 * The request path is kept short (see `bench/observability*.bench.ts`): spans are exported as OTLP/HTTP protobuf
 * (OTLP's default, a third of JSON's bytes and cheaper to encode; `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json`
 * asks for JSON), `traceparent` is read and written directly
 * (`trace-context.ts`) rather than through the propagator's carrier walk, and the attributes of a span are built
 * once per runtime and endpoint where they do not change.
 */
import { Metadata } from '@grpc/grpc-js';
import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ExecutorContext } from '../../executor/index.js';
import { type Interceptor, registerInterceptor } from '../../interceptors/index.js';
import { type CallOptions, setCallHooks } from '../../networking/index.js';
import type { GatewayContext } from '../../runtime/gateway/index.js';
import { remoteParent, traceparentOf } from './trace-context.js';
import { setWeftTracer } from './tracer-handle.js';

/** The name runtimes list the tracing interceptor under. */
export const TRACING_INTERCEPTOR = 'weft:tracing';

export interface TracingBridgeOptions {
  /** `service.name` of the spans: `gateway`, `encoder/rep-0`, `encoder/head`… */
  serviceName: string;
  /** `http://host:4318/v1/traces`. */
  url: string;
}

/** Start exporting spans; resolves the returned `shutdown` once the last spans are sent. */
export function startTracing(options: TracingBridgeOptions): { tracer: Tracer; shutdown: () => Promise<void> } {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter(options.url))],
  });
  trace.setGlobalTracerProvider(provider);
  const tracer = trace.getTracer('weft');
  setWeftTracer(tracer);
  registerInterceptor(TRACING_INTERCEPTOR, tracingInterceptor(tracer));
  setCallHooks({
    outbound: (call, callOptions, run) => {
      const parent = context.active();
      if (trace.getSpan(parent) === undefined) return run(callOptions);
      const span = tracer.startSpan(
        `call ${call.target} ${call.method}`,
        { kind: SpanKind.CLIENT, attributes: { 'weft.target': call.target, 'rpc.method': call.method } },
        parent,
      );
      return settle(span, run(withTraceparent(callOptions, span)));
    },
    inbound: (call, serve) => {
      const parent = parentContext(flat(call.metadata));
      const span = tracer.startSpan(
        `head ${call.name}`,
        { kind: SpanKind.SERVER, attributes: { 'weft.runtime': 'head', 'weft.deployment': call.name } },
        parent,
      );
      return settle(span, context.with(trace.setSpan(parent, span), serve));
    },
  });
  return {
    tracer,
    shutdown: async () => {
      setCallHooks({});
      setWeftTracer(undefined);
      await provider.shutdown();
    },
  };
}

/** The context a request's SERVER span starts in: its caller's span when `headers` carry one, the root otherwise. */
function parentContext(headers: Readonly<Record<string, string>>): Context {
  const remote = remoteParent(headers);
  return remote === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, remote);
}

/** OTLP/HTTP protobuf, or JSON when the standard `OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL` says `http/json`. */
function exporter(url: string, env: NodeJS.ProcessEnv = process.env) {
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? '').trim();
  return protocol === 'http/json' ? new JsonTraceExporter({ url }) : new OTLPTraceExporter({ url });
}

/** One interceptor for both chains: a SERVER span around the request, the active context while it runs. */
function tracingInterceptor(tracer: Tracer): Interceptor<GatewayContext | ExecutorContext> {
  return async (ctx, next) => {
    const parent = parentContext(ctx.headers);
    const gateway = 'gateway' in ctx;
    const requestId = ctx.request?.header.requestId;
    const span = tracer.startSpan(
      gateway ? `gateway ${ctx.endpoint}` : `executor ${ctx.executor} ${ctx.endpoint}`,
      { kind: SpanKind.SERVER, attributes: gateway ? gatewayAttributes(ctx) : executorAttributes(ctx) },
      parent,
    );
    if (requestId) span.setAttribute('weft.request_id', requestId);
    try {
      await context.with(trace.setSpan(parent, span), next);
      if (gateway) {
        const status = ctx.response?.header.status;
        if (status && status.code !== 0) span.setStatus({ code: SpanStatusCode.ERROR, message: status.description });
      }
    } catch (err) {
      failed(span, err);
      throw err;
    } finally {
      span.end();
    }
  };
}

function settle<T>(span: Span, work: Promise<T>): Promise<T> {
  return work.then(
    (v) => {
      span.end();
      return v;
    },
    (err: unknown) => {
      failed(span, err);
      span.end();
      throw err;
    },
  );
}

function failed(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

type Attributes = Record<string, string | number>;
const gatewayAttrs = new Map<string, Attributes>();

/** A gateway span's attributes: the same object for every request of one protocol and endpoint. */
function gatewayAttributes(ctx: GatewayContext): Attributes {
  const key = `${ctx.protocol} ${ctx.endpoint}`;
  let a = gatewayAttrs.get(key);
  if (a === undefined) {
    a = { 'weft.runtime': 'gateway', 'weft.protocol': ctx.protocol, 'weft.endpoint': ctx.endpoint };
    if (gatewayAttrs.size < 1024) gatewayAttrs.set(key, a);
  }
  return a;
}

function executorAttributes(ctx: ExecutorContext): Attributes {
  return {
    'weft.runtime': 'worker',
    'weft.protocol': ctx.protocol,
    'weft.endpoint': ctx.endpoint,
    'weft.executor': ctx.executor,
    'weft.docs': ctx.docs.length,
  };
}

/** The call's options with `span` as the `traceparent` (and its `tracestate`) of its metadata. */
function withTraceparent(options: CallOptions, span: Span): CallOptions {
  const sc = span.spanContext();
  const traceparent = traceparentOf(sc);
  const tracestate = sc.traceState?.serialize();
  const m = options.metadata;
  if (m instanceof Metadata) {
    const copy = m.clone();
    copy.set('traceparent', traceparent);
    if (tracestate) copy.set('tracestate', tracestate);
    return { ...options, metadata: copy };
  }
  const metadata: Record<string, string> = m === undefined ? { traceparent } : { ...m, traceparent };
  if (tracestate) metadata.tracestate = tracestate;
  return { ...options, metadata };
}

function flat(m: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.getMap())) if (typeof v === 'string') out[k] = v;
  return out;
}
