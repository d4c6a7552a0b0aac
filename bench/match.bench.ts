/**
 * Exact vector matching: 100 queries against a 10,000 x 512 index, cosine, top-10, on seeded clustered data.
 * Compares `DocumentArray.match()` with the straightforward JavaScript a user would write (number[] rows,
 * both norms per pair, score everything, full sort, slice), checks that both find the same top-10 for every
 * query, and reports usearch's exact search when that package happens to be installed.
 */
import { DocumentArray } from '../packages/weft/src/document/document-array.js';
import { seededRandom } from '../packages/weft/src/testing/index.js';
import { median, table, target, timeRuns } from './lib.js';

const N = 10_000;
const D = 512;
const QUERIES = 100;
const K = 10;
const CLUSTERS = 64;
const SPREAD = 0.5;

function gaussian(rnd: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

/** `count` points around random cluster centres, as float32 rows. */
function clustered(count: number, centres: Float32Array[], rnd: () => number, normal: () => number): Float32Array[] {
  const rows: Float32Array[] = [];
  for (let i = 0; i < count; i++) {
    const c = centres[Math.floor(rnd() * centres.length)] as Float32Array;
    const v = new Float32Array(D);
    for (let j = 0; j < D; j++) v[j] = (c[j] as number) + SPREAD * normal();
    rows.push(v);
  }
  return rows;
}

/** What a user would write: cosine per pair (both norms every time), collect all, sort, slice. */
function naiveTopK(queries: number[][], index: number[][], k: number): number[][] {
  return queries.map((q) => {
    const scored: { i: number; distance: number }[] = [];
    for (let i = 0; i < index.length; i++) {
      const x = index[i] as number[];
      let dot = 0;
      let qq = 0;
      let xx = 0;
      for (let j = 0; j < q.length; j++) {
        dot += (q[j] as number) * (x[j] as number);
        qq += (q[j] as number) * (q[j] as number);
        xx += (x[j] as number) * (x[j] as number);
      }
      scored.push({ i, distance: 1 - dot / (Math.sqrt(qq) * Math.sqrt(xx)) });
    }
    scored.sort((a, b) => a.distance - b.distance);
    return scored.slice(0, k).map((s) => s.i);
  });
}

interface UsearchModule {
  exactSearch?: (
    dataset: Float32Array,
    queries: Float32Array,
    dimensions: number,
    k: number,
    metric: string,
  ) => unknown;
}

async function loadUsearch(): Promise<UsearchModule | undefined> {
  try {
    const name = 'usearch'; // not a static import: the package is optional
    const mod = (await import(name)) as UsearchModule & { default?: UsearchModule };
    return mod.exactSearch ? mod : mod.default;
  } catch {
    return undefined;
  }
}

const rnd = seededRandom(42);
const normal = gaussian(rnd);
const centres = Array.from({ length: CLUSTERS }, () => Float32Array.from({ length: D }, normal));
const indexRows = clustered(N, centres, rnd, normal);
const queryRows = clustered(QUERIES, centres, rnd, normal);

const index = new DocumentArray(indexRows.map((embedding, i) => ({ id: `doc${i}`, embedding })));
const queries = new DocumentArray(queryRows.map((embedding, i) => ({ id: `query${i}`, embedding })));
const indexArrays = indexRows.map((r) => Array.from(r));
const queryArrays = queryRows.map((r) => Array.from(r));

let naive: number[][] = [];
const runBaseline = () => (naive = naiveTopK(queryArrays, indexArrays, K));
const runWeft = () => queries.match(index, { metric: 'cosine', limit: K });
// warm both up, then alternate rounds so that both see the same machine conditions
const baselineTimes = await timeRuns(runBaseline, 0, 1);
const weftTimes = await timeRuns(runWeft, 0, 2);
for (let round = 0; round < 3; round++) {
  baselineTimes.push(...(await timeRuns(runBaseline, 1, 0)));
  weftTimes.push(...(await timeRuns(runWeft, 3, 0)));
}
const baselineMs = median(baselineTimes);
const weftMs = median(weftTimes);

// both must agree on the top-10 of every query, in order
let disagreements = 0;
queries.forEach((q, i) => {
  const want = (naive[i] as number[]).map((r) => `doc${r}`);
  const got = q.matches.ids;
  if (got.join() !== want.join()) {
    disagreements++;
    if (disagreements <= 3)
      console.error(`query ${i}: baseline ${want.join(' ')}\n          weft     ${got.join(' ')}`);
  }
});
if (disagreements > 0) {
  console.error(`weft and the baseline disagree on the top-${K} of ${disagreements} of ${QUERIES} queries`);
  process.exit(1);
}

const qps = (ms: number): number => Math.round((QUERIES / ms) * 1000);
const rows: Record<string, string | number>[] = [
  { implementation: 'baseline (number[], sort all)', ms: baselineMs, 'queries/s': qps(baselineMs), speedup: 1 },
  { implementation: 'weft match()', ms: weftMs, 'queries/s': qps(weftMs), speedup: baselineMs / weftMs },
];
const usearch = await loadUsearch();
if (usearch?.exactSearch) {
  const exactSearch = usearch.exactSearch;
  const flatIndex = new Float32Array(N * D);
  for (const [i, r] of indexRows.entries()) flatIndex.set(r, i * D);
  const flatQueries = new Float32Array(QUERIES * D);
  for (const [i, r] of queryRows.entries()) flatQueries.set(r, i * D);
  const usearchMs = median(await timeRuns(() => exactSearch(flatIndex, flatQueries, D, K, 'cos'), 5, 1));
  rows.push({
    implementation: 'usearch exactSearch (native)',
    ms: usearchMs,
    'queries/s': qps(usearchMs),
    speedup: baselineMs / usearchMs,
  });
} else {
  rows.push({ implementation: 'usearch exactSearch', ms: 'n/a', 'queries/s': 'not installed', speedup: 'n/a' });
}
table(
  `match: ${QUERIES} queries x ${N} x ${D} index, cosine, top-${K} (median ms; top-${K} ids agree for all queries)`,
  rows,
);
target('match', 'speedup', baselineMs / weftMs, '>=', 3);
