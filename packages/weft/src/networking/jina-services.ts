/**
 * The one table of the gRPC services weft runtimes serve and call: every `jina.*` service of `jina.proto` that a
 * worker, head or gateway serves (`Call`, `process_single_data`, `process_data`, `endpoint_discovery`, `_status`,
 * `stream_doc`, `dry_run`), plus the names of the standard health and reflection services.
 *
 * Two views of the same paths: `JINA_SERVICES` with weft's hand-written codecs as (de)serializers, for clients
 * (one encode and one decode per hop, documents left undecoded), and `JINA_RAW_SERVICES` over raw bytes, for
 * servers, which decode inside their handlers (a malformed message is then answered with INVALID_ARGUMENT, where
 * a throwing grpc-js deserializer would make it INTERNAL). Both are built from `JINA_METHODS`, so client and server
 * agree on paths byte for byte.
 */
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import type { Status } from '../errors/index.js';
import {
  type DataRequest,
  decodeDataRequest,
  decodeDataRequestList,
  decodeEmpty,
  decodeEndpoints,
  decodeJinaInfo,
  decodeSingleDocumentRequest,
  decodeStatus,
  type Endpoints,
  encodeDataRequest,
  encodeDataRequestList,
  encodeEmpty,
  encodeEndpoints,
  encodeJinaInfo,
  encodeSingleDocumentRequest,
  encodeStatus,
  type JinaInfo,
  type SingleDocumentRequest,
} from '../request/index.js';

/** A view of encoded bytes as the Buffer grpc-js wants (no copy). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

type Empty = Record<string, never>;

function method<Req, Res>(
  path: string,
  encodeReq: (v: Req) => Uint8Array,
  decodeReq: (b: Uint8Array) => Req,
  encodeRes: (v: Res) => Uint8Array,
  decodeRes: (b: Uint8Array) => Res,
  requestStream = false,
  responseStream = false,
): MethodDefinition<Req, Res> {
  return {
    path,
    requestStream,
    responseStream,
    requestSerialize: (v: Req) => asBuffer(encodeReq(v)),
    requestDeserialize: decodeReq,
    responseSerialize: (v: Res) => asBuffer(encodeRes(v)),
    responseDeserialize: decodeRes,
  };
}

/** Every jina method, by its short name. */
export const JINA_METHODS = {
  /** Bidi stream of DataRequestProto (the Jina client's default). */
  call: method<DataRequest, DataRequest>(
    '/jina.JinaRPC/Call',
    encodeDataRequest,
    decodeDataRequest,
    encodeDataRequest,
    decodeDataRequest,
    true,
    true,
  ),
  processSingleData: method<DataRequest, DataRequest>(
    '/jina.JinaSingleDataRequestRPC/process_single_data',
    encodeDataRequest,
    decodeDataRequest,
    encodeDataRequest,
    decodeDataRequest,
  ),
  /** Several requests (an unreduced join) in, one answer out (workers and heads). */
  processData: method<DataRequest[], DataRequest>(
    '/jina.JinaDataRequestRPC/process_data',
    encodeDataRequestList,
    decodeDataRequestList,
    encodeDataRequest,
    decodeDataRequest,
  ),
  endpointDiscovery: method<Empty, Endpoints>(
    '/jina.JinaDiscoverEndpointsRPC/endpoint_discovery',
    encodeEmpty,
    decodeEmpty,
    encodeEndpoints,
    decodeEndpoints,
  ),
  status: method<Empty, JinaInfo>(
    '/jina.JinaInfoRPC/_status',
    encodeEmpty,
    decodeEmpty,
    encodeJinaInfo,
    decodeJinaInfo,
  ),
  /** Streaming endpoints: one document in, a stream of answers (one document each) out. */
  streamDoc: method<SingleDocumentRequest, SingleDocumentRequest>(
    '/jina.JinaSingleDocumentRequestRPC/stream_doc',
    encodeSingleDocumentRequest,
    decodeSingleDocumentRequest,
    encodeSingleDocumentRequest,
    decodeSingleDocumentRequest,
    false,
    true,
  ),
  /** Gateway only: push an empty request through every executor. */
  dryRun: method<Empty, Status>(
    '/jina.JinaGatewayDryRunRPC/dry_run',
    encodeEmpty,
    decodeEmpty,
    encodeStatus,
    decodeStatus,
  ),
} as const;

/**
 * Every jina service, by full service name, each with its grpc-js method key (the proto method name, so a server
 * implementation object reads like `jina.proto`).
 * @example server.addService(JINA_SERVICES['jina.JinaInfoRPC'], { _status: (call, cb) => cb(null, info) })
 */
export const JINA_SERVICES = {
  'jina.JinaRPC': { Call: JINA_METHODS.call },
  'jina.JinaSingleDataRequestRPC': { process_single_data: JINA_METHODS.processSingleData },
  'jina.JinaDataRequestRPC': { process_data: JINA_METHODS.processData },
  'jina.JinaDiscoverEndpointsRPC': { endpoint_discovery: JINA_METHODS.endpointDiscovery },
  'jina.JinaInfoRPC': { _status: JINA_METHODS.status },
  'jina.JinaSingleDocumentRequestRPC': { stream_doc: JINA_METHODS.streamDoc },
  'jina.JinaGatewayDryRunRPC': { dry_run: JINA_METHODS.dryRun },
} as const satisfies Record<string, ServiceDefinition>;

/** The full name of a jina service. */
export type JinaServiceName = keyof typeof JINA_SERVICES;

/** Every jina service name, in `jina.proto`'s order of the table above. */
export const JINA_SERVICE_NAMES = Object.keys(JINA_SERVICES) as JinaServiceName[];

/** gRPC's standard health service. */
export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';

/** gRPC server reflection (v1alpha is what Jina's gateway asks; v1 is served as well). */
export const REFLECTION_SERVICE_NAMES = [
  'grpc.reflection.v1alpha.ServerReflection',
  'grpc.reflection.v1.ServerReflection',
] as const;

type RawService<S> = { [K in keyof S]: MethodDefinition<Buffer, Uint8Array> };

const identity = (b: Buffer): Buffer => b;

function raw<S extends ServiceDefinition>(service: S): RawService<S> {
  const out: Record<string, MethodDefinition<Buffer, Uint8Array>> = {};
  for (const [key, m] of Object.entries(service)) {
    out[key] = {
      path: m.path,
      requestStream: m.requestStream,
      responseStream: m.responseStream,
      requestSerialize: asBuffer,
      requestDeserialize: identity,
      responseSerialize: asBuffer,
      responseDeserialize: identity,
    };
  }
  return out as RawService<S>;
}

/** The same services over raw bytes, for servers that decode inside their handlers (see the module comment). */
export const JINA_RAW_SERVICES = Object.fromEntries(
  JINA_SERVICE_NAMES.map((name) => [name, raw(JINA_SERVICES[name])]),
) as { [N in JinaServiceName]: RawService<(typeof JINA_SERVICES)[N]> };
