/**
 * A dense in-memory copy of the vectors of a small collection, for exact (brute-force) search through usearch's
 * native `exactSearch`. The indexer keeps it only while the collection is at most `exactBelow` documents: below
 * that size a full scan costs about as much as an HNSW query and is never wrong.
 */
import { exactSearch, type MetricKind } from 'usearch';

export class ExactMirror {
  readonly dim: number;
  #data: Float32Array;
  #keys: Float64Array;
  readonly #rowOf = new Map<number, number>();

  constructor(dim: number, capacity = 64) {
    this.dim = dim;
    this.#data = new Float32Array(capacity * dim);
    this.#keys = new Float64Array(capacity);
  }

  get size(): number {
    return this.#rowOf.size;
  }

  /** Add `count` rows of `vectors` (row-major) under `keys`. */
  add(keys: ArrayLike<number>, vectors: Float32Array, count: number): void {
    const d = this.dim;
    this.#reserve(this.size + count);
    for (let i = 0; i < count; i++) {
      const row = this.size;
      const key = keys[i] as number;
      this.#data.set(vectors.subarray(i * d, (i + 1) * d), row * d);
      this.#keys[row] = key;
      this.#rowOf.set(key, row);
    }
  }

  /** Remove keys (unknown keys are ignored); the last row moves into each hole. */
  remove(keys: Iterable<number>): void {
    const d = this.dim;
    for (const key of keys) {
      const row = this.#rowOf.get(key);
      if (row === undefined) continue;
      const last = this.size - 1;
      this.#rowOf.delete(key);
      if (row !== last) {
        const moved = this.#keys[last] as number;
        this.#data.copyWithin(row * d, last * d, (last + 1) * d);
        this.#keys[row] = moved;
        this.#rowOf.set(moved, row);
      }
    }
  }

  /** The `k` nearest keys of each of `n` queries (row-major in `queries`), best first per usearch's metric. */
  search(queries: Float32Array, n: number, k: number, metric: MetricKind, threads: number): number[][] {
    const rows = exactTopK(this.#data, this.size, this.dim, queries, n, k, metric, threads);
    return rows.map((list) => list.map((r) => this.#keys[r] as number));
  }

  #reserve(rows: number): void {
    if (rows <= this.#keys.length) return;
    const capacity = Math.max(rows, this.#keys.length * 2);
    const data = new Float32Array(capacity * this.dim);
    data.set(this.#data);
    const keys = new Float64Array(capacity);
    keys.set(this.#keys);
    this.#data = data;
    this.#keys = keys;
  }
}

/**
 * Brute-force top-`k` rows of `dataset` (its first `rows` rows of `dim` values) for each of `n` queries, best first
 * per usearch's metric, through usearch's native `exactSearch`. Returns one list of row numbers per query.
 */
export function exactTopK(
  dataset: Float32Array,
  rows: number,
  dim: number,
  queries: Float32Array,
  n: number,
  k: number,
  metric: MetricKind,
  threads: number,
): number[][] {
  const kk = Math.min(k, rows);
  if (kk === 0) return Array.from({ length: n }, () => []);
  // usearch's exactSearch reads typed arrays from the start of their buffer (it ignores byteOffset): pass arrays
  // that start at offset 0
  const data = dataset.byteOffset === 0 ? dataset.subarray(0, rows * dim) : dataset.slice(0, rows * dim);
  const q = queries.byteOffset === 0 ? queries.subarray(0, n * dim) : queries.slice(0, n * dim);
  const keys = exactSearch(data, q, dim, kk, metric, Math.max(1, Math.min(threads, n))).keys;
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const list: number[] = new Array(kk);
    for (let j = 0; j < kk; j++) list[j] = Number(keys[i * kk + j]);
    out.push(list);
  }
  return out;
}
