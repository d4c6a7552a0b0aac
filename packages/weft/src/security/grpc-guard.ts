/**
 * The gRPC side of a gateway's admission check: a grpc-js server interceptor that hands every call's metadata to
 * `admit` before the call reaches its handler, and ends a refused call with the error's own status
 * (UNAUTHENTICATED for a missing or wrong token) and weft's error trailers, so a weft client rebuilds the same
 * error class. Calls `open` says yes to (health checks, reflection) pass without a look.
 */
import {
  Metadata,
  ResponderBuilder,
  ServerInterceptingCall,
  type ServerInterceptor,
  ServerListenerBuilder,
} from '@grpc/grpc-js';
import { grpcTrailersOf, toWire, WeftError } from '../errors/index.js';
import type { HeaderSource } from './token-auth.js';

/**
 * A server interceptor running `admit(headers, method)` once per call (per stream for `Call`); `admit` refuses by
 * throwing.
 * @example new Server({ interceptors: [grpcGuard((h) => auth.check(h), isHealthMethod)] })
 */
export function grpcGuard(
  admit: (headers: HeaderSource, method: string) => void,
  open: (method: string) => boolean,
): ServerInterceptor {
  return (method, call) => {
    if (open(method.path)) return new ServerInterceptingCall(call);
    const listener = new ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        try {
          admit(metadata.getMap(), method.path);
        } catch (err) {
          call.sendStatus(refusal(err));
          return;
        }
        next(metadata);
      })
      .build();
    return new ServerInterceptingCall(call, new ResponderBuilder().withStart((next) => next(listener)).build());
  };
}

/** Methods every client may call without a token: the standard health checks and reflection. */
export function isOpenGrpcMethod(path: string): boolean {
  return path.startsWith('/grpc.health.v1.Health/') || path.startsWith('/grpc.reflection.');
}

function refusal(err: unknown): { code: number; details: string; metadata: Metadata } {
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(grpcTrailersOf(toWire(err)))) metadata.set(k, v);
  const code = err instanceof WeftError ? err.grpcStatus : 16;
  return { code, details: err instanceof Error ? err.message : String(err), metadata };
}
