/**
 * `/search`: for each query document, the `limit` best stored documents as `matches` with `scores[metric]`.
 * Candidates come from the exact mirror (small collections) or the HNSW graph, are resolved to stored documents
 * (skipping keys whose document has since been replaced or deleted), filtered, re-scored exactly in float64 and
 * sorted. With a filter, the candidate list grows with the pass rate observed so far until `limit` documents pass;
 * when the filter is so selective that the graph would have to be searched through a large part of the
 * collection, the store is scanned instead (filtered brute force), so enough matches always come back.
 */
import { compileFilter, type Document } from '@weft-ai/weft';
import { exactTopK } from './exact-mirror.js';
import type { IndexState } from './index-state.js';
import { recordDocument, recordKey } from './record.js';
import type { SearchParams } from './request-params.js';
import type { VectorSpace } from './vector-space.js';
import { ascending, embeddingValues, exactScore, scoringQuery, writeRow } from './vectors.js';

/** Past this share of the collection as graph candidates, a filtered search scans the store instead. */
const SCAN_FRACTION = 0.2;
/** Grow the candidate list by this margin over what the observed pass rate predicts. */
const MARGIN = 1.5;

type Keep = (doc: Document) => boolean;

/** Write `matches` on every query document. Throws for a query without embedding or of another size. */
export function searchInto(state: IndexState, queries: readonly Document[], p: SearchParams): void {
  const n = queries.length;
  if (n === 0) return;
  const space = state.space;
  const keep = p.filter ? compileFilter(p.filter) : undefined;
  if (!space || space.size === 0) {
    for (const q of queries) q.matches = [];
    return;
  }
  const d = space.params.dim;
  const Q = new Float32Array(n * d);
  queries.forEach((q, i) => {
    writeRow(q, d, Q, i, 'query');
  });
  const resolver = new Resolver(state, space, keep);
  const found: Document[][] = new Array(n);
  const scan: number[] = [];
  if (p.exact) {
    for (let i = 0; i < n; i++) scan.push(i);
  } else {
    const ef = p.ef ?? space.params.efSearch;
    const first = Math.max(p.limit, keep ? ef : 0);
    const lists = space.search(Q, n, first, ef);
    for (let i = 0; i < n; i++) {
      const r = grow(space, resolver, Q.subarray(i * d, (i + 1) * d), lists[i] ?? [], first, p.limit, ef);
      if (r === undefined) scan.push(i);
      else found[i] = r;
    }
  }
  if (scan.length > 0) scanStore(state, space, keep, Q, scan, p.limit, found);
  const metric = space.params.metric;
  queries.forEach((q, i) => {
    const sq = scoringQuery(Q.subarray(i * d, (i + 1) * d));
    const scored = (found[i] ?? []).map((doc) => ({
      doc,
      score: exactScore(metric, sq, embeddingValues(doc.embedding as NonNullable<Document['embedding']>)),
    }));
    const sign = ascending(metric) ? 1 : -1;
    scored.sort((a, b) => sign * (a.score - b.score) || (a.doc.id < b.doc.id ? -1 : a.doc.id > b.doc.id ? 1 : 0));
    const adjacency = (q.adjacency ?? 0) + 1;
    q.matches = scored.slice(0, p.limit).map(({ doc, score }) => {
      const m = doc.shallowCopy();
      if (!p.includeEmbeddings) m.embedding = undefined;
      m.scores[metric] = { value: score };
      if (p.calibration) {
        const similarity = metric === 'cosine' ? 1 - score : metric === 'ip' ? score : -score;
        const { threshold, width } = p.calibration;
        m.scores.calibrated = { value: 1 / (1 + Math.exp(-(similarity - threshold) / width)) };
        m.scores.match = { value: similarity >= threshold ? 1 : 0 };
      }
      m.adjacency = adjacency;
      return m;
    });
    if (p.dropQueryEmbedding) q.embedding = undefined;
  });
}

/**
 * Resolve candidates of one query until `limit` pass, asking the space for more while its answers were complete.
 * Returns undefined when the query should scan the store instead.
 */
function grow(
  space: VectorSpace,
  resolver: Resolver,
  q: Float32Array,
  keys: number[],
  asked: number,
  limit: number,
  ef: number,
): Document[] | undefined {
  for (;;) {
    const passing = resolver.resolveAll(keys);
    if (passing.length >= limit) return passing;
    const exhausted = keys.length < asked || asked >= space.size;
    if (exhausted) {
      // the graph may not reach every node (deletions can disconnect it): scan when a filter is involved
      return resolver.filtered && !space.exact && passing.length < limit ? undefined : passing;
    }
    const rate = passing.length / keys.length;
    const predicted = rate > 0 ? Math.ceil((limit / rate) * MARGIN) : asked * 8;
    const next = Math.min(space.size, Math.max(predicted, asked * 2));
    if (resolver.filtered && !space.exact && next > SCAN_FRACTION * space.size) return undefined;
    asked = next;
    keys = space.search(q, 1, asked, ef)[0] ?? [];
  }
}

/** Exact search of the given queries over every stored document that passes `keep` (one pass over the store). */
function scanStore(
  state: IndexState,
  space: VectorSpace,
  keep: Keep | undefined,
  Q: Float32Array,
  which: readonly number[],
  limit: number,
  found: Document[][],
): void {
  const d = space.params.dim;
  const docs: Document[] = [];
  let rows = new Float32Array(1024 * d);
  for (const { record } of state.store.records()) {
    // only what the in-memory index holds: the same view the graph path has
    if (!space.has(recordKey(record))) continue;
    const doc = recordDocument(record);
    if (keep && !keep(doc)) continue;
    if ((docs.length + 1) * d > rows.length) {
      const bigger = new Float32Array(rows.length * 2);
      bigger.set(rows);
      rows = bigger;
    }
    writeRow(doc, d, rows, docs.length, 'stored');
    docs.push(doc);
  }
  const queries = new Float32Array(which.length * d);
  which.forEach((qi, j) => {
    queries.set(Q.subarray(qi * d, (qi + 1) * d), j * d);
  });
  const lists = exactTopK(
    rows,
    docs.length,
    d,
    queries,
    which.length,
    limit,
    space.usearchMetric,
    space.params.threads,
  );
  which.forEach((qi, j) => {
    found[qi] = (lists[j] ?? []).map((row) => docs[row] as Document);
  });
}

/** Key -> stored document that passes the filter (cached per request; null: stale or filtered out). */
class Resolver {
  readonly #state: IndexState;
  readonly #space: VectorSpace;
  readonly #keep: Keep | undefined;
  readonly #cache = new Map<number, Document | null>();

  constructor(state: IndexState, space: VectorSpace, keep: Keep | undefined) {
    this.#state = state;
    this.#space = space;
    this.#keep = keep;
  }

  get filtered(): boolean {
    return this.#keep !== undefined;
  }

  resolveAll(keys: readonly number[]): Document[] {
    const out: Document[] = [];
    for (const k of keys) {
      const doc = this.resolve(k);
      if (doc) out.push(doc);
    }
    return out;
  }

  resolve(key: number): Document | null {
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    let doc: Document | null = null;
    const id = this.#space.idOf(key);
    const record = id === undefined ? undefined : this.#state.store.record(id);
    // a record under another key is a newer version whose vector is not in memory yet: skip this stale key
    if (record && recordKey(record) === key) {
      const d = recordDocument(record);
      if (!this.#keep || this.#keep(d)) doc = d;
    }
    this.#cache.set(key, doc);
    return doc;
  }
}
