/**
 * Retrieval metrics of the shop-the-look evaluation, over unit-norm embeddings compared by cosine similarity:
 * per-variation top-1 / top-5 of near-duplicate queries, category precision@5 of off-catalogue queries, and the
 * rates of a "match" threshold on both kinds of query.
 */

export interface Ranked {
  /** Gallery indices, best first (the first `k`). */
  order: number[];
  /** Their similarities. */
  scores: number[];
}

/** The `k` most similar gallery entries of a query (exact, by dot product). */
export function rank(gallery: readonly Float32Array[], q: Float32Array, k: number): Ranked {
  const all = gallery.map((g, j) => {
    let s = 0;
    for (let i = 0; i < q.length; i++) s += (q[i] as number) * (g[i] as number);
    return { j, s };
  });
  all.sort((a, b) => b.s - a.s || a.j - b.j);
  const top = all.slice(0, k);
  return { order: top.map((t) => t.j), scores: top.map((t) => t.s) };
}

export interface NearDuplicateResult {
  variation: string;
  target: number;
  ranked: Ranked;
}

export interface VariationScore {
  variation: string;
  n: number;
  top1: number;
  top5: number;
}

/** Top-1 and top-5 per variation, in first-seen order, plus an `overall` row. */
export function perVariation(results: readonly NearDuplicateResult[]): VariationScore[] {
  const by = new Map<string, { n: number; t1: number; t5: number }>();
  const all = { n: 0, t1: 0, t5: 0 };
  for (const r of results) {
    const a = by.get(r.variation) ?? { n: 0, t1: 0, t5: 0 };
    by.set(r.variation, a);
    const hit1 = r.ranked.order[0] === r.target ? 1 : 0;
    const hit5 = r.ranked.order.slice(0, 5).includes(r.target) ? 1 : 0;
    for (const x of [a, all]) {
      x.n++;
      x.t1 += hit1;
      x.t5 += hit5;
    }
  }
  const row = (variation: string, x: { n: number; t1: number; t5: number }) => ({
    variation,
    n: x.n,
    top1: x.t1 / x.n,
    top5: x.t5 / x.n,
  });
  return [...[...by].map(([v, x]) => row(v, x)), row('overall', all)];
}

/** Share of the first 5 results in the query's category, averaged over queries. */
export function categoryPrecisionAt5(
  results: readonly { category: string; ranked: Ranked }[],
  galleryCategories: readonly string[],
): number {
  let sum = 0;
  for (const r of results) {
    const top = r.ranked.order.slice(0, 5);
    sum += top.filter((j) => galleryCategories[j] === r.category).length / top.length;
  }
  return results.length ? sum / results.length : Number.NaN;
}

/** The similarity of the best result of a query. */
export const bestScore = (r: { ranked: Ranked }): number => r.ranked.scores[0] ?? Number.NEGATIVE_INFINITY;

/**
 * Choose the similarity threshold that best separates near-duplicate queries whose top-1 is right (should say
 * "match") from off-catalogue queries (should not): maximise true-match rate minus false-match rate, with the
 * false-match rate at most `maxFalse`. Returns the threshold and a logistic width for a calibrated score.
 */
export function fitThreshold(
  positives: readonly number[],
  negatives: readonly number[],
  maxFalse = 0.1,
): { threshold: number; width: number } {
  const candidates = [...positives, ...negatives].sort((a, b) => a - b);
  let best = { threshold: candidates[candidates.length - 1] ?? 1, gain: Number.NEGATIVE_INFINITY };
  for (const t of candidates) {
    const tp = positives.filter((s) => s >= t).length / Math.max(1, positives.length);
    const fp = negatives.filter((s) => s >= t).length / Math.max(1, negatives.length);
    if (fp > maxFalse) continue;
    if (tp - fp > best.gain) best = { threshold: t, gain: tp - fp };
  }
  // width: a quarter of the gap between the negatives' and positives' medians (at least 0.005)
  const med = (v: readonly number[]) => [...v].sort((a, b) => a - b)[v.length >> 1] ?? 0;
  const width = Math.max(0.005, (med(positives) - med(negatives)) / 4);
  return { threshold: best.threshold, width };
}

/** Share of `scores` at or above the threshold. */
export const rateAbove = (scores: readonly number[], threshold: number): number =>
  scores.length ? scores.filter((s) => s >= threshold).length / scores.length : Number.NaN;
