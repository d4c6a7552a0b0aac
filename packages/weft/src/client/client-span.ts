/**
 * The Client's span: with a `tracer` (`new Client({ tracer })`), each `post`, `stream` and `streamDoc` is a
 * CLIENT span whose W3C `traceparent` travels in the call's headers (gRPC metadata, HTTP headers, the WebSocket
 * upgrade), so the gateway's span and every executor's become its children. `@opentelemetry/*` is imported only
 * when a tracer is given.
 */
import type { Span, Tracer } from '@opentelemetry/api';

export interface ClientSpan {
  /** The call's headers with `traceparent` (and `tracestate`) added. */
  headers: Record<string, string>;
  /** End the span (failed when `error` is given). */
  end(error?: unknown): void;
}

/** Start the span of one call to `endpoint`. */
export async function startClientSpan(
  tracer: Tracer,
  endpoint: string,
  protocol: string,
  headers: Record<string, string> | undefined,
): Promise<ClientSpan> {
  const [{ context, SpanKind, SpanStatusCode, trace }, { W3CTraceContextPropagator }] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/core'),
  ]);
  const span: Span = tracer.startSpan(`client ${endpoint}`, {
    kind: SpanKind.CLIENT,
    attributes: { 'weft.protocol': protocol, 'weft.endpoint': endpoint },
  });
  const carrier: Record<string, string> = { ...headers };
  new W3CTraceContextPropagator().inject(trace.setSpan(context.active(), span), carrier, {
    set: (c, k, v) => {
      c[k] = v;
    },
  });
  return {
    headers: carrier,
    end: (error) => {
      if (error !== undefined) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      }
      span.end();
    },
  };
}
