/**
 * Global top-k for sharded search. Under polling ALL every shard answers a query with its own best matches; the
 * reduce by id concatenates them per document, which is not yet the global answer. Ranking sorts each document's
 * merged `matches` best first by their score and keeps the requested limit, so a sharded `/search` answers what one
 * unsharded index would.
 *
 * Which score and which direction: the score is one the matches carry (`scores[<name>]`, e.g. VectorIndexer's
 * `scores[metric]`). The direction is read from the shards' own answers, which list matches best first: scores
 * that only rise along a shard's list are distances (smaller is better), scores that only fall are similarities.
 * When no shard's list shows a direction (one match each, or ties), the score's name decides: the distances weft,
 * docarray and VectorIndexer write (`cosine` = 1 - cos, `euclidean`, `l2`, …) ascend, similarities (`ip`, `dot`, …)
 * descend. A score in neither state (unknown name, or lists that disagree) leaves the reduce order untouched.
 *
 * The limit is the request's `parameters.limit` (or Jina's `top_k`). Without one the head cannot know the
 * executor's default, so every match is kept, sorted.
 */
import type { Document, DocumentArray, JsonObject } from '../../document/index.js';

/** Smaller is better. */
const DISTANCES = new Set([
  'cosine',
  'cosine_distance',
  'euclidean',
  'sqeuclidean',
  'l2',
  'l2sq',
  'sql2',
  'l1',
  'manhattan',
  'cityblock',
  'chebyshev',
  'hamming',
  'jaccard',
  'distance',
]);

/** Larger is better. */
const SIMILARITIES = new Set([
  'ip',
  'dot',
  'inner_product',
  'cosine_similarity',
  'cosine_sim',
  'similarity',
  'relevance',
  'bm25',
]);

export type ScoreOrder = 'ascending' | 'descending';

export interface MatchRanking {
  /** The score the matches are sorted by (`scores[score]`). */
  score: string;
  order: ScoreOrder;
  /** Matches kept per document; undefined keeps all of them. */
  limit: number | undefined;
}

/**
 * How to rank the merged matches of the shards' answers (inspected before they are reduced), or undefined when
 * the matches carry no score whose order can be told.
 * @example const ranking = matchRanking(answers.map((a) => a.docs), request.parameters);
 */
export function matchRanking(answers: readonly DocumentArray[], parameters: JsonObject): MatchRanking | undefined {
  const lists: Document[][] = [];
  for (const docs of answers) collectMatchLists(docs, lists);
  for (const score of scoreNames(lists)) {
    const order = observedOrder(lists, score) ?? namedOrder(score);
    if (order === 'mixed') continue;
    if (order) return { score, order, limit: requestedLimit(parameters) };
  }
  return undefined;
}

/**
 * Sort every document's (and, recursively, every chunk's) matches by `ranking`, best first, and keep the first
 * `ranking.limit`, in place. Matches without the score go last; ties are broken by id, so the result does not
 * depend on the order shards answered in.
 * @example rankMatches(reduced.docs, { score: 'cosine', order: 'ascending', limit: 10 })
 */
export function rankMatches(docs: DocumentArray, ranking: MatchRanking): void {
  const sign = ranking.order === 'ascending' ? 1 : -1;
  const key = (m: Document): number => {
    const v = m.scores[ranking.score]?.value;
    return v === undefined || Number.isNaN(v) ? Number.POSITIVE_INFINITY : sign * v;
  };
  const limit = ranking.limit ?? Number.POSITIVE_INFINITY;
  const visit = (list: DocumentArray): void => {
    for (const doc of list) {
      if (doc.chunkCount > 0) visit(doc.chunks);
      if (doc.matchCount <= 1) continue;
      const keyed = doc.matches.toArray().map((m) => ({ m, k: key(m) }));
      keyed.sort((a, b) => compare(a.k, b.k) || compare(a.m.id, b.m.id));
      doc.matches = keyed.slice(0, limit).map((e) => e.m);
    }
  };
  visit(docs);
}

/** `parameters.limit`, else `parameters.top_k`, when a positive integer. */
export function requestedLimit(parameters: JsonObject): number | undefined {
  for (const name of ['limit', 'top_k']) {
    const v = parameters[name];
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  }
  return undefined;
}

/** The order a score's name implies, when it is a well-known distance or similarity. */
export function namedOrder(score: string): ScoreOrder | undefined {
  const name = score.toLowerCase();
  if (DISTANCES.has(name)) return 'ascending';
  if (SIMILARITIES.has(name)) return 'descending';
  return undefined;
}

function compare<T extends number | string>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every non-empty `matches` list of `docs` and of their chunks, recursively. */
function collectMatchLists(docs: DocumentArray, out: Document[][]): void {
  for (const doc of docs) {
    if (doc.matchCount > 0) out.push(doc.matches.toArray());
    if (doc.chunkCount > 0) collectMatchLists(doc.chunks, out);
  }
}

/** Score names on the matches, in the order they are first seen. */
function scoreNames(lists: readonly Document[][]): string[] {
  const names = new Set<string>();
  for (const list of lists) for (const m of list) for (const name of Object.keys(m.scores)) names.add(name);
  return [...names];
}

/**
 * The direction `score` takes along the shards' lists: 'mixed' when it both rises and falls (the lists are not
 * sorted by it), undefined when it does neither (single matches, ties).
 */
function observedOrder(lists: readonly Document[][], score: string): ScoreOrder | 'mixed' | undefined {
  let rises = false;
  let falls = false;
  for (const list of lists) {
    let prev: number | undefined;
    for (const m of list) {
      const v = m.scores[score]?.value;
      if (v === undefined || Number.isNaN(v)) continue;
      if (prev !== undefined) {
        if (v > prev) rises = true;
        else if (v < prev) falls = true;
      }
      prev = v;
    }
    if (rises && falls) return 'mixed';
  }
  if (rises) return 'ascending';
  if (falls) return 'descending';
  return undefined;
}
