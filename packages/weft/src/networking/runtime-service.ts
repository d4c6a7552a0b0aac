/**
 * RuntimeService: what a weft runtime (worker, head, gateway) does with each unary Jina call, independent of the
 * transport that brought it. Messages come in as their protobuf bytes and leave as protobuf bytes plus trailers, or
 * as a gRPC-shaped error status; the gRPC services (`grpcUnaryHandlers`, the server kit's `Call` stream) and the
 * native port (`NativeServer`) all serve the same RuntimeService, so request handling exists once and every
 * transport answers alike.
 */
import {
  Metadata,
  type ServerUnaryCall,
  type ServiceError,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';

/** Per-call context: the caller's metadata and deadline (epoch ms). */
export interface ServiceContext {
  readonly metadata: Metadata;
  readonly deadline?: number;
  /** The caller's address as grpc-js names it (`ipv4:127.0.0.1:50123`): one per client connection. */
  readonly peer?: string;
}

/** An answer (protobuf bytes and trailers such as `is-error`), or the error status the call fails with. */
export type ServiceOutcome =
  | { bytes: Uint8Array; trailers?: Readonly<Record<string, string>>; error?: undefined }
  | { error: ServiceError };

export interface RuntimeService {
  /** `process_single_data`: DataRequestProto bytes in. */
  processSingleData(message: Buffer, ctx: ServiceContext): Promise<ServiceOutcome>;
  /** `process_data`: DataRequestListProto bytes in. */
  processData(message: Buffer, ctx: ServiceContext): Promise<ServiceOutcome>;
  /** `endpoint_discovery`: EndpointsProto bytes out. */
  endpointDiscovery(ctx: ServiceContext): Promise<ServiceOutcome>;
  /** `_status`: JinaInfoProto bytes out. */
  status(ctx: ServiceContext): Promise<ServiceOutcome>;
}

/** The trailers of an answer that carries an executor error in-band (Jina's `is-error: true`). */
export const IS_ERROR_TRAILERS: Readonly<Record<string, string>> = Object.freeze({ 'is-error': 'true' });

/** A server call's context: its metadata and, when it has one, its deadline. */
export function grpcContext(call: {
  metadata: Metadata;
  getDeadline(): Date | number;
  getPeer?(): string;
}): ServiceContext {
  const d = call.getDeadline();
  const deadline = d instanceof Date ? d.getTime() : d;
  const peer = call.getPeer?.();
  const base = peer === undefined ? { metadata: call.metadata } : { metadata: call.metadata, peer };
  return Number.isFinite(deadline) ? { ...base, deadline } : base;
}

/** Trailers as gRPC metadata (undefined when there are none). */
export function trailersMetadata(trailers: Readonly<Record<string, string>> | undefined): Metadata | undefined {
  if (!trailers) return undefined;
  const md = new Metadata();
  for (const key in trailers) md.set(key, trailers[key] as string);
  return md;
}

type BytesCall = ServerUnaryCall<Buffer, Uint8Array>;

function unary(context: string, run: (call: BytesCall) => Promise<ServiceOutcome>) {
  return (call: BytesCall, callback: sendUnaryData<Uint8Array>): void => {
    run(call).then(
      (o) => {
        if (o.error) callback(o.error);
        else callback(null, o.bytes, trailersMetadata(o.trailers));
      },
      (err: unknown) => {
        const details = `${context}: ${err instanceof Error ? err.message : String(err)}`;
        callback(Object.assign(new Error(details), { code: status.INTERNAL, details, metadata: new Metadata() }));
      },
    );
  };
}

/**
 * The grpc-js implementations of the four unary Jina services over `service`, keyed by service name (register
 * them with the raw-bytes definitions of `JINA_RAW_SERVICES`). `context` prefixes unexpected failures.
 * @example server.addService(JINA_RAW_SERVICES['jina.JinaInfoRPC'], grpcUnaryHandlers(svc, 'worker a')['jina.JinaInfoRPC'])
 */
export function grpcUnaryHandlers(
  service: RuntimeService,
  context: string,
): Record<
  'jina.JinaSingleDataRequestRPC' | 'jina.JinaDataRequestRPC' | 'jina.JinaDiscoverEndpointsRPC' | 'jina.JinaInfoRPC',
  UntypedServiceImplementation
> {
  return {
    'jina.JinaSingleDataRequestRPC': {
      process_single_data: unary(context, (call) => service.processSingleData(call.request, grpcContext(call))),
    },
    'jina.JinaDataRequestRPC': {
      process_data: unary(context, (call) => service.processData(call.request, grpcContext(call))),
    },
    'jina.JinaDiscoverEndpointsRPC': {
      endpoint_discovery: unary(context, (call) => service.endpointDiscovery(grpcContext(call))),
    },
    'jina.JinaInfoRPC': { _status: unary(context, (call) => service.status(grpcContext(call))) },
  };
}
