/** Gateway protocol plug-ins and their registry. */
import { GrpcProtocol } from './grpc-protocol.js';
import { HttpProtocol } from './http-protocol.js';
import { registerProtocol } from './protocol.js';
import { WebSocketProtocol } from './websocket-protocol.js';

registerProtocol('grpc', (gateway, options) => new GrpcProtocol(gateway, options));
registerProtocol('http', (gateway, options) => new HttpProtocol(gateway, options));
registerProtocol('websocket', (gateway, options) => new WebSocketProtocol(gateway, options));

export { GATEWAY_GRPC_SERVICES, GrpcProtocol } from './grpc-protocol.js';
export { HttpProtocol } from './http-protocol.js';
export {
  type ProtocolFactory,
  type ProtocolServer,
  type ProtocolServerOptions,
  protocolNames,
  registerProtocol,
  resolveProtocol,
} from './protocol.js';
export { WebSocketProtocol } from './websocket-protocol.js';
