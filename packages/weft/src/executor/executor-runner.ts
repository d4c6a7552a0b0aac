/**
 * Runs requests against one Executor instance in-process: endpoint resolution (own binding, default endpoint,
 * or pass-through), executor-specific parameters, dynamic batching queues, and Jina's return semantics.
 * Worker runtimes wrap it with a network protocol; tests and `weft/testing` use it directly.
 */
import { DocumentArray, type JsonObject } from '../document/index.js';
import { isPlainObject } from '../document/json-value.js';
import { ExecutorReturnError } from '../errors/index.js';
import { BatchQueue } from './batch-queue.js';
import { DRY_RUN_ENDPOINT } from './endpoint-table.js';
import type { EndpointArgs, EndpointBinding, EndpointResult, Executor } from './executor.js';
import { specificParams } from './params.js';

export interface InvokeRequest {
  endpoint: string;
  docs: DocumentArray;
  parameters?: JsonObject;
  docsMatrix?: DocumentArray[];
  docsMap?: Record<string, DocumentArray>;
  headers?: Record<string, string>;
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

function describe(v: unknown): string {
  if (typeof v === 'object' && v !== null) return `an instance of ${v.constructor?.name ?? 'Object'}`;
  return `a ${typeof v}`;
}
