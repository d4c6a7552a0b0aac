/**
 * The in-memory side of the indexer: the usearch HNSW graph, the key -> id map of the vectors it holds, and (for
 * small collections) an exact mirror. All three change together, synchronously, after a write is durable, so a
 * search (which never awaits) always sees them consistent with each other.
 */
import { Index, type MetricKind, ScalarKind } from 'usearch';
import { ExactMirror } from './exact-mirror.js';
import type { IndexMetric } from './options.js';
import { USEARCH_METRIC } from './vectors.js';

export interface SpaceParams {
  dim: number;
  metric: IndexMetric;
  M: number;
  efConstruction: number;
  efSearch: number;
  threads: number;
  exactBelow: number;
}

/** Batches at least this large are inserted in parallel. */
const PARALLEL_BATCH = 256;

/** Search results of one query: candidate keys, best first by usearch's (float32) distance. */
export type KeyList = number[];

export class VectorSpace {
  readonly params: SpaceParams;
  readonly usearchMetric: MetricKind;
  #index: Index;
  readonly #ids = new Map<number, string>();
  #mirror: ExactMirror | undefined;

  /** An empty space; with `mirrored` (the default) it starts exact when `exactBelow` allows. */
  constructor(params: SpaceParams, mirrored = true) {
    this.params = params;
    this.usearchMetric = USEARCH_METRIC[params.metric] as MetricKind;
    this.#index = this.#newIndex();
    this.#mirror = mirrored && params.exactBelow > 0 ? new ExactMirror(params.dim) : undefined;
  }

  get size(): number {
    return this.#ids.size;
  }

  /** Whether searches are exact (the collection is small enough for brute force). */
  get exact(): boolean {
    return this.#mirror !== undefined;
  }

  /** The id of a vector key, if the key is live. */
  idOf(key: number): string | undefined {
    return this.#ids.get(key);
  }

  has(key: number): boolean {
    return this.#ids.has(key);
  }

  /**
   * Add `keys.length` vectors (row-major float32). Keys are never reused, so none is present yet.
   * Batches of at least `PARALLEL_BATCH` vectors are inserted on `threads` threads; smaller ones one by one. Every
   * call passes the same thread count, because usearch sizes its per-thread contexts from the call that last grew
   * the index: a later call with more threads fails ("Reserve capacity ahead of insertions!") after a partial
   * insert.
   */
  add(keys: readonly number[], ids: readonly string[], vectors: Float32Array): void {
    const n = keys.length;
    if (n === 0) return;
    const d = this.params.dim;
    const threads = this.params.threads;
    if (n >= PARALLEL_BATCH) {
      this.#index.add(
        BigUint64Array.from(keys, (k) => BigInt(k)),
        vectors.subarray(0, n * d),
        threads,
      );
    } else {
      // one vector per call: usearch inserts it on the calling thread (no concurrent inserts into a small batch's
      // neighbourhood, measured to leave fewer unreachable nodes), still reserving `threads` contexts
      for (let i = 0; i < n; i++) {
        this.#index.add(BigUint64Array.of(BigInt(keys[i] as number)), vectors.subarray(i * d, (i + 1) * d), threads);
      }
    }
    for (let i = 0; i < n; i++) this.#ids.set(keys[i] as number, ids[i] as string);
    if (this.#mirror) {
      if (this.size > this.params.exactBelow) this.#mirror = undefined;
      else this.#mirror.add(keys, vectors, n);
    }
  }

  /** Remove keys; keys that are not present are ignored. */
  remove(keys: readonly number[]): void {
    const present = keys.filter((k) => this.#ids.has(k));
    if (present.length === 0) return;
    this.#index.remove(BigUint64Array.from(present, (k) => BigInt(k)));
    for (const k of present) this.#ids.delete(k);
    this.#mirror?.remove(present);
  }

  /** Whether the exact mirror should be rebuilt (the collection shrank well below the threshold). */
  wantsMirror(): boolean {
    return this.#mirror === undefined && this.params.exactBelow > 0 && this.size <= this.params.exactBelow / 2;
  }

  /** Install an exact mirror built from every live vector (see `wantsMirror`). */
  setMirror(keys: readonly number[], vectors: Float32Array): void {
    const m = new ExactMirror(this.params.dim, Math.max(64, keys.length));
    m.add(keys, vectors, keys.length);
    this.#mirror = m;
  }

  /**
   * The `k` best keys for each of `n` row-major queries: exact while the mirror exists, else through HNSW with a
   * candidate list of at least `ef`.
   */
  search(queries: Float32Array, n: number, k: number, ef: number): KeyList[] {
    if (this.size === 0) return Array.from({ length: n }, () => []);
    if (this.#mirror) {
      return this.#mirror.search(queries, n, k, this.usearchMetric, this.params.threads);
    }
    // usearch searches with a candidate list of max(its efSearch, count asked): ask for `k` unless `ef` is larger
    // than the index's own, then ask for `ef` results to raise it (asking for ef results when the index already
    // uses ef made usearch sort and return, and us copy, ef instead of k keys per query for nothing)
    const wanted = ef > this.params.efSearch ? Math.max(k, ef) : k;
    const d = this.params.dim;
    const result = this.#index.search(queries.subarray(0, n * d), wanted, Math.min(this.params.threads, n));
    const out: KeyList[] = [];
    if (n === 1) {
      out.push(Array.from(result.keys.subarray(0, k), Number));
      return out;
    }
    const batch = result as unknown as { keys: BigUint64Array; counts: BigUint64Array };
    for (let i = 0; i < n; i++) {
      const count = Math.min(k, Number(batch.counts[i]));
      const row: number[] = new Array(count);
      for (let j = 0; j < count; j++) row[j] = Number(batch.keys[i * wanted + j]);
      out.push(row);
    }
    return out;
  }

  /** Write the HNSW graph to `path` (the caller makes the file durable). */
  save(path: string): void {
    this.#index.save(path);
  }

  /**
   * Replace the graph with the one saved at `path`, for the given live keys. Returns false (leaving an empty
   * graph) when the file cannot be loaded or does not hold exactly `expected` vectors.
   */
  load(path: string, expected: number): boolean {
    const index = this.#newIndex();
    try {
      index.load(path);
    } catch {
      return false;
    }
    if (index.size() !== expected || index.dimensions() !== this.params.dim) return false;
    this.#index = index;
    return true;
  }

  /** Register the ids of vectors that a loaded snapshot holds (no graph change). */
  adoptKeys(entries: Iterable<[number, string]>): void {
    for (const [k, id] of entries) this.#ids.set(k, id);
  }

  /** Remove keys from the graph alone (a loaded snapshot's vectors deleted after it was taken). */
  removeFromGraph(keys: readonly number[]): void {
    if (keys.length > 0) this.#index.remove(BigUint64Array.from(keys, (k) => BigInt(k)));
  }

  /** Number of vectors the graph itself holds (equal to `size` when consistent). */
  get graphSize(): number {
    return this.#index.size();
  }

  /** Whether the graph holds exactly the live keys (same count, and every live key present). */
  consistent(): boolean {
    if (this.#index.size() !== this.#ids.size) return false;
    if (this.#ids.size === 0) return true;
    const present = this.#index.contains(BigUint64Array.from(this.#ids.keys(), (k) => BigInt(k))) as boolean[];
    return present.every(Boolean);
  }

  /** Drop everything. */
  reset(): void {
    this.#index = this.#newIndex();
    this.#ids.clear();
    this.#mirror = this.params.exactBelow > 0 ? new ExactMirror(this.params.dim) : undefined;
  }

  #newIndex(): Index {
    const p = this.params;
    return new Index({
      dimensions: p.dim,
      metric: this.usearchMetric,
      quantization: ScalarKind.F32,
      connectivity: p.M,
      expansion_add: p.efConstruction,
      expansion_search: p.efSearch,
      multi: false,
    });
  }
}
