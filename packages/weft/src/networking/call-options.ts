/**
 * The options of one call to a runtime (timeout, deadline, metadata, trailers), shared by the gRPC and the native
 * transport so both read them the same way.
 */
import { Metadata } from '@grpc/grpc-js';

export interface CallOptions {
  /** Fail with `DeadlineExceededError` when no answer arrived within this many ms. */
  timeoutMs?: number;
  /** Absolute deadline (epoch ms); the earlier of this and `timeoutMs` applies. */
  deadline?: number;
  /** gRPC metadata sent with the call. */
  metadata?: Metadata | Record<string, string>;
  /** Receives the answer's trailing metadata (e.g. `is-error`, a head's `failed_shards`). */
  onTrailers?: (trailers: Metadata) => void;
}

/** The call's deadline as epoch ms (Infinity: none). */
export function deadlineOf(options: Pick<CallOptions, 'timeoutMs' | 'deadline'>): number {
  const fromTimeout =
    options.timeoutMs !== undefined && options.timeoutMs >= 0 ? Date.now() + options.timeoutMs : Infinity;
  return Math.min(fromTimeout, options.deadline ?? Infinity);
}

/** Call metadata as grpc-js Metadata (which checks the keys). */
export function toMetadata(m: CallOptions['metadata']): Metadata {
  if (m instanceof Metadata) return m;
  const md = new Metadata();
  if (m) for (const [k, v] of Object.entries(m)) md.set(k, v);
  return md;
}
