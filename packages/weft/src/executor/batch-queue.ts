/**
 * Dynamic batching: requests to one endpoint with identical parameters wait in a queue and reach the executor
 * together. A queue flushes when it holds `preferredBatchSize` documents or its oldest request has waited
 * `timeoutMs`; the method is called in mini-batches of at most `preferredBatchSize` documents, and its output is
 * split back per request, in order. Flushes of one queue never overlap, so results keep request order.
 *
 * When a call throws, the requests whose documents it held are retried one by one, so one bad document fails only
 * its own request, with its own error: the others are answered as if they had not shared a batch with it. A
 * request alone in its call is not retried, nor are the requests of a call refused with `BatchMismatchError`.
 */
import { type Document, DocumentArray, type JsonObject } from '../document/index.js';
import { BatchMismatchError } from '../errors/index.js';
import { channels } from '../observability/index.js';
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

  readonly #label: { executor: string; endpoint: string };

  /** `label` names the queue in the `batchFormed` event (observability/events.ts). */
  constructor(
    config: DynamicBatchingConfig,
    call: BatchCall,
    label: { executor: string; endpoint: string } = { executor: '', endpoint: '' },
  ) {
    this.#config = { preferredBatchSize: config.preferredBatchSize, timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS };
    this.#call = call;
    this.#label = label;
  }

  /** Queue one request's documents; resolves with that request's share of the output. */
  push(docs: DocumentArray): Promise<{ docs: DocumentArray; results?: JsonObject }> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ docs, resolve, reject });
      this.#queuedDocs += docs.length;
      if (channels.batchQueued.hasSubscribers) {
        channels.batchQueued.publish({ ...this.#label, queuedDocs: this.#queuedDocs });
      }
      if (this.#queuedDocs >= this.#config.preferredBatchSize) this.#flush('size');
      else this.#timer ??= setTimeout(() => this.#flush('timeout'), this.#config.timeoutMs);
    });
  }

  /** Requests waiting or being processed. */
  get size(): number {
    return this.#pending.length + this.#inFlight;
  }

  /** Flush everything now and wait until every queued request has its answer. */
  async drain(): Promise<void> {
    this.#flush('drain');
    await this.#chain;
  }

  #flush(reason: 'size' | 'timeout' | 'drain'): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    if (channels.batchFormed.hasSubscribers) {
      channels.batchFormed.publish({ ...this.#label, docs: this.#queuedDocs, requests: batch.length, reason });
    }
    this.#pending = [];
    this.#queuedDocs = 0;
    if (channels.batchQueued.hasSubscribers) channels.batchQueued.publish({ ...this.#label, queuedDocs: 0 });
    this.#inFlight += batch.length;
    this.#chain = this.#chain
      .then(() => this.#run(batch))
      .finally(() => {
        this.#inFlight -= batch.length;
      });
  }

  /**
   * Call the endpoint on the batch; when a call fails, retry the requests it held one by one (from snapshots of
   * their documents), so only the offending request fails. Requests are answered in order.
   */
  async #run(batch: Pending[]): Promise<void> {
    const isolate = batch.length > 1;
    const snapshots = isolate ? batch.map((p) => DocumentArray.wrap(p.docs.toArray().map(snapshot))) : [];
    const pass = await this.#pass(batch.map((p) => p.docs));
    for (const [m, p] of batch.entries()) {
      const failure = pass.failures[m];
      if (!failure) {
        p.resolve(answer(pass.outputs[m] as Document[], pass.results));
        continue;
      }
      if (!failure.retry) {
        p.reject(failure.error);
        continue;
      }
      const alone = await this.#pass([snapshots[m] as DocumentArray]);
      const own = alone.failures[0];
      if (own) p.reject(own.error);
      else p.resolve(answer(alone.outputs[0] as Document[], merge(pass.results, alone.results)));
    }
  }

  /**
   * Call the endpoint on the members' documents in mini-batches of at most `preferredBatchSize`. A member whose
   * documents were in a failed call gets that failure, marked for retry when the call also held documents of
   * other members (and was not refused for returning the wrong number of documents: that is the endpoint's fault).
   */
  async #pass(members: readonly DocumentArray[]): Promise<Pass> {
    const all: Document[] = [];
    const owner: number[] = [];
    members.forEach((docs, m) => {
      for (const d of docs) {
        all.push(d);
        owner.push(m);
      }
    });
    const size = this.#config.preferredBatchSize;
    const out: Document[] = new Array(all.length);
    const failures: (Failure | undefined)[] = new Array(members.length);
    let results: JsonObject | undefined;
    for (let i = 0; i < all.length || (i === 0 && all.length === 0); i += size) {
      const input = DocumentArray.wrap(all.slice(i, i + size));
      try {
        const r = await this.#call(input);
        if (r.docs.length !== input.length) {
          throw new BatchMismatchError(
            `dynamic batching: the endpoint returned ${r.docs.length} documents for a batch of ${input.length}; a batched endpoint must return one document per input (or nothing, to keep the mutated input)`,
            { details: { expected: input.length, got: r.docs.length } },
          );
        }
        let j = i;
        for (const d of r.docs) out[j++] = d;
        if (r.results) results = { ...results, ...r.results };
      } catch (error) {
        // an empty batch (requests without documents) is one call on behalf of every member
        const touched = all.length === 0 ? members.map((_, m) => m) : [...new Set(owner.slice(i, i + size))];
        const retry = touched.length > 1 && !(error instanceof BatchMismatchError);
        for (const m of touched) failures[m] ??= { error, retry };
      }
      if (all.length === 0) break;
    }
    let at = 0;
    const outputs = members.map((docs) => out.slice(at, (at += docs.length)));
    return { outputs, failures, results };
  }
}

interface Failure {
  error: unknown;
  /** Whether retrying this member alone can tell whether it is the one at fault. */
  retry: boolean;
}

interface Pass {
  /** Per member: its output documents (meaningful when it has no failure). */
  outputs: Document[][];
  failures: (Failure | undefined)[];
  results: JsonObject | undefined;
}

function answer(docs: Document[], results: JsonObject | undefined): { docs: DocumentArray; results?: JsonObject } {
  const wrapped = DocumentArray.wrap(docs);
  return results ? { docs: wrapped, results } : { docs: wrapped };
}

function merge(a: JsonObject | undefined, b: JsonObject | undefined): JsonObject | undefined {
  return a && b ? { ...a, ...b } : (a ?? b);
}

/**
 * A document as it was before a batched call, to retry from if the call fails: the same content and embedding
 * buffers (endpoints replace these rather than write into them), its own tags, metadata and chunk and match lists,
 * so what a failed call reassigned, tagged or appended is not seen twice. Bytes written into a shared buffer are
 * not undone.
 */
function snapshot(d: Document): Document {
  const copy = d.shallowCopy();
  if (d.hasTags) copy.tags = structuredClone(d.tags);
  if (d.metadata !== undefined) copy.metadata = structuredClone(d.metadata);
  if (d.location !== undefined) copy.location = [...d.location];
  if (d.chunkCount > 0) copy.chunks = d.chunks.toArray();
  if (d.matchCount > 0) copy.matches = d.matches.toArray();
  return copy;
}
