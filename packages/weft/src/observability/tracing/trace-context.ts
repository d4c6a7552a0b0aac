/**
 * W3C trace context (`traceparent`, `tracestate`) read from and written to call headers without the generic
 * propagator's carrier walk: the tracing bridge does this once per hop, and a `traceparent` is one fixed-layout
 * string (`00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`). Anything that is not a valid version-00 header is
 * ignored, as the W3C propagator would.
 *
 * @example
 * const parent = remoteParent({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
 * const header = traceparentOf(span.spanContext());
 */
import { createTraceState, type SpanContext, TraceFlags } from '@opentelemetry/api';

/** Version, trace id, span id, flags; a version after 00 may carry more fields. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO32 = '0'.repeat(32);
const ZERO16 = '0'.repeat(16);

/** The remote span context in `headers` (keys lower-cased), or undefined when there is no valid `traceparent`. */
export function remoteParent(headers: Readonly<Record<string, string>>): SpanContext | undefined {
  const tp = headers.traceparent;
  if (tp === undefined) return undefined;
  const m = TRACEPARENT.exec(tp.trim());
  if (m === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [string, string, string, string, string, string?];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO32 || spanId === ZERO16) return undefined;
  const ctx: SpanContext = {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  const ts = headers.tracestate;
  if (ts) ctx.traceState = createTraceState(ts);
  return ctx;
}

/** The `traceparent` header naming `ctx` as the parent. */
export function traceparentOf(ctx: SpanContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-0${(ctx.traceFlags & TraceFlags.SAMPLED).toString(16)}`;
}
