/** Gateway protocol plug-ins and their registry. */
import { GrpcProtocol } from './grpc-protocol.js';
import { registerProtocol } from './protocol.js';

registerProtocol('grpc', (gateway, options) => new GrpcProtocol(gateway, options));

export { GATEWAY_GRPC_SERVICES, GrpcProtocol } from './grpc-protocol.js';
export {
  type ProtocolFactory,
  type ProtocolServer,
  type ProtocolServerOptions,
  protocolNames,
  registerProtocol,
  resolveProtocol,
} from './protocol.js';
