/**
 * Runs requests against one Executor instance in-process: endpoint resolution (own binding, default endpoint,
 * or pass-through), executor-specific parameters, dynamic batching queues, and Jina's return semantics.
 * Streaming (generator) endpoints are served document by document by `stream()`; through `invoke()` (an ordinary
 * request) they run once per document and the answer holds everything they yielded, in order.
 * Every call of an endpoint runs through the runner's interceptors (`(ctx, next)`, see `interceptors.ts`) and
 * publishes the executor request events (`observability/events.ts`); both cost nothing when there are none.
 * Worker runtimes wrap it with a network protocol; tests and `@weft-ai/weft/testing` use it directly.
 */
import { Document, DocumentArray, isPlainObject, type JsonObject } from '../document/index.js';
import { ExecutorReturnError } from '../errors/index.js';
import { composeInterceptors, interceptStream } from '../interceptors/index.js';
import { channels, type ExecutorRequestEnd, executorRequestsObserved } from '../observability/index.js';
import type { DataRequest } from '../request/index.js';
import { BatchQueue } from './batch-queue.js';
import { DRY_RUN_ENDPOINT } from './endpoint-table.js';
import type { EndpointArgs, EndpointBinding, EndpointResult, Executor, StreamArgs } from './executor.js';
import type { ExecutorContext, ExecutorInterceptor } from './interceptors.js';
import { specificParams } from './params.js';

export interface InvokeRequest {
  endpoint: string;
  docs: DocumentArray;
  parameters?: JsonObject;
  docsMatrix?: DocumentArray[];
  docsMap?: Record<string, DocumentArray>;
  headers?: Record<string, string>;
  /** The request it came in (for interceptors and events; a worker passes it). */
  request?: DataRequest;
  /** How it arrived (default: `grpc` with a `request`, else `in-process`). */
  protocol?: string;
}

/** One document for a streaming call (`stream()`). */
export interface StreamRequest {
  endpoint: string;
  doc: Document;
  parameters?: JsonObject;
  headers?: Record<string, string>;
  /** Aborted when the caller went away; the endpoint sees it as `signal`. */
  signal?: AbortSignal;
  /** The request it came in (for interceptors and events; a worker passes it). */
  request?: DataRequest;
  /** How it arrived (default: `grpc` with a `request`, else `in-process`). */
  protocol?: string;
}

export interface ExecutorRunnerOptions {
  /** Run around every call of an endpoint, in order (see `ExecutorInterceptor`). */
  interceptors?: readonly ExecutorInterceptor[];
}

export interface InvokeResult {
  docs: DocumentArray;
  /** A plain object the endpoint returned (reported under `parameters.__results__[<name>]`). */
  results?: JsonObject;
  /** False when no binding served the endpoint and the request passed through unchanged. */
  handled: boolean;
}

export class ExecutorRunner {
  readonly executor: Executor;
  readonly name: string;
  readonly #queues = new Map<string, BatchQueue>();
  #chain: ((ctx: ExecutorContext) => Promise<void>) | undefined;
  readonly #interceptors: ExecutorInterceptor[] = [];
  #inFlight = 0;
  #idle: (() => void)[] = [];

  constructor(executor: Executor, name = executor.metas.name, options: ExecutorRunnerOptions = {}) {
    this.executor = executor;
    this.name = name;
    for (const i of options.interceptors ?? []) this.use(i);
  }

  /** Add an interceptor after those the runner has (see `ExecutorInterceptor`); returns the runner. */
  use(interceptor: ExecutorInterceptor): this {
    this.#interceptors.push(interceptor);
    this.#chain = composeInterceptors([...this.#interceptors], (ctx) => this.#terminal(ctx));
    return this;
  }

  /** Requests currently being processed (including those waiting in batch queues). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Run one request. Executor exceptions propagate as they are (the runtime reports them in-band). */
  invoke(req: InvokeRequest): Promise<InvokeResult> {
    if (req.endpoint === DRY_RUN_ENDPOINT) return Promise.resolve({ docs: req.docs, handled: false });
    const binding = this.executor.resolveEndpoint(req.endpoint);
    if (!binding) return Promise.resolve({ docs: req.docs, handled: false });
    if (this.#chain === undefined && !executorRequestsObserved()) return this.#call(binding, req);
    return this.#intercepted(binding, req);
  }

  /** A call through the interceptors, with its events. */
  async #intercepted(binding: EndpointBinding, req: InvokeRequest): Promise<InvokeResult> {
    const ctx = this.#context(req, req.docs, req.parameters ?? {}, binding.streaming === true);
    const event = this.#event(ctx);
    try {
      await (this.#chain ?? ((c: ExecutorContext) => this.#terminal(c)))(ctx);
    } catch (error) {
      this.#failed(event, error);
      throw error;
    }
    this.#ended(event);
    return { ...(ctx.result ?? { docs: ctx.docs }), handled: true };
  }

  /** The end of the chain: the call itself, with what the interceptors left in the context. */
  async #terminal(ctx: ExecutorContext): Promise<void> {
    const binding = this.executor.resolveEndpoint(ctx.endpoint) as EndpointBinding;
    const r = await this.#call(binding, {
      endpoint: ctx.endpoint,
      docs: ctx.docs,
      parameters: ctx.parameters,
      headers: ctx.headers as Record<string, string>,
      ...(ctx.request ? { request: ctx.request } : {}),
    });
    ctx.result = r.results !== undefined ? { docs: r.docs, results: r.results } : { docs: r.docs };
  }

  #context(
    req: InvokeRequest | StreamRequest,
    docs: DocumentArray,
    parameters: JsonObject,
    streaming: boolean,
  ): ExecutorContext {
    return {
      executor: this.name,
      protocol: req.protocol ?? (req.request ? 'grpc' : 'in-process'),
      endpoint: req.endpoint,
      request: req.request,
      headers: req.headers ?? {},
      streaming,
      docs,
      parameters,
      result: undefined,
      yielded: 0,
      state: {},
    };
  }

  /** The event object of one call (published on start, and again on end or error), when anybody listens. */
  #event(ctx: ExecutorContext): ExecutorRequestEnd | undefined {
    if (!executorRequestsObserved()) return undefined;
    const event: ExecutorRequestEnd = {
      executor: ctx.executor,
      protocol: ctx.protocol,
      endpoint: ctx.endpoint,
      request: ctx.request,
      streaming: ctx.streaming,
      docs: ctx.docs.length,
      startedAt: performance.now(),
      durationMs: 0,
    };
    if (channels.executorRequestStart.hasSubscribers) channels.executorRequestStart.publish(event);
    return event;
  }

  #ended(event: ExecutorRequestEnd | undefined): void {
    if (!event) return;
    event.durationMs = performance.now() - event.startedAt;
    if (channels.executorRequestEnd.hasSubscribers) channels.executorRequestEnd.publish(event);
  }

  #failed(event: ExecutorRequestEnd | undefined, error: unknown): void {
    if (!event) return;
    event.durationMs = performance.now() - event.startedAt;
    if (channels.executorRequestError.hasSubscribers) channels.executorRequestError.publish({ ...event, error });
  }

  /** The call itself: executor exceptions propagate as they are. */
  async #call(binding: EndpointBinding, req: InvokeRequest): Promise<InvokeResult> {
    this.#inFlight++;
    try {
      const parameters = specificParams(req.parameters ?? {}, this.executor.metas.name);
      if (binding.streaming) {
        // an ordinary request to a streaming endpoint: once per document, every yielded document collected
        const out = new DocumentArray();
        for (const doc of req.docs) {
          const args = { doc, parameters, headers: req.headers ?? {}, signal: NEVER_ABORTED };
          for await (const d of yieldedDocs(binding, args)) out.push(d);
        }
        return { docs: out, handled: true };
      }
      if (binding.batching && !req.docsMatrix) {
        const r = await this.#queue(binding, parameters).push(req.docs);
        return { ...r, handled: true };
      }
      const args: EndpointArgs = {
        docs: req.docs,
        parameters,
        docsMatrix: req.docsMatrix ?? [req.docs],
        docsMap: req.docsMap ?? {},
        headers: req.headers ?? {},
      };
      return { ...applyReturn(await binding.fn(args), req.docs, binding), handled: true };
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0) for (const f of this.#idle.splice(0)) f();
    }
  }

  /**
   * Serve one document to a streaming endpoint, yielding each document the endpoint yields as it comes. An
   * endpoint that is not a streaming one answers once, with its result documents yielded one by one; an endpoint
   * the executor does not serve passes the document through. Ending the iteration early (`return()`) stops the
   * endpoint's generator: its `finally` blocks run. Executor exceptions propagate from the iteration.
   * @example for await (const d of runner.stream({ endpoint: '/chat', doc: new Document({ text: 'hi' }) })) show(d)
   */
  async *stream(req: StreamRequest): AsyncGenerator<Document> {
    const binding = req.endpoint === DRY_RUN_ENDPOINT ? undefined : this.executor.resolveEndpoint(req.endpoint);
    if (!binding?.streaming) {
      const r = await this.invoke({
        endpoint: req.endpoint,
        docs: DocumentArray.wrap([req.doc]),
        ...(req.parameters ? { parameters: req.parameters } : {}),
        ...(req.headers ? { headers: req.headers } : {}),
        ...(req.request ? { request: req.request } : {}),
      });
      yield* r.docs;
      return;
    }
    if (this.#interceptors.length === 0 && !executorRequestsObserved()) {
      yield* this.#streamCall(binding, req, req.doc, req.parameters ?? {});
      return;
    }
    const ctx = this.#context(req, DocumentArray.wrap([req.doc]), req.parameters ?? {}, true);
    const event = this.#event(ctx);
    const open = (c: ExecutorContext): AsyncGenerator<Document> =>
      counted(c, this.#streamCall(binding, req, c.docs.at(0) ?? req.doc, c.parameters));
    try {
      const interceptors = [...this.#interceptors];
      yield* interceptStream(ctx, (c, terminal) => composeInterceptors(interceptors, terminal)(c), open);
    } catch (error) {
      this.#failed(event, error);
      throw error;
    }
    this.#ended(event);
  }

  async *#streamCall(
    binding: EndpointBinding,
    req: StreamRequest,
    doc: Document,
    requestParameters: JsonObject,
  ): AsyncGenerator<Document> {
    this.#inFlight++;
    try {
      const parameters = specificParams(requestParameters, this.executor.metas.name);
      const signal = req.signal ?? NEVER_ABORTED;
      yield* yieldedDocs(binding, { doc, parameters, headers: req.headers ?? {}, signal });
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0) for (const f of this.#idle.splice(0)) f();
    }
  }

  /** Flush batch queues and wait for every in-flight request. */
  async drain(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((q) => q.drain()));
    if (this.#inFlight > 0) await new Promise<void>((r) => this.#idle.push(r));
  }

  /** Drain, then close the executor. */
  async close(): Promise<void> {
    await this.drain();
    await this.executor.close();
  }

  #queue(binding: EndpointBinding, parameters: JsonObject): BatchQueue {
    const key = `${binding.endpoint}\u0000${JSON.stringify(parameters)}`;
    let q = this.#queues.get(key);
    if (!q) {
      const config = binding.batching as NonNullable<EndpointBinding['batching']>;
      q = new BatchQueue(
        config,
        async (docs) => {
          const args: EndpointArgs = { docs, parameters, docsMatrix: [docs], docsMap: {}, headers: {} };
          return applyReturn(await binding.fn(args), docs, binding);
        },
        { executor: this.name, endpoint: binding.endpoint },
      );
      this.#queues.set(key, q);
    }
    return q;
  }
}

/** Jina's return semantics: DocumentArray replaces, nothing keeps the (mutated) input, a plain object is a result. */
function applyReturn(
  value: EndpointResult | AsyncIterable<unknown>,
  input: DocumentArray,
  binding: EndpointBinding,
): { docs: DocumentArray; results?: JsonObject } {
  if (value === undefined || value === null) return { docs: input };
  if (value instanceof DocumentArray) return { docs: value };
  if (isPlainObject(value)) return { docs: input, results: value as JsonObject };
  const kind = Array.isArray(value) ? 'an array (wrap it: new DocumentArray(list))' : describe(value);
  throw new ExecutorReturnError(
    `endpoint '${binding.endpoint}' (method ${binding.method}) returned ${kind}; return a DocumentArray, a plain object, or nothing`,
    { details: { endpoint: binding.endpoint, method: binding.method } },
  );
}

/** `docs`, counting them in `ctx.yielded`. */
async function* counted(ctx: ExecutorContext, docs: AsyncGenerator<Document>): AsyncGenerator<Document> {
  for await (const d of docs) {
    ctx.yielded++;
    yield d;
  }
}

/** The signal of a call nobody can abandon (an ordinary request collects everything). */
const NEVER_ABORTED: AbortSignal = new AbortController().signal;

/** The documents a streaming binding yields for one document; anything else it yields is an ExecutorReturnError. */
async function* yieldedDocs(binding: EndpointBinding, args: StreamArgs): AsyncGenerator<Document> {
  const fn = binding.fn as unknown as (a: StreamArgs) => AsyncIterable<unknown> | Iterable<unknown>;
  for await (const value of fn(args)) {
    if (value instanceof Document) {
      yield value;
      continue;
    }
    throw new ExecutorReturnError(
      `streaming endpoint '${binding.endpoint}' (method ${binding.method}) yielded ${describe(value)}; yield Document instances`,
      { details: { endpoint: binding.endpoint, method: binding.method } },
    );
  }
}

function describe(v: unknown): string {
  if (typeof v === 'object' && v !== null) return `an instance of ${v.constructor?.name ?? 'Object'}`;
  return `a ${typeof v}`;
}
