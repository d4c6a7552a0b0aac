/**
 * Dynamic batching: requests to one endpoint with identical parameters wait in a queue and reach the executor
 * together. A queue flushes when it holds `preferredBatchSize` documents or its oldest request has waited
 * `timeoutMs`; the method is called in mini-batches of at most `preferredBatchSize` documents, and its output is
 * split back per request, in order. Flushes of one queue never overlap, so results keep request order.
 */
import { type Document, DocumentArray, type JsonObject } from '../document/index.js';
import { BatchMismatchError } from '../errors/index.js';
import type { DynamicBatchingConfig } from './endpoint-table.js';

/** Calls the endpoint on one mini-batch; returns the output docs and an optional results object. */
export type BatchCall = (docs: DocumentArray) => Promise<{ docs: DocumentArray; results?: JsonObject }>;

interface Pending {
  docs: DocumentArray;
  resolve: (r: { docs: DocumentArray; results?: JsonObject }) => void;
  reject: (err: unknown) => void;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export class BatchQueue {
  readonly #config: Required<DynamicBatchingConfig>;
  readonly #call: BatchCall;
  #pending: Pending[] = [];
  #queuedDocs = 0;
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();
  #inFlight = 0;

  constructor(config: DynamicBatchingConfig, call: BatchCall) {
    this.#config = { preferredBatchSize: config.preferredBatchSize, timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS };
    this.#call = call;
  }

  /** Queue one request's documents; resolves with that request's share of the output. */
  push(docs: DocumentArray): Promise<{ docs: DocumentArray; results?: JsonObject }> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ docs, resolve, reject });
      this.#queuedDocs += docs.length;
      if (this.#queuedDocs >= this.#config.preferredBatchSize) this.#flush();
      else this.#timer ??= setTimeout(() => this.#flush(), this.#config.timeoutMs);
    });
  }

  /** Requests waiting or being processed. */
  get size(): number {
    return this.#pending.length + this.#inFlight;
  }

  /** Flush everything now and wait until every queued request has its answer. */
  async drain(): Promise<void> {
    this.#flush();
    await this.#chain;
  }

  #flush(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#queuedDocs = 0;
    this.#inFlight += batch.length;
    this.#chain = this.#chain
      .then(() => this.#run(batch))
      .finally(() => {
        this.#inFlight -= batch.length;
      });
  }

  async #run(batch: Pending[]): Promise<void> {
    const all: Document[] = [];
    for (const p of batch) for (const d of p.docs) all.push(d);
    const size = this.#config.preferredBatchSize;
    const out: Document[] = [];
    let results: JsonObject | undefined;
    try {
      for (let i = 0; i < all.length || (i === 0 && all.length === 0); i += size) {
        const input = DocumentArray.wrap(all.slice(i, i + size));
        const r = await this.#call(input);
        if (r.docs.length !== input.length) {
          throw new BatchMismatchError(
            `dynamic batching: the endpoint returned ${r.docs.length} documents for a batch of ${input.length}; a batched endpoint must return one document per input (or nothing, to keep the mutated input)`,
            { details: { expected: input.length, got: r.docs.length } },
          );
        }
        for (const d of r.docs) out.push(d);
        if (r.results) results = { ...results, ...r.results };
        if (all.length === 0) break;
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    let at = 0;
    for (const p of batch) {
      const docs = DocumentArray.wrap(out.slice(at, at + p.docs.length));
      at += p.docs.length;
      p.resolve(results ? { docs, results } : { docs });
    }
  }
}
