/**
 * The gateway interceptor that applies `GatewayLimits` to every client request, on every protocol: header bytes,
 * documents per request, requests in flight in total and per connection. A refusal throws a coded error before
 * the request reaches the Flow (so the metrics bridge counts it by code); back-pressure refusals are retryable.
 * Nothing queues: a request over a concurrency limit is answered at once.
 */
import { LimitExceededError, OverloadedError, TooManyRequestsError } from '../errors/index.js';
import type { Interceptor } from '../interceptors/index.js';
import type { DataRequest } from '../request/index.js';
import { documentCount } from './doc-count.js';
import { type GatewayLimits, RETRY_AFTER_SECONDS } from './gateway-limits.js';

/** What the interceptor reads of a gateway request (a subset of the gateway's context). */
export interface LimitedRequest {
  readonly gateway: string;
  readonly headers: Readonly<Record<string, string>>;
  /** What identifies the client's connection (a socket, a gRPC peer), when the protocol says. */
  readonly connection?: unknown;
  request: DataRequest;
}

/**
 * The interceptor for `limits`.
 * @example gateway.use(limitsInterceptor(resolveLimits({ maxDocs: 100 })))
 */
export function limitsInterceptor(limits: GatewayLimits): Interceptor<LimitedRequest> {
  let inFlight = 0;
  const perConnection = new Map<unknown, number>();
  return async (ctx, next) => {
    if (limits.maxHeaderBytes > 0) checkHeaders(ctx, limits.maxHeaderBytes);
    if (limits.maxDocs > 0) {
      const n = documentCount(ctx.request);
      if (n > limits.maxDocs) {
        throw new LimitExceededError(
          `a request carries ${n} documents, over the gateway ${ctx.gateway}'s limit of ${limits.maxDocs} (limits.maxDocs); send fewer per request (the Client's requestSize)`,
          { details: { limit: 'maxDocs', max: limits.maxDocs, actual: n } },
        );
      }
    }
    if (limits.maxConcurrent > 0 && inFlight >= limits.maxConcurrent) {
      throw new OverloadedError(
        `gateway ${ctx.gateway} has ${inFlight} requests in flight, its limit (limits.maxConcurrent); retry in a moment`,
        { details: { limit: 'maxConcurrent', max: limits.maxConcurrent, retryAfterSeconds: RETRY_AFTER_SECONDS } },
      );
    }
    const conn = limits.maxConcurrentPerConnection > 0 ? ctx.connection : undefined;
    const mine = conn === undefined ? 0 : (perConnection.get(conn) ?? 0);
    if (conn !== undefined && mine >= limits.maxConcurrentPerConnection) {
      throw new TooManyRequestsError(
        `this connection has ${mine} requests in flight at gateway ${ctx.gateway}, its limit (limits.maxConcurrentPerConnection); wait for answers before sending more`,
        {
          details: {
            limit: 'maxConcurrentPerConnection',
            max: limits.maxConcurrentPerConnection,
            retryAfterSeconds: RETRY_AFTER_SECONDS,
          },
        },
      );
    }
    inFlight++;
    if (conn !== undefined) perConnection.set(conn, mine + 1);
    try {
      await next();
    } finally {
      inFlight--;
      if (conn !== undefined) {
        const left = (perConnection.get(conn) ?? 1) - 1;
        if (left > 0) perConnection.set(conn, left);
        else perConnection.delete(conn);
      }
    }
  };
}

function checkHeaders(ctx: LimitedRequest, max: number): void {
  let bytes = 0;
  for (const k in ctx.headers) bytes += k.length + (ctx.headers[k] as string).length;
  if (bytes > max) {
    throw new LimitExceededError(
      `the request's headers are ${bytes} bytes, over the gateway ${ctx.gateway}'s limit of ${max} (limits.maxHeaderBytes)`,
      { details: { limit: 'maxHeaderBytes', max, actual: bytes } },
    );
  }
}
