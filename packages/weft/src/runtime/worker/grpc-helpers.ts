/**
 * Small gRPC conversions of the worker's calls: request metadata as a flat record for the executor, and weft
 * errors as gRPC statuses (with a `weft-error-code` trailer and the code in the details).
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
