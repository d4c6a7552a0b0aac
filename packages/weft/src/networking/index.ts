/**
 * Networking between runtimes: a gRPC client per runtime address, the jina service definitions with weft's
 * codecs, connection pools over replicas with pluggable selection strategies, retries and timeouts.
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
export {
  asBuffer,
  GATEWAY_SERVICES,
  JINA_METHODS,
  JINA_RAW_SERVICES,
  JINA_SERVICE_NAMES,
  JINA_SERVICES,
} from './jina-services.js';
export { type CallOptions, type Connectivity, RuntimeClient, type RuntimeClientOptions } from './runtime-client.js';
