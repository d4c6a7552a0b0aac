/**
 * The context a gateway interceptor sees: one per client request, whatever the protocol (gRPC, HTTP, WebSocket,
 * GraphQL all call `Gateway.process` / `Gateway.streamDoc` with the protocol's name and the request's headers).
 * Built only when the gateway has interceptors or somebody subscribes to the gateway events.
 *
 * @example
 * const requireToken: GatewayInterceptor = async (ctx, next) => {
 *   if (ctx.headers.authorization !== 'Bearer s3cr3t') throw new BadRequestError('no valid token');
 *   await next();
 * };
 */
import type { Interceptor } from '../../interceptors/index.js';
import type { DataRequest } from '../../request/index.js';

/** What a protocol tells the gateway about a request besides the request itself. */
export interface RequestInfo {
  /** `grpc`, `http`, `websocket`, `graphql` (default `in-process`: a call from code). */
  protocol?: string;
  /** HTTP headers, gRPC metadata or the WebSocket upgrade's headers (see `inboundHeaders`). */
  headers?: Readonly<Record<string, string>>;
  /** What identifies the client's connection (its socket, a gRPC peer): per-connection limits count by it. */
  connection?: unknown;
}

export interface GatewayContext {
  /** The gateway's name. */
  readonly gateway: string;
  readonly protocol: string;
  /** The executor endpoint asked for (`/default` when the request names none). */
  readonly endpoint: string;
  /** The executor the request targets (`targetExecutor`), if it names one. */
  readonly executor: string | undefined;
  /** Inbound headers / metadata, keys lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  /** The client's connection as the protocol identifies it (a socket, a gRPC peer), when it says. */
  readonly connection: unknown;
  /** Whether it is a streaming call (`stream_doc`, SSE): `next()` resolves once the stream has ended. */
  readonly streaming: boolean;
  /** The request; an interceptor may change it (or replace it) before `next()`. */
  request: DataRequest;
  /**
   * The Flow's answer, after `next()` (ordinary requests). An interceptor may set it without calling `next()` to
   * answer itself; when nobody sets it the request is answered as it is.
   */
  response: DataRequest | undefined;
  /** Free for interceptors, to hand values to each other. */
  readonly state: Record<string, unknown>;
}

/** An interceptor around gateway requests. */
export type GatewayInterceptor = Interceptor<GatewayContext>;

/**
 * Headers as interceptors see them: keys lower-cased, several values joined with `, `, binary values (gRPC `-bin`
 * metadata) as base64.
 */
export function inboundHeaders(
  source: Readonly<Record<string, string | string[] | Buffer | number | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(source)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : Buffer.isBuffer(v) ? v.toString('base64') : String(v);
  }
  return out;
}

/**
 * What a protocol asks the gateway before it serves a call or opens a connection (`Gateway.admit`): every call
 * but the health checks, whether or not it carries a request (`_status`, `GET /status`, a WebSocket upgrade…).
 */
export interface Admission {
  protocol: string;
  /** The call's headers or metadata, as the protocol has them. */
  headers: Readonly<Record<string, string | string[] | Buffer | number | undefined>>;
  /** What is asked: `GET /status`, `/jina.JinaRPC/Call`, `WS /`. */
  call: string;
}

/**
 * A check a gateway runs on every admission (token authentication is one); it refuses by throwing a
 * `WeftError`, which the protocol answers with (401 / UNAUTHENTICATED / a WebSocket close).
 */
export type GatewayGuard = (admission: Admission) => void;
