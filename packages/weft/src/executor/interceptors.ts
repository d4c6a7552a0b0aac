/**
 * The context an executor interceptor sees: one per call of an executor's endpoint (`ExecutorRunner.invoke` and
 * `stream`), built only when the runner has interceptors or somebody subscribes to the executor events. A worker
 * configured with `interceptors: ['./auth.ts#checkToken']` runs them in this order around every call.
 *
 * @example
 * const timing: ExecutorInterceptor = async (ctx, next) => {
 *   const t0 = performance.now();
 *   await next();
 *   console.log(`${ctx.executor} ${ctx.endpoint} took ${performance.now() - t0} ms`);
 * };
 */
import type { DocumentArray, JsonObject } from '../document/index.js';
import type { Interceptor } from '../interceptors/index.js';
import type { DataRequest } from '../request/index.js';

export interface ExecutorContext {
  /** The runtime name of the executor (`encoder/rep-0`, or the runner's name in-process). */
  readonly executor: string;
  /** `grpc` for a call that came over the network (either internal transport), `in-process` for one from code. */
  readonly protocol: string;
  /** The endpoint called (as the request named it; the binding may be the executor's default one). */
  readonly endpoint: string;
  /** The request as it arrived over the network (undefined for an in-process call). */
  readonly request: DataRequest | undefined;
  /** The request's metadata (gRPC metadata: lower-case keys). */
  readonly headers: Readonly<Record<string, string>>;
  /** Whether the endpoint streams (`stream_doc`): `next()` then resolves once the stream has ended. */
  readonly streaming: boolean;
  /** The documents the endpoint gets; an interceptor may replace them before `next()`. */
  docs: DocumentArray;
  /** The request's parameters (the endpoint gets its executor's own of them, see `specificParams`). */
  parameters: JsonObject;
  /**
   * What the endpoint answered, after `next()` (ordinary calls). An interceptor may set it without calling
   * `next()` to answer itself; when nobody sets it the request passes with `docs`.
   */
  result: { docs: DocumentArray; results?: JsonObject } | undefined;
  /** Documents yielded so far by a streaming endpoint. */
  yielded: number;
  /** Free for interceptors, to hand values to each other. */
  readonly state: Record<string, unknown>;
}

/** An interceptor around executor calls. */
export type ExecutorInterceptor = Interceptor<ExecutorContext>;
