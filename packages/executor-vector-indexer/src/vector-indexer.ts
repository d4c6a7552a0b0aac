/**
 * VectorIndexer: weft's built-in vector index executor (`uses: VectorIndexer`). An HNSW graph (usearch) over the
 * documents' embeddings, and the documents themselves in a durable store (LMDB) under the executor's workspace.
 * Writes are acknowledged once fsynced; on open the graph is reloaded from its last snapshot plus the writes
 * logged after it, or rebuilt from the store. Endpoints: /index /update /delete /search /fill /count /clear
 * /snapshot.
 */
import { join } from 'node:path';
import {
  BadArgumentError,
  compileFilter,
  type Document,
  type DocumentArray,
  type EndpointArgs,
  Executor,
  type ExecutorArgs,
  type JsonObject,
  requests,
  WeftError,
} from '@weft-ai/weft';
import { DocStore } from './doc-store.js';
import { fillFromStored } from './fill.js';
import { IndexState } from './index-state.js';
import { type ResolvedOptions, resolveOptions, type VectorIndexerOptions } from './options.js';
import { type RecoveryInfo, recover } from './recovery.js';
import { filterParam, flag, idsParam, searchParams } from './request-params.js';
import { searchInto } from './search.js';
import { shardOf } from './shards.js';
import { WorkspaceLock } from './workspace-lock.js';
import { type WriteJob, Writer } from './writer.js';

const EXECUTOR_KEYS = new Set(['metas', 'runtimeArgs', 'workspace', 'requests', 'dynamicBatching']);
const OPTION_KEYS = new Set([
  'metric',
  'dim',
  'M',
  'efConstruction',
  'efSearch',
  'exactBelow',
  'storeBlobs',
  'storeChunks',
  'snapshotEvery',
  'threads',
  'partition',
  'lockWaitMs',
  'calibration',
]);

export class VectorIndexer extends Executor {
  /** The options in effect (defaults filled in). */
  readonly options: ResolvedOptions;
  /** How the index was opened: from a snapshot plus replayed writes, rebuilt from the store, or empty. */
  readonly recovery: RecoveryInfo;
  readonly #state: IndexState;
  readonly #writer: Writer;
  readonly #lock: WorkspaceLock;
  #closing: Promise<void> | undefined;

  /**
   * @example
   * new VectorIndexer({ metric: 'cosine', workspace: './data' })
   * // YAML: executors: [{ name: indexer, uses: VectorIndexer, uses_with: { metric: cosine }, shards: 2 }]
   */
  constructor(args: ExecutorArgs<VectorIndexerOptions> = {}) {
    super(args);
    this.options = resolveOptions(args);
    const unknown = Object.keys(args).filter((k) => !EXECUTOR_KEYS.has(k) && !OPTION_KEYS.has(k));
    if (unknown.length > 0) {
      process.emitWarning(
        `VectorIndexer: ignoring unknown option(s) ${unknown.join(', ')}; known: ${[...OPTION_KEYS].join(', ')}`,
      );
    }
    const dir = this.workspace;
    this.#lock = WorkspaceLock.acquire(dir, { waitMs: this.options.lockWaitMs });
    let store: DocStore | undefined;
    try {
      store = new DocStore(join(dir, 'store'));
      this.#state = new IndexState(store, dir, this.options);
      this.recovery = recover(this.#state);
    } catch (err) {
      void store?.close().catch(() => {});
      this.#lock.release();
      throw err;
    }
    this.#writer = new Writer(this.#state);
    // a rebuilt graph is snapshotted right away, so the next start is fast
    if (this.recovery.mode === 'rebuild' && this.recovery.count > 0) {
      this.#writer.submit({ kind: 'snapshot' }).catch((err: unknown) => {
        process.emitWarning(`VectorIndexer: snapshot after rebuild failed: ${(err as Error).message}`);
      });
    }
  }

  /** Upsert: store each document (replacing any stored under its id) and index its embedding. */
  @requests({ on: '/index' })
  async index({ docs }: EndpointArgs): Promise<JsonObject> {
    return this.#write({ kind: 'write', docs: this.#own(docs), onlyExisting: false, strict: false });
  }

  /**
   * Like /index, but only for ids already stored. Unknown ids are skipped and listed as `missing` (so that an
   * update polled on ALL shards works); with `parameters.strict: true` any unknown id fails the request instead.
   */
  @requests({ on: '/update' })
  async update({ docs, parameters }: EndpointArgs): Promise<JsonObject> {
    const strict = flag(parameters.strict, 'strict');
    return this.#write({ kind: 'write', docs: this.#own(docs), onlyExisting: true, strict });
  }

  /** Delete by `parameters.ids`, by `parameters.filter`, or else by the ids of the request's documents. */
  @requests({ on: '/delete' })
  async delete({ docs, parameters }: EndpointArgs): Promise<JsonObject> {
    const ids = idsParam(parameters.ids);
    const filter = filterParam(parameters.filter);
    if (ids && filter) {
      throw new BadArgumentError('VectorIndexer: /delete takes parameters.ids or parameters.filter, not both');
    }
    if (filter) {
      compileFilter(filter); // a malformed filter fails here, before it is queued
      return this.#write({ kind: 'deleteWhere', filter });
    }
    return this.#write({ kind: 'delete', ids: ids ?? docs.ids });
  }

  /**
   * Nearest stored documents of each query document, as `matches` (best first, `scores[metric]`). Parameters:
   * `limit` (10), `filter`, `efSearch`, `exact`, `includeEmbeddings`, `dropQueryEmbedding`, `calibration`.
   */
  @requests({ on: '/search' })
  search({ docs, parameters }: EndpointArgs): void {
    this.#assertOpen();
    searchInto(this.#state, docs.toArray(), searchParams(parameters, this.options.calibration));
  }

  /** Fill the request documents' missing fields from the stored documents with the same ids. */
  @requests({ on: '/fill' })
  fill({ docs }: EndpointArgs): JsonObject {
    this.#assertOpen();
    let filled = 0;
    const missing: string[] = [];
    for (const d of docs) {
      const stored = this.#state.store.document(d.id);
      if (stored) {
        fillFromStored(d, stored);
        filled++;
      } else missing.push(d.id);
    }
    return { filled, missing };
  }

  /** `{ count }`: documents stored (and indexed). */
  @requests({ on: '/count' })
  count(): JsonObject {
    this.#assertOpen();
    return { count: this.#state.store.count() };
  }

  /** Delete every document (and the snapshot); an inferred `dim` is forgotten. */
  @requests({ on: '/clear' })
  async clear(): Promise<JsonObject> {
    return this.#write({ kind: 'clear' });
  }

  /** Write an index snapshot now: `{ seq, count, written }`. */
  @requests({ on: '/snapshot' })
  async snapshot(): Promise<JsonObject> {
    return this.#write({ kind: 'snapshot' });
  }

  /** Finish queued writes, snapshot what changed since the last snapshot, close the store. Idempotent. */
  override async close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    try {
      await this.#writer.drain();
      if (this.#state.space && this.#state.snapshotSeq !== this.#state.seq) {
        await this.#writer.submit({ kind: 'snapshot' }).catch((err: unknown) => {
          process.emitWarning(`VectorIndexer: snapshot on close failed: ${(err as Error).message}`);
        });
      }
      await this.#writer.close();
      await this.#state.store.close();
    } finally {
      this.#lock.release();
    }
  }

  #write(job: WriteJob): Promise<JsonObject> {
    this.#assertOpen();
    return this.#writer.submit(job);
  }

  /** With `partition: 'id-hash'`, the documents whose ids this shard owns; else all of them. */
  #own(docs: DocumentArray): Document[] {
    const { shards, shardId } = this.runtimeArgs;
    const all = docs.toArray();
    if (this.options.partition !== 'id-hash' || shards <= 1) return all;
    return all.filter((d) => shardOf(d.id, shards) === shardId);
  }

  #assertOpen(): void {
    if (this.#closing) throw new WeftError('VectorIndexer: the indexer is closed');
  }
}
