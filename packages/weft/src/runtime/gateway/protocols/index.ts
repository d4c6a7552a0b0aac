/**
 * Gateway protocol plug-ins and their registry. HTTP and WebSocket (fastify, mercurius/graphql, ws) load on first
 * use: importing `weft` — which every worker process does — must not pay ~0.5 s and ~20 MB for servers it never
 * starts.
 */
import { GrpcProtocol } from './grpc-protocol.js';
import { registerProtocol } from './protocol.js';

registerProtocol('grpc', (gateway, options) => new GrpcProtocol(gateway, options));
registerProtocol('http', async (gateway, options) => {
  const { HttpProtocol } = await import('./http-protocol.js');
  return new HttpProtocol(gateway, options);
});
registerProtocol('websocket', async (gateway, options) => {
  const { WebSocketProtocol } = await import('./websocket-protocol.js');
  return new WebSocketProtocol(gateway, options);
});

export { GATEWAY_GRPC_SERVICES, GrpcProtocol } from './grpc-protocol.js';
export type { HttpPlugin, HttpPluginOptions } from './http-plugins.js';
export {
  type ProtocolFactory,
  type ProtocolServer,
  type ProtocolServerOptions,
  protocolNames,
  registerProtocol,
  resolveProtocol,
} from './protocol.js';
