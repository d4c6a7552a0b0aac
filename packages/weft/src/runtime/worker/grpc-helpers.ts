/**
 * gRPC request metadata as the flat record an executor sees. (Errors become gRPC statuses through the one
 * `serviceErrorFrom` in networking/.)
 */
import type { Metadata } from '@grpc/grpc-js';

/** gRPC metadata as `key → value`; binary (`-bin`) values as base64, repeated keys joined with ', '. */
export function flatMetadata(metadata: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, values] of Object.entries(metadata.toJSON())) {
    out[key] = values.map((v) => (typeof v === 'string' ? v : Buffer.from(v).toString('base64'))).join(', ');
  }
  return out;
}
