/**
 * The gateway runtime: the protocol-independent Gateway core (routing graph, streamer, dry run, status), its
 * protocol plug-ins, and the gateway process.
 */
export {
  type EndpointDiscovery,
  Gateway,
  type GatewayOptions,
  type GatewayPostOptions,
  type UnreachableExecutor,
} from './gateway.js';
export {
  decodeGatewayConfig,
  GATEWAY_CONFIG_ENV,
  type GatewayConfig,
  type GatewayConfigInput,
  parseGatewayConfig,
} from './gateway-config.js';
export { gatewayEntry } from './gateway-entry.js';
export { type BoundProtocol, GatewayServer } from './gateway-server.js';
export { loadServerTls, type ServerTls } from './gateway-tls.js';
export { END, type GraphDescription, type GraphPlan, planGraph, START } from './graph-description.js';
export {
  type Admission,
  type GatewayContext,
  type GatewayGuard,
  type GatewayInterceptor,
  inboundHeaders,
  type RequestInfo,
} from './interceptors.js';
export {
  GATEWAY_GRPC_SERVICES,
  GrpcProtocol,
  type HttpPlugin,
  type HttpPluginOptions,
  type ProtocolFactory,
  type ProtocolServer,
  type ProtocolServerOptions,
  protocolNames,
  registerProtocol,
  resolveProtocol,
} from './protocols/index.js';
export { type StreamOutcome, streamRequests } from './streamer.js';
export { type NodeClient, TopologyGraph, type TopologyOptions } from './topology-graph.js';
