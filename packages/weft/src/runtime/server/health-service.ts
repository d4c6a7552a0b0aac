/**
 * gRPC's standard health service (`grpc.health.v1.Health`: `Check` and `Watch`) of every runtime, over the one
 * hand-written health codec of `networking/`. Behaviour follows the `grpc-health-check` package (and the
 * health-checking protocol): `Check` of an unknown service is NOT_FOUND, `Watch` answers the current status at
 * once (SERVICE_UNKNOWN when unknown) and again on every change.
 */
import {
  Metadata,
  type MethodDefinition,
  type Server,
  type ServerWritableStream,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import {
  asBuffer,
  decodeHealthCheckRequest,
  encodeHealthCheckResponse,
  HEALTH_SERVICE_NAME,
  type ServingStatus,
} from '../../networking/index.js';

const identity = (b: Buffer): Buffer => b;
const method = (name: string, responseStream: boolean): MethodDefinition<Buffer, Uint8Array> => ({
  path: `/${HEALTH_SERVICE_NAME}/${name}`,
  requestStream: false,
  responseStream,
  requestSerialize: asBuffer,
  requestDeserialize: identity,
  responseSerialize: asBuffer,
  responseDeserialize: identity,
});

/** The server-side definition of `grpc.health.v1.Health` over raw bytes. */
export const healthServiceDefinition = { Check: method('Check', false), Watch: method('Watch', true) };

/** The health service of one runtime: `setStatus` per service name, `addToServer` once before binding. */
export class HealthService {
  readonly #statuses = new Map<string, ServingStatus>();
  readonly #watchers = new Map<string, Set<ServerWritableStream<Buffer, Uint8Array>>>();

  constructor(initial: Record<string, ServingStatus> = {}) {
    for (const [service, s] of Object.entries(initial)) this.#statuses.set(service, s);
  }

  setStatus(service: string, s: ServingStatus): void {
    this.#statuses.set(service, s);
    for (const call of this.#watchers.get(service) ?? []) call.write(encodeHealthCheckResponse(s));
  }

  /** Set every one of `services` (and the whole server, '') to `s`. */
  setAll(services: readonly string[], s: ServingStatus): void {
    for (const service of ['', ...services]) this.setStatus(service, s);
  }

  addToServer(server: Server): void {
    server.addService(healthServiceDefinition, {
      Check: (call: { request: Buffer }, callback: (err: ServiceError | null, value?: Uint8Array) => void) => {
        let service: string;
        try {
          service = decodeHealthCheckRequest(call.request).service;
        } catch (err) {
          callback(serviceError(status.INVALID_ARGUMENT, `malformed HealthCheckRequest: ${(err as Error).message}`));
          return;
        }
        const s = this.#statuses.get(service);
        if (s === undefined) callback(serviceError(status.NOT_FOUND, `health status of '${service}' is unknown`));
        else callback(null, encodeHealthCheckResponse(s));
      },
      Watch: (call: ServerWritableStream<Buffer, Uint8Array>) => {
        let service: string;
        try {
          service = decodeHealthCheckRequest(call.request).service;
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
