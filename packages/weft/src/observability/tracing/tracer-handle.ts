/**
 * The tracer executor code adds spans with (`this.tracer` in an Executor, or `weftTracer()`): the real
 * OpenTelemetry tracer once the runtime started tracing, a no-op one otherwise, so code that adds spans costs
 * (almost) nothing and loads no OpenTelemetry package when tracing is off.
 *
 * @example
 * const span = weftTracer().startSpan('load model');
 * try { await load(); } finally { span.end(); }
 */
import type { Span, SpanContext, Tracer } from '@opentelemetry/api';

let active: Tracer | undefined;

/** Installed by the tracing bridge when a runtime starts tracing (undefined: back to the no-op tracer). */
export function setWeftTracer(tracer: Tracer | undefined): void {
  active = tracer;
}

/** Whether this process exports spans. */
export function tracingActive(): boolean {
  return active !== undefined;
}

const INVALID: SpanContext = { traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 };

const noopSpan: Span = {
  spanContext: () => INVALID,
  setAttribute: () => noopSpan,
  setAttributes: () => noopSpan,
  addEvent: () => noopSpan,
  addLink: () => noopSpan,
  addLinks: () => noopSpan,
  setStatus: () => noopSpan,
  updateName: () => noopSpan,
  end: () => undefined,
  isRecording: () => false,
  recordException: () => undefined,
};

const noopTracer = {
  startSpan: () => noopSpan,
  startActiveSpan: (_name: string, ...rest: unknown[]) => {
    const fn = rest.at(-1) as (span: Span) => unknown;
    return fn(noopSpan);
  },
} as unknown as Tracer;

/** The tracer of this runtime (a no-op one when tracing is off). */
export function weftTracer(): Tracer {
  return active ?? noopTracer;
}
