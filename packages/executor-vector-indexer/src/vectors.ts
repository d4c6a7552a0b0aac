/**
 * Embeddings as numbers: converting a Document's embedding (any dtype weft supports) into the float32 rows usearch
 * indexes and the float64 values exact scores are computed from, and the exact score of each metric. Scores are
 * recomputed in float64 from the stored embeddings, so they equal what weft's `DocumentArray.match` reports and
 * compare across shards whatever precision the graph search used.
 */
import { BadArgumentError, BadDocumentError, type Document, halfToFloat, type NdArray } from '@weft-ai/weft';
import type { IndexMetric } from './options.js';

/** usearch's name for each metric (its `l2sq` is the squared distance; scores take the root). */
export const USEARCH_METRIC = { cosine: 'cos', l2: 'l2sq', ip: 'ip' } as const;

/** Whether a smaller score is better (distances) or a larger one (similarities). */
export function ascending(metric: IndexMetric): boolean {
  return metric !== 'ip';
}

/** The values of an embedding as plain numbers (half floats decoded, 64-bit integers converted). */
export function embeddingValues(e: NdArray): ArrayLike<number> {
  const data = e.data;
  if (e.dtype === '<f2') return Float64Array.from(data as Uint16Array, halfToFloat);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float64Array.from(data, Number);
  return data as ArrayLike<number>;
}

/**
 * Copy `doc`'s embedding into `out` at row `row` (as float32), checking its presence, size and finiteness.
 * Throws `BadDocumentError` (no embedding, non-finite values) or `BadArgumentError` (wrong size).
 */
export function writeRow(doc: Document, dim: number, out: Float32Array, row: number, role: string): void {
  const e = doc.embedding;
  if (!e) {
    throw new BadDocumentError(`VectorIndexer: ${role} document '${doc.id}' has no embedding`, {
      details: { id: doc.id, field: 'embedding' },
    });
  }
  if (e.size !== dim) throw dimMismatch(doc, e.size, dim, role);
  const values = embeddingValues(e);
  const o = row * dim;
  for (let j = 0; j < dim; j++) {
    const v = values[j] as number;
    if (!Number.isFinite(v)) {
      throw new BadDocumentError(
        `VectorIndexer: ${role} document '${doc.id}' has a non-finite embedding value (${v}) at position ${j}`,
        { details: { id: doc.id, field: 'embedding', position: j } },
      );
    }
    out[o + j] = v;
  }
}

export function dimMismatch(doc: Document, got: number, dim: number, role: string): BadArgumentError {
  return new BadArgumentError(
    `VectorIndexer: ${role} document '${doc.id}' has an embedding of ${got} values but this index holds ${dim}-dimensional vectors; every embedding must have ${dim} values`,
    { details: { id: doc.id, size: got, expected: dim } },
  );
}

/** A query prepared for exact scoring: its float64 values and (for cosine) its norm. */
export interface ScoringQuery {
  values: Float64Array;
  norm: number;
}

export function scoringQuery(row: Float32Array): ScoringQuery {
  const values = Float64Array.from(row);
  let s = 0;
  for (let j = 0; j < values.length; j++) s += (values[j] as number) * (values[j] as number);
  return { values, norm: Math.sqrt(s) };
}

/** The exact score of `x` (its values from `x[at]` on) for query `q` under `metric` (cosine and l2: distance; ip: inner product). */
export function exactScore(metric: IndexMetric, q: ScoringQuery, x: ArrayLike<number>, at = 0): number {
  const a = q.values;
  const d = a.length;
  if (metric === 'l2') {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = (a[j] as number) - (x[at + j] as number);
      s += t * t;
    }
    return Math.sqrt(s);
  }
  let dot = 0;
  let xx = 0;
  for (let j = 0; j < d; j++) {
    const v = x[at + j] as number;
    dot += (a[j] as number) * v;
    xx += v * v;
  }
  if (metric === 'ip') return dot;
  const denom = q.norm * Math.sqrt(xx);
  return denom > 0 ? 1 - dot / denom : 1;
}
