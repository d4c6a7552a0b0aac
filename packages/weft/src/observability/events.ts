/**
 * The events weft runtimes publish on `node:diagnostics_channel`: one channel per event, named
 * `weft:<where>:<what>`, and the payload each carries. Metrics, tracing and access logs subscribe here; the core
 * publishes only when a channel has subscribers, so an unobserved runtime pays nothing.
 *
 * @example
 * import { subscribe } from 'node:diagnostics_channel';
 * import { CHANNELS, type GatewayRequestEnd } from '@weft-ai/weft/observability';
 * subscribe(CHANNELS.gatewayRequestEnd, (m) => console.log((m as GatewayRequestEnd).durationMs));
 */
import { channel } from 'node:diagnostics_channel';
import type { DataRequest } from '../request/index.js';

/** Every channel name weft publishes on. */
export const CHANNELS = {
  /** A request reached the gateway (before its interceptors). Payload: `GatewayRequestStart`. */
  gatewayRequestStart: 'weft:gateway:request:start',
  /** The gateway answered a request (an executor error in-band counts as answered). Payload: `GatewayRequestEnd`. */
  gatewayRequestEnd: 'weft:gateway:request:end',
  /** A request failed at the gateway (transport error, refused by an interceptor…). Payload: `GatewayRequestError`. */
  gatewayRequestError: 'weft:gateway:request:error',
  /** An executor call began (before its interceptors). Payload: `ExecutorRequestStart`. */
  executorRequestStart: 'weft:executor:request:start',
  /** An executor call returned. Payload: `ExecutorRequestEnd`. */
  executorRequestEnd: 'weft:executor:request:end',
  /** An executor call threw (its own exception, or an interceptor's). Payload: `ExecutorRequestError`. */
  executorRequestError: 'weft:executor:request:error',
  /** Dynamic batching handed a batch to an endpoint. Payload: `BatchFormed`. */
  batchFormed: 'weft:executor:batch',
  /** A runtime (worker, head, gateway) is serving. Payload: `RuntimeUp`. */
  runtimeUp: 'weft:runtime:up',
  /** A runtime stopped serving (or its process ended). Payload: `RuntimeDown`. */
  runtimeDown: 'weft:runtime:down',
  /** A runtime's server kit answered a data call (any transport), with its sizes. Payload: `RuntimeCall`. */
  runtimeCall: 'weft:runtime:call',
  /** A connection pool's call to a replica (gateway → executor, head → shard) settled. Payload: `PoolCall`. */
  poolCall: 'weft:pool:call',
  /** A connection pool was opened (its replicas can be asked for their health). Payload: `PoolState`. */
  poolOpened: 'weft:pool:open',
  /** A connection pool was closed. Payload: `PoolState`. */
  poolClosed: 'weft:pool:close',
  /** The documents waiting in a dynamic batching queue changed. Payload: `BatchQueued`. */
  batchQueued: 'weft:executor:batch:queued',
  /** A method decorated with `@monitor` returned or threw. Payload: `MonitorObserved`. */
  monitorObserved: 'weft:executor:monitor',
} as const;

export type ChannelName = (typeof CHANNELS)[keyof typeof CHANNELS];

/** What every request event carries: where it happened and which request it is. */
export interface RequestEventBase {
  /** `grpc`, `http`, `websocket`, `graphql`, `native`, or `in-process` (a call from code in the same process). */
  protocol: string;
  /** The executor endpoint asked for (`/default` when none). */
  endpoint: string;
  /** The request as it arrived (its `header.requestId` identifies it across events). */
  request: DataRequest | undefined;
  /** `performance.now()` when the request began. */
  startedAt: number;
  /** Whether it is a streaming call (`stream_doc`, Server-Sent Events). */
  streaming: boolean;
}

export interface GatewayRequestStart extends RequestEventBase {
  gateway: string;
}
export interface GatewayRequestEnd extends GatewayRequestStart {
  /** The answer (undefined for a streaming call). */
  response: DataRequest | undefined;
  durationMs: number;
}
export interface GatewayRequestError extends GatewayRequestStart {
  error: unknown;
  durationMs: number;
}

export interface ExecutorRequestStart extends RequestEventBase {
  /** Runtime name (`encoder/rep-0`). */
  executor: string;
  /** Documents in the request. */
  docs: number;
}
export interface ExecutorRequestEnd extends ExecutorRequestStart {
  durationMs: number;
}
export interface ExecutorRequestError extends ExecutorRequestStart {
  error: unknown;
  durationMs: number;
}

export interface BatchFormed {
  executor: string;
  endpoint: string;
  /** Documents in the batch. */
  docs: number;
  /** Requests whose documents it joins. */
  requests: number;
  /** Why it was handed over: full (`preferredBatchSize` reached), its timeout ran out, or a drain. */
  reason: 'size' | 'timeout' | 'drain';
}

export interface RuntimeUp {
  /** `worker`, `head` or `gateway`. */
  kind: string;
  name: string;
  pid: number;
  port: number;
  address: string;
}
export interface RuntimeDown {
  kind: string;
  name: string;
  pid: number;
  /** Why: `SIGTERM`, a crash, a parent that went away… */
  reason: string;
}

export interface RuntimeCall {
  /** `worker`, `head` or `gateway`. */
  kind: string;
  /** Runtime name (`encoder/rep-0`, `encoder/head`, `gateway`). */
  name: string;
  /** `process_single_data` (also each message of a `Call` stream) or `process_data`. */
  method: string;
  requestBytes: number;
  /** Bytes of the answer (0 when the call failed without one). */
  responseBytes: number;
  durationMs: number;
  /** Whether the call failed (a transport status, not an in-band executor error). */
  failed: boolean;
}

export interface PoolCall {
  /** The deployment or shard the pool reaches (`encoder`, `encoder/shard-1`). */
  pool: string;
  /** The replica that answered last (or failed last). */
  address: string;
  method: string;
  durationMs: number;
  ok: boolean;
}

export interface PoolState {
  pool: string;
  /** The pool's replicas now (read when a scrape asks). */
  replicas: () => readonly { address: string; healthy: boolean }[];
}

export interface BatchQueued {
  executor: string;
  endpoint: string;
  /** Documents waiting in the queue now. */
  queuedDocs: number;
}

export interface MonitorObserved {
  /** The metric name the decorator was given. */
  name: string;
  documentation: string;
  /** The executor (`metas.name`) the method belongs to, when it is an Executor's. */
  executor: string | undefined;
  durationMs: number;
}

/** The channels themselves, created once (a channel object is cheap to ask `hasSubscribers`). */
export const channels = {
  gatewayRequestStart: channel(CHANNELS.gatewayRequestStart),
  gatewayRequestEnd: channel(CHANNELS.gatewayRequestEnd),
  gatewayRequestError: channel(CHANNELS.gatewayRequestError),
  executorRequestStart: channel(CHANNELS.executorRequestStart),
  executorRequestEnd: channel(CHANNELS.executorRequestEnd),
  executorRequestError: channel(CHANNELS.executorRequestError),
  batchFormed: channel(CHANNELS.batchFormed),
  runtimeUp: channel(CHANNELS.runtimeUp),
  runtimeDown: channel(CHANNELS.runtimeDown),
  runtimeCall: channel(CHANNELS.runtimeCall),
  poolCall: channel(CHANNELS.poolCall),
  poolOpened: channel(CHANNELS.poolOpened),
  poolClosed: channel(CHANNELS.poolClosed),
  batchQueued: channel(CHANNELS.batchQueued),
  monitorObserved: channel(CHANNELS.monitorObserved),
};

/** Whether anyone listens to a gateway request event (the gateway skips building payloads otherwise). */
export function gatewayRequestsObserved(): boolean {
  return (
    channels.gatewayRequestStart.hasSubscribers ||
    channels.gatewayRequestEnd.hasSubscribers ||
    channels.gatewayRequestError.hasSubscribers
  );
}

/** Whether anyone listens to an executor request event. */
export function executorRequestsObserved(): boolean {
  return (
    channels.executorRequestStart.hasSubscribers ||
    channels.executorRequestEnd.hasSubscribers ||
    channels.executorRequestError.hasSubscribers
  );
}

/** Publish on `ch` when somebody listens (the payload is built only then). */
export function publish<T>(ch: (typeof channels)[keyof typeof channels], payload: () => T): void {
  if (ch.hasSubscribers) ch.publish(payload());
}
