/**
 * The `jina.*` gRPC services every weft runtime serves (worker, head, gateway) as `@grpc/grpc-js` service
 * definitions whose (de)serializers are weft's hand-written codecs: one encode and one decode per hop, documents
 * left undecoded. Clients use the same method definitions, so both sides agree on paths byte for byte.
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
  stream = false,
): MethodDefinition<Req, Res> {
  return {
    path,
    requestStream: stream,
    responseStream: stream,
    requestSerialize: (v: Req) => asBuffer(encodeReq(v)),
    requestDeserialize: decodeReq,
    responseSerialize: (v: Res) => asBuffer(encodeRes(v)),
    responseDeserialize: decodeRes,
  };
}

/** Every jina method a runtime serves, by its short name. */
export const JINA_METHODS = {
  call: method<DataRequest, DataRequest>(
    '/jina.JinaRPC/Call',
    encodeDataRequest,
    decodeDataRequest,
    encodeDataRequest,
    decodeDataRequest,
    true,
  ),
  processSingleData: method<DataRequest, DataRequest>(
    '/jina.JinaSingleDataRequestRPC/process_single_data',
    encodeDataRequest,
    decodeDataRequest,
    encodeDataRequest,
    decodeDataRequest,
  ),
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
  streamDoc: {
    ...method<SingleDocumentRequest, SingleDocumentRequest>(
      '/jina.JinaSingleDocumentRequestRPC/stream_doc',
      encodeSingleDocumentRequest,
      decodeSingleDocumentRequest,
      encodeSingleDocumentRequest,
      decodeSingleDocumentRequest,
    ),
    responseStream: true,
  },
  /** Gateway only: push an empty request through every executor. */
  dryRun: method<Empty, Status>(
    '/jina.JinaGatewayDryRunRPC/dry_run',
    encodeEmpty,
    decodeEmpty,
    encodeStatus,
    decodeStatus,
  ),
} as const;

/** The services a gateway adds to the runtime ones. */
export const GATEWAY_SERVICES = {
  'jina.JinaGatewayDryRunRPC': { dry_run: JINA_METHODS.dryRun },
} as const satisfies Record<string, ServiceDefinition>;

/**
 * `jina.JinaSingleDocumentRequestRPC` (streaming endpoints), served by workers, heads and gateways, over
 * raw bytes like `JINA_RAW_SERVICES`.
 */
export const SINGLE_DOCUMENT_RAW_SERVICE = {
  stream_doc: {
    path: JINA_METHODS.streamDoc.path,
    requestStream: false,
    responseStream: true,
    requestSerialize: asBuffer,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: asBuffer,
    responseDeserialize: (b: Buffer) => b,
  } satisfies MethodDefinition<Buffer, Uint8Array>,
} as const;

/**
 * The services a worker or head registers, by full service name, each with its grpc-js method key (the proto
 * method name, so a server implementation object reads like `jina.proto`).
 * @example server.addService(JINA_SERVICES['jina.JinaRPC'], { Call: (stream) => { ... } })
 */
export const JINA_SERVICES = {
  'jina.JinaRPC': { Call: JINA_METHODS.call },
  'jina.JinaSingleDataRequestRPC': { process_single_data: JINA_METHODS.processSingleData },
  'jina.JinaDataRequestRPC': { process_data: JINA_METHODS.processData },
  'jina.JinaDiscoverEndpointsRPC': { endpoint_discovery: JINA_METHODS.endpointDiscovery },
  'jina.JinaInfoRPC': { _status: JINA_METHODS.status },
} as const satisfies Record<string, ServiceDefinition>;

/** The full names of the jina services a runtime serves (health reports each one). */
export const JINA_SERVICE_NAMES = Object.keys(JINA_SERVICES) as (keyof typeof JINA_SERVICES)[];

type RawService<S> = { [K in keyof S]: MethodDefinition<Buffer, Uint8Array> };

function raw<S extends ServiceDefinition>(service: S): RawService<S> {
  const out: Record<string, MethodDefinition<Buffer, Uint8Array>> = {};
  for (const [key, m] of Object.entries(service)) {
    out[key] = {
      path: m.path,
      requestStream: m.requestStream,
      responseStream: m.responseStream,
      requestSerialize: asBuffer,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: asBuffer,
      responseDeserialize: (b: Buffer) => b,
    };
  }
  return out as RawService<S>;
}

/**
 * The same services over raw bytes, for servers that decode inside their handlers: a malformed message can then
 * be answered with INVALID_ARGUMENT, where a throwing grpc-js deserializer would make it INTERNAL.
 */
export const JINA_RAW_SERVICES = {
  'jina.JinaRPC': raw(JINA_SERVICES['jina.JinaRPC']),
  'jina.JinaSingleDataRequestRPC': raw(JINA_SERVICES['jina.JinaSingleDataRequestRPC']),
  'jina.JinaDataRequestRPC': raw(JINA_SERVICES['jina.JinaDataRequestRPC']),
  'jina.JinaDiscoverEndpointsRPC': raw(JINA_SERVICES['jina.JinaDiscoverEndpointsRPC']),
  'jina.JinaInfoRPC': raw(JINA_SERVICES['jina.JinaInfoRPC']),
} as const;
