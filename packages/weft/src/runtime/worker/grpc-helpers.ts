/**
 * Small gRPC conversions the worker's handlers share: request metadata as a flat record for the executor,
 * weft errors as gRPC statuses (with a `weft-error-code` trailer), and the `is-error` trailer of in-band errors.
 */
import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { WeftError } from '../../errors/index.js';

/** gRPC metadata as `key → value`; binary (`-bin`) values as base64, repeated keys joined with ', '. */
export function flatMetadata(metadata: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, values] of Object.entries(metadata.toJSON())) {
    out[key] = values.map((v) => (typeof v === 'string' ? v : Buffer.from(v).toString('base64'))).join(', ');
  }
  return out;
}

/** Trailing metadata of an answer that carries an executor error in-band (Jina's `is-error: true`). */
export function isErrorTrailer(): Metadata {
  const md = new Metadata();
  md.set('is-error', 'true');
  return md;
}

/**
 * A gRPC error status for `err`: a `WeftError` travels as its own status code (a malformed request as
 * INVALID_ARGUMENT, …), anything else as `fallback`. `context` prefixes the details.
 */
export function toServiceError(err: unknown, context: string, fallback: status = status.INTERNAL): ServiceError {
  const metadata = new Metadata();
  let code = fallback;
  let message = err instanceof Error ? err.message : String(err);
  if (err instanceof WeftError) {
    code = err.grpcStatus as status;
    metadata.set('weft-error-code', err.code);
    message = `${err.code}: ${message}`;
  }
  const details = `${context}: ${message}`;
  return Object.assign(new Error(details), { code, details, metadata });
}

/** The UNAVAILABLE status a draining worker answers new calls with (clients may retry on another replica). */
export function shuttingDown(name: string): ServiceError {
  const details = `worker ${name} is shutting down and accepts no new requests`;
  const metadata = new Metadata();
  metadata.set('weft-error-code', 'WEFT_UNAVAILABLE');
  return Object.assign(new Error(details), { code: status.UNAVAILABLE, details, metadata });
}
