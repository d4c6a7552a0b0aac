/**
 * Sharding helpers. `shardOf` places an id on a shard (the `partition: 'id-hash'` rule, usable by anyone routing
 * documents). `mergeShardMatches` finishes what a head's reduce starts when `/search` is polled on ALL shards:
 * the reduce concatenates each query's matches from every shard (a union by id), and the result only becomes the
 * global top-`limit` once it is sorted by score again and truncated.
 */
import { BadArgumentError, type Document, type DocumentArray } from 'weft';
import type { IndexMetric } from './options.js';
import { DEFAULT_LIMIT } from './request-params.js';
import { ascending } from './vectors.js';

/**
 * The shard (0 … shards-1) that owns `id`: FNV-1a (32-bit) of its UTF-8 bytes, modulo `shards`.
 * @example shardOf('sku-123', 4) // always the same shard for 'sku-123'
 */
export function shardOf(id: string, shards: number): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(id, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shards;
}

export interface MergeOptions {
  /** The indexers' metric: the score key to sort by and its direction. */
  metric: IndexMetric;
  /** Matches kept per query (default 10, as `/search`). */
  limit?: number;
}

/**
 * Sort each query's matches best first by `scores[metric]` and keep the first `limit`, in place; returns `docs`.
 * Matches without that score sort last.
 * @example mergeShardMatches(reducedDocs, { metric: 'cosine', limit: 10 })
 */
export function mergeShardMatches(docs: DocumentArray, options: MergeOptions): DocumentArray {
  const limit = options.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new BadArgumentError(`mergeShardMatches: limit must be a positive integer, got ${limit}`);
  }
  const sign = ascending(options.metric) ? 1 : -1;
  const value = (m: Document): number => {
    const v = m.scores[options.metric]?.value;
    return v === undefined ? Number.POSITIVE_INFINITY : sign * v;
  };
  for (const q of docs) {
    if (q.matchCount === 0) continue;
    const sorted = q.matches.toArray().sort((a, b) => value(a) - value(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    q.matches = sorted.slice(0, limit);
  }
  return docs;
}
