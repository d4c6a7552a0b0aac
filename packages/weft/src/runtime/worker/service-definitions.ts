/**
 * The Jina gRPC services a worker serves, as hand-made grpc-js `ServiceDefinition`s over raw bytes. Messages are
 * decoded and encoded by weft's own codecs inside the handlers (not by protobufjs, and not in grpc-js's
 * deserializer, which would turn a malformed message into INTERNAL instead of INVALID_ARGUMENT).
 */
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

/** Full names of the Jina services a worker registers (health and reflection come on top). */
export const JINA_SERVICE_NAMES = {
  call: 'jina.JinaRPC',
  singleData: 'jina.JinaSingleDataRequestRPC',
  data: 'jina.JinaDataRequestRPC',
  discovery: 'jina.JinaDiscoverEndpointsRPC',
  info: 'jina.JinaInfoRPC',
  singleDocument: 'jina.JinaSingleDocumentRequestRPC',
} as const;

/** gRPC's standard health service. */
export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';
/** gRPC server reflection (v1alpha is what Jina's gateway asks; grpc-js serves v1 as well). */
export const REFLECTION_SERVICE_NAMES = [
  'grpc.reflection.v1alpha.ServerReflection',
  'grpc.reflection.v1.ServerReflection',
] as const;

type BytesMethod = MethodDefinition<Buffer, Uint8Array>;

const identity = (bytes: Buffer): Buffer => bytes;

/** A Uint8Array as a Buffer over the same memory (grpc-js frames Buffers). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function method(service: string, name: string, requestStream: boolean, responseStream: boolean): BytesMethod {
  return {
    path: `/${service}/${name}`,
    requestStream,
    responseStream,
    requestSerialize: asBuffer,
    requestDeserialize: identity,
    responseSerialize: asBuffer,
    responseDeserialize: identity,
  };
}

/** `/jina.JinaRPC/Call`: bidi stream of DataRequestProto. */
export const jinaRpcService = {
  Call: method(JINA_SERVICE_NAMES.call, 'Call', true, true),
} satisfies ServiceDefinition;

/** `/jina.JinaSingleDataRequestRPC/process_single_data`: DataRequestProto → DataRequestProto. */
export const singleDataService = {
  process_single_data: method(JINA_SERVICE_NAMES.singleData, 'process_single_data', false, false),
} satisfies ServiceDefinition;

/** `/jina.JinaDataRequestRPC/process_data`: DataRequestListProto → DataRequestProto. */
export const dataService = {
  process_data: method(JINA_SERVICE_NAMES.data, 'process_data', false, false),
} satisfies ServiceDefinition;

/** `/jina.JinaDiscoverEndpointsRPC/endpoint_discovery`: Empty → EndpointsProto. */
export const discoveryService = {
  endpoint_discovery: method(JINA_SERVICE_NAMES.discovery, 'endpoint_discovery', false, false),
} satisfies ServiceDefinition;

/** `/jina.JinaInfoRPC/_status`: Empty → JinaInfoProto. */
export const infoService = {
  _status: method(JINA_SERVICE_NAMES.info, '_status', false, false),
} satisfies ServiceDefinition;

/** `/jina.JinaSingleDocumentRequestRPC/stream_doc`: SingleDocumentRequestProto → stream of them (streaming endpoints). */
export const singleDocumentService = {
  stream_doc: method(JINA_SERVICE_NAMES.singleDocument, 'stream_doc', false, true),
} satisfies ServiceDefinition;
