/** The Client (subpath `weft/client`): one API over grpc, http and websocket gateways. */
import { GrpcTransport } from './grpc-transport.js';
import { HttpTransport } from './http-transport.js';
import { registerTransport } from './transport.js';
import { WebSocketTransport } from './websocket-transport.js';

registerTransport('grpc', (target) => new GrpcTransport(target));
registerTransport('http', (target) => new HttpTransport(target));
registerTransport('websocket', (target) => new WebSocketTransport(target));

export { Client, type ClientOptions, type PostOptions, type RetryOptions, type StreamDocOptions } from './client.js';
export { DEFAULT_HTTP_PREFETCH, HttpTransport } from './http-transport.js';
export { buildRequests, type ClientInputs } from './inputs.js';
export { type SseEvent, SseParser } from './sse-client.js';
export type { ClientTlsOptions } from './tls.js';
export {
  registerTransport,
  resolveTransport,
  type StreamCallOptions,
  type Transport,
  type TransportFactory,
  type TransportTarget,
} from './transport.js';
export { WebSocketTransport } from './websocket-transport.js';
