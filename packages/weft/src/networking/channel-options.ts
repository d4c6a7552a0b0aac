/**
 * gRPC channel options for weft's internal hops, as Jina sets them: no message size caps (tensors and images
 * exceed gRPC's 4 MB default), keepalive pings so a dead peer is noticed, and short reconnect back-off so a
 * replica restarted on the same address serves again within about a second.
 */
import type { ChannelOptions } from '@grpc/grpc-js';

/** Jina's defaults plus weft's reconnect back-off; see the module comment. */
export const DEFAULT_CHANNEL_OPTIONS: Readonly<ChannelOptions> = Object.freeze({
  'grpc.max_send_message_length': -1,
  'grpc.max_receive_message_length': -1,
  'grpc.keepalive_time_ms': 9999,
  'grpc.keepalive_timeout_ms': 4999,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.max_pings_without_data': 0,
  // grpc-js defaults to 1 s doubling up to 120 s: a replica down for a minute would stay unused for two more.
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1000,
  // weft retries across replicas itself (ConnectionPool); grpc-js's own retries would hide which replica failed.
  'grpc.enable_retries': 0,
});

/**
 * The channel options for one client: the defaults with `overrides` on top.
 * @example new Client(address, credentials.createInsecure(), channelOptions({ 'grpc.max_receive_message_length': 1 << 26 }))
 */
export function channelOptions(overrides: ChannelOptions = {}): ChannelOptions {
  return { ...DEFAULT_CHANNEL_OPTIONS, ...overrides };
}

/** Server options matching the client side: no message size caps, and keepalive to drop dead clients. */
export const DEFAULT_SERVER_OPTIONS: Readonly<ChannelOptions> = Object.freeze({
  'grpc.max_send_message_length': -1,
  'grpc.max_receive_message_length': -1,
  'grpc.keepalive_time_ms': 9999,
  'grpc.keepalive_timeout_ms': 4999,
  'grpc.keepalive_permit_without_calls': 1,
});
