/**
 * `/search`: for each query document, the `limit` best stored documents as `matches` with `scores[metric]`.
 * Candidates come from the exact mirror (small collections) or the HNSW graph, are resolved to stored documents
 * (skipping keys whose document has since been replaced or deleted), filtered, re-scored exactly in float64 and
 * sorted. A candidate is read from LMDB without a copy and scored from its raw embedding values; its document is
 * decoded without the embedding unless the request asks for embeddings (`MatchReader`). With a filter, the candidate list grows with the pass rate observed so far until `limit` documents pass;
 * when the filter is so selective that the graph would have to be searched through a large part of the
 * collection, the store is scanned instead (filtered brute force), so enough matches always come back.
 */
import { compileFilter, type Document } from '@weft-ai/weft';
import { exactTopK } from './exact-mirror.js';
import type { IndexState } from './index-state.js';
import { MatchReader, type StoredMatch } from './match-reader.js';
import { recordDocument, recordKey } from './record.js';
import type { SearchParams } from './request-params.js';
import type { VectorSpace } from './vector-space.js';
import { ascending, embeddingValues, exactScore, scoringQuery, writeRow } from './vectors.js';

/** Past this share of the collection as graph candidates, a filtered search scans the store instead. */
const SCAN_FRACTION = 0.2;
/** Grow the candidate list by this margin over what the observed pass rate predicts. */
const MARGIN = 1.5;

type Keep = (doc: Document) => boolean;

/** A resolved candidate: its stored document, the values it is scored by, whether a match already took `doc`. */
interface Candidate extends StoredMatch {
  taken: boolean;
}

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
  const resolver = new Resolver(state, space, keep, p.includeEmbeddings);
  const found: Candidate[][] = new Array(n);
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
    const scored = (found[i] ?? []).map((c) => ({ c, score: exactScore(metric, sq, c.values, c.at) }));
    const sign = ascending(metric) ? 1 : -1;
    scored.sort((a, b) => {
      const x = a.c.doc.id;
      const y = b.c.doc.id;
      return sign * (a.score - b.score) || (x < y ? -1 : x > y ? 1 : 0);
    });
    const adjacency = (q.adjacency ?? 0) + 1;
    q.matches = scored.slice(0, p.limit).map(({ c, score }) => {
      // the decoded document is this request's own: the first match of it takes it, later ones copy it
      const m = c.taken ? c.doc.shallowCopy() : c.doc;
      c.taken = true;
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
): Candidate[] | undefined {
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
  found: Candidate[][],
): void {
  const d = space.params.dim;
  const docs: Candidate[] = [];
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
    docs.push({
      doc,
      values: embeddingValues(doc.embedding as NonNullable<Document['embedding']>),
      at: 0,
      taken: false,
    });
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
    found[qi] = (lists[j] ?? []).map((row) => docs[row] as Candidate);
  });
}

const READERS = new WeakMap<IndexState, MatchReader>();

/** Key -> stored document that passes the filter (cached per request; null: stale or filtered out). */
class Resolver {
  readonly #state: IndexState;
  readonly #space: VectorSpace;
  readonly #keep: Keep | undefined;
  readonly #withEmbeddings: boolean;
  readonly #reader: MatchReader;
  readonly #cache = new Map<number, Candidate | null>();

  constructor(state: IndexState, space: VectorSpace, keep: Keep | undefined, withEmbeddings: boolean) {
    this.#state = state;
    this.#space = space;
    this.#keep = keep;
    this.#withEmbeddings = withEmbeddings;
    // one reader per indexer, its value arena reused: a search never awaits, so the previous one is done with it
    let reader = READERS.get(state);
    if (!reader) READERS.set(state, (reader = new MatchReader()));
    reader.reset();
    this.#reader = reader;
  }

  get filtered(): boolean {
    return this.#keep !== undefined;
  }

  resolveAll(keys: readonly number[]): Candidate[] {
    const out: Candidate[] = [];
    for (const k of keys) {
      const c = this.resolve(k);
      if (c) out.push(c);
    }
    return out;
  }

  resolve(key: number): Candidate | null {
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    let c: Candidate | null = null;
    const id = this.#space.idOf(key);
    // a view of LMDB's reused read buffer: read what is needed from it before the next store read
    const view = id === undefined ? undefined : this.#state.store.recordView(id);
    // a record under another key is a newer version whose vector is not in memory yet: skip this stale key
    if (view && this.#reader.key(view) === key) {
      const { doc, values, at } = this.#reader.read(view, view.length, this.#withEmbeddings);
      if (!this.#keep || this.#keep(doc)) c = { doc, values, at, taken: false };
    }
    this.#cache.set(key, c);
    return c;
  }
}
