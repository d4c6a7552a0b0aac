/**
 * Where an observer (the tracing bridge) wraps calls between runtimes, without being threaded through the
 * constructors of pools and servers: `outbound` around every unary call a ConnectionPool makes (to add call
 * metadata such as a W3C `traceparent`), `inbound` around the calls a head serves. Both are unset unless a bridge
 * installs them, and the hook points then cost one property read.
 */
import type { Metadata } from '@grpc/grpc-js';
import type { CallOptions } from './call-options.js';

/** Which call is being made: the pool's deployment (or shard) name and the method. */
export interface OutboundCall {
  target: string;
  method: string;
}

/** Which call is being served: the runtime, and the call's metadata. */
export interface InboundCall {
  kind: 'head';
  name: string;
  metadata: Metadata;
}

export interface CallHooks {
  /** Runs `call` (possibly with other options, e.g. more metadata). */
  outbound?: <T>(call: OutboundCall, options: CallOptions, run: (options: CallOptions) => Promise<T>) => Promise<T>;
  /** Runs `serve`, e.g. inside a span taken from the call's metadata. */
  inbound?: <T>(call: InboundCall, serve: () => Promise<T>) => Promise<T>;
}

/** The hooks in force (read at each call). */
export const callHooks: CallHooks = {};

/** Install (or, with `{}`, remove) the hooks. */
export function setCallHooks(hooks: CallHooks): void {
  callHooks.outbound = hooks.outbound;
  callHooks.inbound = hooks.inbound;
}
