/**
 * Exact nearest-neighbour matching for DocumentArray (`match()` and `find(vector)`), docarray v1 semantics:
 * each query gets the `limit` closest index documents as shallow copies carrying `scores[metric]`, best first.
 * The index is packed once per call into one contiguous typed array and scanned in cache-sized tiles by blocked
 * kernels (WebAssembly SIMD in `simd-kernels.ts`, plain JS in `metrics.ts` for float64 data or as a fallback);
 * a bounded heap per query keeps the best candidates.
 */
import { BadArgumentError } from '../errors/index.js';
import { Document } from './document.js';
import { DocumentArray } from './document-array.js';
import { halfToFloat, isTypedArray, type TypedArray } from './dtype.js';
import { inverseNorms, scanDot, scanSqDist, type Vectors } from './metrics.js';
import { NdArray } from './ndarray.js';
import { simdWorkspace } from './simd-kernels.js';
import { TopK } from './top-k.js';

/**
 * `cosine`: cosine distance `1 - cos` (ascending); `euclidean`: L2 distance; `sqeuclidean`: squared L2;
 * `dot`: inner product, a similarity (descending).
 */
export type Metric = 'cosine' | 'euclidean' | 'sqeuclidean' | 'dot';

export interface MatchOptions {
  /** Default `'cosine'`. */
  metric?: Metric;
  /** Matches kept per query; default 20 (as docarray). */
  limit?: number;
  /** Skip index documents whose id equals the query's id. */
  excludeSelf?: boolean;
}

export interface FindOptions {
  metric?: Metric;
  limit?: number;
}

/** One query vector: a vector, a `[1, d]` array, a Document (its embedding) or a DocumentArray of one. */
export type VectorQuery = NdArray | TypedArray | readonly number[] | Document | DocumentArray;

const METRICS: readonly Metric[] = ['cosine', 'euclidean', 'sqeuclidean', 'dot'];
const DEFAULT_LIMIT = 20;
/** dtypes whose values float32 cannot hold exactly: an index of them is packed as float64. */
const WIDE_DTYPES = new Set(['<f8', '<i4', '<u4', '<i8', '<u8']);

/**
 * For every document of `queries`, replace its `matches` with the `limit` nearest documents of `index`
 * (shallow copies with `scores[metric]` and `adjacency` = the query's + 1, as docarray).
 * Throws `BadArgumentError` (WEFT_BAD_ARGUMENT) for an unknown metric, a bad limit, a missing embedding or
 * embeddings of different sizes.
 * @example matchArrays(queries, index, { metric: 'euclidean', limit: 5 })
 */
export function matchArrays(queries: DocumentArray, index: DocumentArray, options: MatchOptions): void {
  const { metric, limit } = checkOptions(options, 'match');
  const qDocs = queries.toArray();
  const xDocs = index.toArray();
  const qEmb = embeddingsOf(qDocs, 'query', 'match');
  const xEmb = embeddingsOf(xDocs, 'index', 'match');
  if (qDocs.length === 0) return;
  if (xDocs.length === 0) {
    for (const q of qDocs) q.matches = new DocumentArray();
    return;
  }
  // with excludeSelf, keep room for the index documents that share a query's id, then drop them
  let extra = 0;
  let idCounts: Map<string, number> | undefined;
  if (options.excludeSelf) {
    idCounts = new Map();
    for (const d of xDocs) idCounts.set(d.id, (idCounts.get(d.id) ?? 0) + 1);
    for (const q of qDocs) extra = Math.max(extra, idCounts.get(q.id) ?? 0);
  }
  const ranked = rank(qEmb, xEmb, metric, limit + extra, 'match');
  qDocs.forEach((q, i) => {
    const matches = collect(ranked, i, xDocs, metric, limit, idCounts ? q.id : undefined);
    // as docarray's MatchArray: a match sits one adjacency level below its query
    const adjacency = (q.adjacency ?? 0) + 1;
    for (const m of matches) m.adjacency = adjacency;
    q.matches = DocumentArray.wrap(matches);
  });
}

/**
 * The `limit` documents of `da` nearest to one query vector, as shallow copies with `scores[metric]`.
 * Throws `BadArgumentError` when the query holds several vectors (use `match()` for those).
 * @example findByVector(da, new Float32Array([0.1, 0.2, 0.3]), { limit: 3 })
 */
export function findByVector(da: DocumentArray, query: VectorQuery, options: FindOptions): DocumentArray {
  const { metric, limit } = checkOptions(options, 'find');
  const vector = queryVector(query);
  const xDocs = da.toArray();
  const xEmb = embeddingsOf(xDocs, 'index', 'find');
  if (xDocs.length === 0) return new DocumentArray();
  const ranked = rank([vector], xEmb, metric, limit, 'find');
  return DocumentArray.wrap(collect(ranked, 0, xDocs, metric, limit, undefined));
}

interface Ranked {
  top: TopK;
  /** Per query: `1 / |q|` (cosine only). */
  invQueryNorms: Float64Array | undefined;
}

/** Pack, scan and select: the `cap` best index rows for each query. */
function rank(queries: readonly NdArray[], index: readonly NdArray[], metric: Metric, cap: number, op: string): Ranked {
  const qDim = (queries[0] as NdArray).size;
  const d = (index[0] as NdArray).size;
  if (qDim !== d) {
    throw new BadArgumentError(
      `${op}: query embeddings have ${qDim} dimensions but index embeddings have ${d}; both sides must use the same embedding size`,
      { details: { queryDim: qDim, indexDim: d } },
    );
  }
  const m = queries.length;
  const n = index.length;
  const top = new TopK(m, Math.min(cap, n));
  // queries are always packed as float64; the index as float32 when that holds its values exactly, which lets
  // it go through the WebAssembly SIMD kernels (when the runtime has them)
  const wide = index.some(isWide);
  const simd = wide ? undefined : simdWorkspace(m, n, d);
  let invQueryNorms: Float64Array | undefined;
  if (simd) {
    const { Q, X, stride } = simd;
    pack(queries, d, Q, stride);
    pack(index, d, X, stride);
    if (metric === 'cosine') invQueryNorms = inverseNorms(Q, m, stride);
    const scale = metric === 'cosine' ? simd.inverseRowNorms() : undefined;
    simd.scan(metric === 'cosine' || metric === 'dot' ? 'dot' : 'sqdist', scale, top);
    return { top, invQueryNorms };
  }
  const Q = pack(queries, d, new Float64Array(m * d), d);
  const X = pack(index, d, wide ? new Float64Array(n * d) : new Float32Array(n * d), d);
  if (metric === 'cosine') {
    invQueryNorms = inverseNorms(Q, m, d);
    scanDot(Q, m, X, n, d, inverseNorms(X, n, d), top);
  } else if (metric === 'dot') {
    scanDot(Q, m, X, n, d, new Float64Array(n).fill(1), top);
  } else {
    scanSqDist(Q, m, X, n, d, top);
  }
  return { top, invQueryNorms };
}

/** Shallow copies of the ranked index documents of query `q`, best first, with their scores. */
function collect(
  ranked: Ranked,
  q: number,
  docs: readonly Document[],
  metric: Metric,
  limit: number,
  skipId: string | undefined,
): Document[] {
  const { top, invQueryNorms } = ranked;
  const count = top.finish(q);
  const base = q * top.cap;
  const invQ = invQueryNorms ? (invQueryNorms[q] as number) : 0;
  const out: Document[] = [];
  for (let i = 0; i < count && out.length < limit; i++) {
    const src = docs[top.ids[base + i] as number] as Document;
    if (skipId !== undefined && src.id === skipId) continue;
    const key = top.keys[base + i] as number;
    // keys: cosine -(q . x) / |x|; dot -(q . x); euclidean and sqeuclidean |q - x|^2
    let value = key;
    if (metric === 'cosine') value = 1 + key * invQ;
    else if (metric === 'dot') value = -key;
    else if (metric === 'euclidean') value = Math.sqrt(key);
    const copy = src.shallowCopy();
    copy.scores[metric] = { value };
    out.push(copy);
  }
  return out;
}

/** Every document's embedding; throws naming the first document without one or of another size. */
function embeddingsOf(docs: readonly Document[], role: 'query' | 'index', op: string): NdArray[] {
  const out: NdArray[] = new Array(docs.length);
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i] as Document;
    const e = doc.embedding;
    if (!e) {
      throw new BadArgumentError(
        `${op}: ${role} document ${i} (id '${doc.id}') has no embedding; every document must have one to be matched`,
        { details: { role, index: i, id: doc.id } },
      );
    }
    const first = out[0];
    if (first && e.size !== first.size) {
      throw new BadArgumentError(
        `${op}: ${role} document ${i} (id '${doc.id}') has an embedding of ${e.size} values but ${role} document 0 has ${first.size}; all embeddings must have the same size`,
        { details: { role, index: i, id: doc.id, size: e.size, expected: first.size } },
      );
    }
    out[i] = e;
  }
  return out;
}

/** Copy embeddings of `d` values into `out` as rows `stride` values apart (zeros in between); returns `out`. */
function pack<T extends Vectors>(embeddings: readonly NdArray[], d: number, out: T, stride: number): T {
  for (let i = 0; i < embeddings.length; i++) {
    const e = embeddings[i] as NdArray;
    const data = e.data;
    const o = i * stride;
    if (e.dtype === '<f2') {
      for (let j = 0; j < d; j++) out[o + j] = halfToFloat(data[j] as number);
    } else if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
      for (let j = 0; j < d; j++) out[o + j] = Number(data[j]);
    } else {
      out.set(data as Float32Array, o);
    }
    if (stride > d) out.fill(0, o + d, o + stride);
  }
  return out;
}

function isWide(e: NdArray): boolean {
  return WIDE_DTYPES.has(e.dtype);
}

/** The single vector a `find()` query stands for. */
function queryVector(query: VectorQuery): NdArray {
  if (query instanceof Document) {
    if (!query.embedding) {
      throw new BadArgumentError(`find: the query Document (id '${query.id}') has no embedding`, {
        details: { id: query.id },
      });
    }
    return query.embedding;
  }
  if (query instanceof DocumentArray) {
    if (query.length !== 1) {
      throw new BadArgumentError(
        `find: takes one query but got a DocumentArray of ${query.length} documents; use queries.match(index) to search for several at once`,
        { details: { queries: query.length } },
      );
    }
    return queryVector(query.at(0) as Document);
  }
  let array: NdArray;
  if (query instanceof NdArray) array = query;
  else if (isTypedArray(query)) array = new NdArray(query);
  else if (Array.isArray(query)) array = NdArray.from(query, 'query');
  else {
    throw new BadArgumentError('find: the query must be a vector (NdArray, typed array, number[]) or a Document');
  }
  if (array.ndim === 1) return array;
  if (array.ndim === 2 && array.shape[0] === 1) return array.row(0);
  if (array.ndim === 2) {
    throw new BadArgumentError(
      `find: takes one query vector but got a [${array.shape.join(', ')}] array of ${array.shape[0]} vectors; use queries.match(index) to search for several at once`,
      { details: { shape: array.shape } },
    );
  }
  throw new BadArgumentError(`find: the query vector must be 1-d (or [1, d]), got shape [${array.shape.join(', ')}]`, {
    details: { shape: array.shape },
  });
}

function checkOptions(options: MatchOptions, op: string): { metric: Metric; limit: number } {
  const metric = options.metric ?? 'cosine';
  if (!METRICS.includes(metric)) {
    throw new BadArgumentError(`${op}: unknown metric '${String(metric)}'; use one of ${METRICS.join(', ')}`, {
      details: { metric },
    });
  }
  const limit = options.limit ?? DEFAULT_LIMIT;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
    throw new BadArgumentError(`${op}: limit must be a positive integer, got ${String(limit)}`, { details: { limit } });
  }
  return { metric, limit };
}
