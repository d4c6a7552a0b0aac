/**
 * weft's native transport between weft runtimes: length-prefixed frames over one multiplexed TCP connection,
 * carrying the same protobuf messages as the Jina gRPC services. Runtimes serve it beside gRPC (`NativeServer`)
 * and advertise it in `_status`; RuntimeClient finds and uses it (`NativeRoute`), falling back to gRPC.
 */
export {
  entriesToMetadata,
  FrameFormatError,
  FrameKind,
  HEADER_BYTES,
  MAX_BODY_BYTES,
  type MetaEntries,
  metaEntries,
  PREFACE,
  type RequestKind,
  readAnswerBody,
  readErrorBody,
  readRequestBody,
  writeAnswerFrame,
  writeControlFrame,
  writeErrorFrame,
  writeRequestFrame,
} from './frame-codec.js';
export { FrameReader, type FrameReaderOptions, type FrameSink } from './frame-reader.js';
export { FrameWriter } from './frame-writer.js';
export {
  NATIVE_ADDRESS_KEY,
  nativeTarget,
  TRANSPORT_ENV,
  type TransportPreference,
} from './native-address.js';
export {
  type AnswerHandler,
  callError,
  type NativeAnswer,
  NativeConnection,
  type NativeConnectOptions,
} from './native-connection.js';
export { NativeRoute, type NativeRouteOptions, type RouteState } from './native-route.js';
export { NativeServer, type NativeServerOptions } from './native-server.js';
