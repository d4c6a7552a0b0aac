/**
 * gRPC's standard health service (`grpc.health.v1.Health`: `Check` and `Watch`) for every runtime. Its two messages
 * have one field each, so they are coded by hand: the `grpc-health-check` package parses `health.proto` with
 * protobufjs when imported, which costs every runtime process tens of milliseconds at start-up for nothing.
 * Behaviour follows that package (and the health-checking protocol): `Check` of an unknown service is NOT_FOUND,
 * `Watch` answers the current status at once (SERVICE_UNKNOWN when unknown) and again on every change.
 */
import { Metadata, type Server, type ServerWritableStream, type ServiceError, status } from '@grpc/grpc-js';
import { ProtoReader } from '../../wire/index.js';
import { asBuffer, HEALTH_SERVICE_NAME } from './service-definitions.js';

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

const STATUS_NUMBER: Record<ServingStatus, number> = { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 };

/** `HealthCheckRequest { string service = 1; }` → the service name ('' for the whole server). */
export function decodeHealthCheckRequest(bytes: Uint8Array): string {
  const r = new ProtoReader(bytes);
  let service = '';
  while (r.pos < r.len) {
    const tag = r.tag();
    if (tag === ((1 << 3) | 2)) service = r.string();
    else r.skipTag(tag);
  }
  return service;
}

/** `HealthCheckResponse { ServingStatus status = 1; }` (proto3: the default UNKNOWN encodes as nothing). */
export function encodeHealthCheckResponse(s: ServingStatus): Buffer {
  const n = STATUS_NUMBER[s];
  return n === 0 ? Buffer.alloc(0) : Buffer.from([0x08, n]);
}

const identity = (b: Buffer): Buffer => b;
const method = (name: string, responseStream: boolean) => ({
  path: `/${HEALTH_SERVICE_NAME}/${name}`,
  requestStream: false,
  responseStream,
  requestSerialize: asBuffer,
  requestDeserialize: identity,
  responseSerialize: asBuffer,
  responseDeserialize: identity,
});

export const healthServiceDefinition = { Check: method('Check', false), Watch: method('Watch', true) };

/** The health service of one runtime: `setStatus` per service name, `addToServer` once before binding. */
export class HealthService {
  readonly #statuses = new Map<string, ServingStatus>();
  readonly #watchers = new Map<string, Set<ServerWritableStream<Buffer, Buffer>>>();

  constructor(initial: Record<string, ServingStatus> = {}) {
    for (const [service, s] of Object.entries(initial)) this.#statuses.set(service, s);
  }

  setStatus(service: string, s: ServingStatus): void {
    this.#statuses.set(service, s);
    for (const call of this.#watchers.get(service) ?? []) call.write(encodeHealthCheckResponse(s));
  }

  addToServer(server: Server): void {
    server.addService(healthServiceDefinition, {
      Check: (call: { request: Buffer }, callback: (err: ServiceError | null, value?: Buffer) => void) => {
        let service: string;
        try {
          service = decodeHealthCheckRequest(call.request);
        } catch (err) {
          callback(serviceError(status.INVALID_ARGUMENT, `malformed HealthCheckRequest: ${(err as Error).message}`));
          return;
        }
        const s = this.#statuses.get(service);
        if (s === undefined) callback(serviceError(status.NOT_FOUND, `health status of '${service}' is unknown`));
        else callback(null, encodeHealthCheckResponse(s));
      },
      Watch: (call: ServerWritableStream<Buffer, Buffer>) => {
        let service: string;
        try {
          service = decodeHealthCheckRequest(call.request);
        } catch (err) {
          call.emit(
            'error',
            serviceError(status.INVALID_ARGUMENT, `malformed HealthCheckRequest: ${(err as Error).message}`),
          );
          return;
        }
        let set = this.#watchers.get(service);
        if (!set) this.#watchers.set(service, (set = new Set()));
        set.add(call);
        call.on('cancelled', () => set.delete(call));
        call.write(encodeHealthCheckResponse(this.#statuses.get(service) ?? 'SERVICE_UNKNOWN'));
      },
    });
  }
}

function serviceError(code: status, details: string): ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new Metadata() });
}
