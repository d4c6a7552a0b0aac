/** The Client (subpath `weft/client`): one API over grpc, http and websocket gateways. */
import { GrpcTransport } from './grpc-transport.js';
import { registerTransport } from './transport.js';

registerTransport('grpc', (target) => new GrpcTransport(target));

export { Client, type ClientOptions, type PostOptions, type RetryOptions } from './client.js';
export { buildRequests, type ClientInputs } from './inputs.js';
export {
  registerTransport,
  resolveTransport,
  type StreamCallOptions,
  type Transport,
  type TransportFactory,
  type TransportTarget,
} from './transport.js';
