/**
 * Networking between runtimes: a client per runtime address (gRPC, or weft's native transport between weft
 * runtimes), the one table of the jina services with weft's codecs (for clients and servers), the one health
 * codec, the transport-neutral RuntimeService servers implement once for both transports, connection pools over
 * replicas with pluggable selection strategies, retries and timeouts.
 */
export {
  type BalancingStrategy,
  type ReplicaView,
  RoundRobin,
  registerStrategy,
  resolveStrategy,
  type StrategyFactory,
  strategyNames,
} from './balancing/index.js';
export { type CallHooks, callHooks, type InboundCall, type OutboundCall, setCallHooks } from './call-hooks.js';
export { type CallOptions, deadlineOf } from './call-options.js';
export { CallStream } from './call-stream.js';
export { channelOptions, DEFAULT_CHANNEL_OPTIONS, DEFAULT_SERVER_OPTIONS } from './channel-options.js';
export { ConnectionPool, type ConnectionPoolOptions, type SendOptions } from './connection-pool.js';
export { type CallContext, errorFromGrpc, isServiceError, serviceErrorFrom } from './grpc-error.js';
export {
  decodeHealthCheckRequest,
  decodeHealthCheckResponse,
  encodeHealthCheckRequest,
  encodeHealthCheckResponse,
  HEALTH_CHECK_METHOD,
  type HealthCheckRequest,
  type ServingStatus,
} from './health-codec.js';
export { formatHost, formatHostPort, parseHostPort } from './host-port.js';
export {
  asBuffer,
  HEALTH_SERVICE_NAME,
  JINA_METHODS,
  JINA_RAW_SERVICES,
  JINA_SERVICE_NAMES,
  JINA_SERVICES,
  type JinaServiceName,
  REFLECTION_SERVICE_NAMES,
} from './jina-services.js';
export {
  FrameFormatError,
  FrameReader,
  FrameWriter,
  NATIVE_ADDRESS_KEY,
  NativeConnection,
  NativeRoute,
  NativeServer,
  type NativeServerOptions,
  TRANSPORT_ENV,
  type TransportPreference,
} from './native/index.js';
export { type BackoffOptions, backoffBefore, pause, triesFor } from './retry.js';
export { type Connectivity, RuntimeClient, type RuntimeClientOptions, type TransportState } from './runtime-client.js';
export {
  grpcContext,
  grpcUnaryHandlers,
  IS_ERROR_TRAILERS,
  type RuntimeService,
  type ServiceContext,
  type ServiceOutcome,
  trailersMetadata,
} from './runtime-service.js';
export { type StreamedAnswer, serveServerStream } from './server-stream.js';
