/**
 * Runs requests against one Executor instance in-process: endpoint resolution (own binding, default endpoint,
 * or pass-through), executor-specific parameters, dynamic batching queues, and Jina's return semantics.
 * Streaming (generator) endpoints are served document by document by `stream()`; through `invoke()` (an ordinary
 * request) they run once per document and the answer holds everything they yielded, in order.
 * Worker runtimes wrap it with a network protocol; tests and `weft/testing` use it directly.
 */
import { Document, DocumentArray, isPlainObject, type JsonObject } from '../document/index.js';
import { ExecutorReturnError } from '../errors/index.js';
import { BatchQueue } from './batch-queue.js';
import { DRY_RUN_ENDPOINT } from './endpoint-table.js';
import type { EndpointArgs, EndpointBinding, EndpointResult, Executor, StreamArgs } from './executor.js';
import { specificParams } from './params.js';

export interface InvokeRequest {
  endpoint: string;
  docs: DocumentArray;
  parameters?: JsonObject;
  docsMatrix?: DocumentArray[];
  docsMap?: Record<string, DocumentArray>;
  headers?: Record<string, string>;
}

/** One document for a streaming call (`stream()`). */
export interface StreamRequest {
  endpoint: string;
  doc: Document;
  parameters?: JsonObject;
  headers?: Record<string, string>;
  /** Aborted when the caller went away; the endpoint sees it as `signal`. */
  signal?: AbortSignal;
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
  #inFlight = 0;
  #idle: (() => void)[] = [];

  constructor(executor: Executor, name = executor.metas.name) {
    this.executor = executor;
    this.name = name;
  }

  /** Requests currently being processed (including those waiting in batch queues). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Run one request. Executor exceptions propagate as they are (the runtime reports them in-band). */
  async invoke(req: InvokeRequest): Promise<InvokeResult> {
    if (req.endpoint === DRY_RUN_ENDPOINT) return { docs: req.docs, handled: false };
    const binding = this.executor.resolveEndpoint(req.endpoint);
    if (!binding) return { docs: req.docs, handled: false };
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
      });
      yield* r.docs;
      return;
    }
    this.#inFlight++;
    try {
      const parameters = specificParams(req.parameters ?? {}, this.executor.metas.name);
      const signal = req.signal ?? NEVER_ABORTED;
      yield* yieldedDocs(binding, { doc: req.doc, parameters, headers: req.headers ?? {}, signal });
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
      q = new BatchQueue(config, async (docs) => {
        const args: EndpointArgs = { docs, parameters, docsMatrix: [docs], docsMap: {}, headers: {} };
        return applyReturn(await binding.fn(args), docs, binding);
      });
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
