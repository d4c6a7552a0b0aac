/**
 * How a weft runtime advertises its native port and how a client turns that into something to dial: the runtime
 * puts `host:port` under `weft-native-address` in the `jina` map of its `_status`; a wildcard host (the runtime
 * listens on every interface) is replaced by the host the client reached its gRPC port through.
 */

/** The key of the `jina` map of `JinaInfoProto` carrying the native address. */
export const NATIVE_ADDRESS_KEY = 'weft-native-address';

/** Which transport a client uses for the data calls to weft runtimes. */
export type TransportPreference = 'auto' | 'grpc';

/** The environment variable that forces gRPC (`WEFT_TRANSPORT=grpc`), e.g. to debug or to test compatibility. */
export const TRANSPORT_ENV = 'WEFT_TRANSPORT';

import { parseHostPort } from '../host-port.js';

const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]', '*']);

/**
 * Where to dial the native port `advertised` by the runtime a client reaches at `grpcAddress`; undefined when
 * either is not a `host:port`.
 * @example nativeTarget('0.0.0.0:50123', 'encoder-0:50001') // { host: 'encoder-0', port: 50123 }
 */
export function nativeTarget(advertised: string, grpcAddress: string): { host: string; port: number } | undefined {
  const native = parseHostPort(advertised);
  if (!native) return undefined;
  if (!WILDCARDS.has(native.host)) return native;
  const grpc = parseHostPort(grpcAddress);
  return grpc ? { host: grpc.host, port: native.port } : undefined;
}
