/**
 * The transport a Client speaks: one interface, one file per protocol (grpc, http, websocket), and a registry
 * so protocols are plug-ins. A transport moves DataRequests to a gateway and back; the Client does batching,
 * callbacks, ordering and error policy on top.
 */
import { BadArgumentError, type Status } from '../errors/index.js';
import type { DataRequest, JinaInfo, SingleDocumentRequest } from '../request/index.js';
import type { ClientTlsOptions } from './tls.js';

export interface TransportTarget {
  host: string;
  port: number;
  tls: boolean;
  /** With `tls`: how the gateway's certificate is trusted (default: Node's CAs and NODE_EXTRA_CA_CERTS). */
  tlsOptions?: ClientTlsOptions;
  /** Headers (gRPC metadata) sent on every call, under those of the call itself (the token's `authorization`). */
  headers?: Readonly<Record<string, string>>;
}

export interface StreamCallOptions {
  /** Per-request timeout in ms. */
  timeoutMs?: number;
  /** Extra headers/metadata. */
  headers?: Record<string, string>;
  /** Max requests sent and not yet answered (default: gRPC 1000, HTTP 16, WebSocket unlimited). */
  prefetch?: number;
  /** Aborted when the Client gives up on the call (a request over its timeout): end it and free its resources. */
  signal?: AbortSignal;
}

export interface Transport {
  readonly protocol: string;
  /**
   * Send requests and yield answers as they arrive (any order). A transport failure ends the iteration with a
   * `WeftError` (`UnavailableError`, `DeadlineExceededError`…).
   */
  stream(requests: AsyncIterable<DataRequest>, options: StreamCallOptions): AsyncIterable<DataRequest>;
  /**
   * One document to a streaming endpoint; its answers (one document each, or a last one with an in-band error
   * status) as they arrive. Ending the iteration early, or aborting `signal`, stops the stream. Absent when the
   * protocol has no streaming endpoints (Jina's WebSocket gateway has none).
   */
  streamDoc?(req: SingleDocumentRequest, options: StreamCallOptions): AsyncIterable<SingleDocumentRequest>;
  /** True when the gateway answers its health check. */
  isReady(timeoutMs: number): Promise<boolean>;
  dryRun(timeoutMs: number): Promise<Status>;
  status(timeoutMs: number): Promise<JinaInfo>;
  close(): Promise<void>;
}

export type TransportFactory = (target: TransportTarget) => Transport;

const transports = new Map<string, TransportFactory>();

/** Make a protocol available to `new Client({ protocol })`. */
export function registerTransport(protocol: string, factory: TransportFactory): void {
  transports.set(protocol, factory);
}

export function resolveTransport(protocol: string, target: TransportTarget): Transport {
  const f = transports.get(protocol);
  if (!f) {
    throw new BadArgumentError(
      `unknown client protocol '${protocol}'; available: ${[...transports.keys()].join(', ')}`,
    );
  }
  return f(target);
}
