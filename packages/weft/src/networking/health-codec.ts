/**
 * The one codec of `grpc.health.v1.Health`'s two tiny messages (`HealthCheckRequest { string service = 1; }`,
 * `HealthCheckResponse { ServingStatus status = 1; }`), written by hand so that neither readiness probes (the
 * client's `HEALTH_CHECK_METHOD`) nor the runtimes' health service (`runtime/server`) need proto-loader or a
 * `.proto` file at run time: the `grpc-health-check` package parses `health.proto` with protobufjs when
 * imported, which cost every runtime process tens of milliseconds at start-up.
 */
import type { MethodDefinition } from '@grpc/grpc-js';
import { encodeMessage, ProtoReader, stringFieldSize } from '../wire/index.js';
import { asBuffer, HEALTH_SERVICE_NAME } from './jina-services.js';

/** `HealthCheckResponse.ServingStatus`. */
export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

const STATUS_NAMES: readonly ServingStatus[] = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

export interface HealthCheckRequest {
  service: string;
}

export function encodeHealthCheckRequest(req: HealthCheckRequest): Uint8Array {
  return encodeMessage(
    req,
    (v) => (v.service ? stringFieldSize(1, v.service) : 0),
    (w, v) => {
      if (v.service) w.stringField(1, v.service);
    },
  );
}

export function decodeHealthCheckRequest(bytes: Uint8Array): HealthCheckRequest {
  const r = new ProtoReader(bytes);
  let service = '';
  while (r.pos < r.len) {
    const tag = r.tag();
    if (tag === 0x0a) service = r.string();
    else r.skipTag(tag);
  }
  return { service };
}

/** proto3: the default UNKNOWN encodes as nothing. */
export function encodeHealthCheckResponse(status: ServingStatus): Uint8Array {
  const n = STATUS_NAMES.indexOf(status);
  return n <= 0 ? new Uint8Array(0) : Uint8Array.of(0x08, n);
}

export function decodeHealthCheckResponse(bytes: Uint8Array): ServingStatus {
  const r = new ProtoReader(bytes);
  let status = 0;
  while (r.pos < r.len) {
    const tag = r.tag();
    if (tag === 0x08) status = r.uint32();
    else r.skipTag(tag);
  }
  return STATUS_NAMES[status] ?? 'UNKNOWN';
}

/** The client-side definition of `grpc.health.v1.Health/Check`. */
export const HEALTH_CHECK_METHOD: MethodDefinition<HealthCheckRequest, ServingStatus> = {
  path: `/${HEALTH_SERVICE_NAME}/Check`,
  requestStream: false,
  responseStream: false,
  requestSerialize: (v) => asBuffer(encodeHealthCheckRequest(v)),
  requestDeserialize: decodeHealthCheckRequest,
  responseSerialize: (v) => asBuffer(encodeHealthCheckResponse(v)),
  responseDeserialize: decodeHealthCheckResponse,
};
