/**
 * RankFusion: the join of the image branch (VectorIndexer matches) and the text branch (TextSearch matches) of the
 * shop's Flow. It receives both answers unreduced (`no_reduce: true`: `docsMatrix`) and ranks each query's matches
 * by reciprocal rank fusion — `scores.rrf` = Σ 1 / (k + rank) over the lists a product appears in — keeping each
 * list's own scores (`cosine`, `calibrated`, `match`, `bm25`) on the fused match. With one list it keeps its order.
 * Honours `parameters.limit`, `dropImage` and `dropQueryEmbedding` on the answer it builds.
 *
 * @example
 * // flow.yml: { name: ranker, uses: ./src/fusion/index.ts#RankFusion, needs: [indexer, text], no_reduce: true }
 */
import { Document, type DocumentArray, type EndpointArgs, Executor, type ExecutorArgs, requests } from '@weft-ai/weft';

export interface RankFusionOptions {
  /** RRF's damping constant (60 in Cormack et al.'s paper). */
  k: number;
}

/** Fuse ranked lists of matches: best first, each match's scores merged, `scores.rrf` added. */
export function reciprocalRankFusion(lists: readonly Document[][], k = 60): Document[] {
  const fused = new Map<string, { doc: Document; rrf: number; best: number }>();
  for (const list of lists) {
    list.forEach((m, rank) => {
      const seen = fused.get(m.id);
      const share = 1 / (k + rank + 1);
      if (!seen) {
        const doc = new Document({ id: m.id, tags: m.hasTags ? m.tags : {}, scores: { ...m.scores } });
        fused.set(m.id, { doc, rrf: share, best: rank });
        return;
      }
      seen.rrf += share;
      seen.best = Math.min(seen.best, rank);
      seen.doc.scores = { ...m.scores, ...seen.doc.scores };
      if (!seen.doc.hasTags && m.hasTags) seen.doc.tags = m.tags;
    });
  }
  return [...fused.values()]
    .sort((a, b) => b.rrf - a.rrf || a.best - b.best)
    .map(({ doc, rrf }) => {
      doc.scores = { ...doc.scores, rrf: { value: rrf } };
      return doc;
    });
}

export class RankFusion extends Executor {
  readonly k: number;

  constructor(args: ExecutorArgs<RankFusionOptions> = {}) {
    super(args);
    this.k = args.k ?? 60;
  }

  @requests({ on: '/search' })
  fuse({ docs, docsMatrix, parameters }: EndpointArgs): DocumentArray {
    const limit = typeof parameters.limit === 'number' ? parameters.limit : undefined;
    for (const doc of docs) {
      const lists = docsMatrix.map((answer) => answer.get(doc.id)?.matches.toArray() ?? []).filter((l) => l.length);
      const fused = reciprocalRankFusion(lists, this.k);
      doc.matches = limit === undefined ? fused : fused.slice(0, limit);
      if (parameters.dropImage === true) {
        doc.blob = undefined;
        doc.tensor = undefined;
      }
      if (parameters.dropQueryEmbedding === true) doc.embedding = undefined;
    }
    return docs;
  }
}
