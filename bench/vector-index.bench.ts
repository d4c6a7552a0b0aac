/**
 * Vector index: 100,000 x 128 clustered vectors (seeded), 1,000 queries, top-10, cosine. Builds the same data
 * into weft's VectorIndexer (through its executor API in-process, ExecutorRunner, durable /index in batches of
 * 1,000), into raw usearch + LMDB (the baseline for durable ingest: usearch `add` plus an LMDB put of each document
 * per batch, awaiting the fsynced commit; batches alternate with weft's so both see the same machine), and into
 * hnswlib-node (single-threaded `addPoint`, its only insert). Ground truth is brute force (usearch `exactSearch`).
 * Queries go to VectorIndexer as /search requests of 100 query documents (and, for reference, one per request);
 * hnswlib answers one query per call (its API). Each implementation runs once per round, five rounds
 * (`VECTOR_INDEX_ROUNDS`), and its fastest round counts (on a shared machine the least disturbed one; the same rule
 * for every implementation); the CPU time of that round is printed beside it (µs per query, all threads: usearch
 * searches a request's queries on the indexer's `threads`, hnswlib on one). efSearch is swept for both: hnswlib with `setEf`, the VectorIndexer (built with efSearch at the sweep's
 * lowest) with the per-request `parameters.efSearch`, which raises usearch's candidate list. They are compared at
 * equal recall: for each, the fastest setting whose recall@10 reaches 0.95. The default configuration (efSearch 64)
 * is printed as well. Targets: recall@10 >= 0.95 at the default, `qps_ratio` (weft ÷ hnswlib at recall >= 0.95)
 * >= 1.0, durable ingest >= 0.8 of raw usearch + LMDB.
 */
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Document, DocumentArray, ExecutorRunner } from '@weft-ai/weft';
import { seededRandom } from '@weft-ai/weft/testing';
import { open } from 'lmdb';
import { exactSearch, Index, MetricKind, ScalarKind } from 'usearch';
import { VectorIndexer } from '../packages/executor-vector-indexer/src/index.js';
import { round, table, target } from './lib.js';

const N = Number(process.env.VECTOR_INDEX_N ?? 100_000); // a smaller N while developing
const D = 128;
const QUERIES = Number(process.env.VECTOR_INDEX_QUERIES ?? 1_000);
const K = 10;
const CLUSTERS = 64;
const SPREAD = 0.5;
const BATCH = 1_000;
const QUERY_BATCH = 100;
const M = 16;
const EF_CONSTRUCTION = 128;
const EF_SEARCH = 64;
const EFS = [10, 16, 24, 32, 48, 64, 96, 128];
const RECALL = 0.95;
const ROUNDS = Number(process.env.VECTOR_INDEX_ROUNDS ?? 5);

/** `count` rows around random cluster centres, row-major in one Float32Array. */
function clustered(count: number, centres: Float32Array[], rnd: () => number, normal: () => number): Float32Array {
  const out = new Float32Array(count * D);
  for (let i = 0; i < count; i++) {
    const c = centres[Math.floor(rnd() * centres.length)] as Float32Array;
    for (let j = 0; j < D; j++) out[i * D + j] = (c[j] as number) + SPREAD * normal();
  }
  return out;
}

const rnd = seededRandom(7);
const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
const centres = Array.from({ length: CLUSTERS }, () => Float32Array.from({ length: D }, normal));
const X = clustered(N, centres, rnd, normal);
const Q = clustered(QUERIES, centres, rnd, normal);
const row = (m: Float32Array, i: number): Float32Array => m.subarray(i * D, (i + 1) * D);
const seconds = (ms: number): number => round(ms / 1000, 2);

// ground truth: exact top-10 by brute force
let t0 = performance.now();
const truthKeys = exactSearch(X, Q, D, K, MetricKind.Cos, 0).keys;
const bruteMs = performance.now() - t0;
const truth = Array.from({ length: QUERIES }, (_, q) => {
  const s = new Set<number>();
  for (let j = 0; j < K; j++) s.add(Number(truthKeys[q * K + j]));
  return s;
});
const recallOf = (lists: number[][]): number => {
  let hit = 0;
  lists.forEach((ids, q) => {
    for (const id of ids.slice(0, K)) if (truth[q]?.has(id)) hit++;
  });
  return hit / (QUERIES * K);
};

// the documents as the indexer receives them (decoded requests); built before any timing
const docs = Array.from({ length: N }, (_, i) => new Document({ id: String(i), embedding: row(X, i), tags: { i } }));
const batches: DocumentArray[] = [];
for (let i = 0; i < N; i += BATCH) batches.push(new DocumentArray(docs.slice(i, i + BATCH)));
const workspace = join(tmpdir(), `weft-bench-vector-${process.pid}`);

// ingest: raw usearch + LMDB and weft's VectorIndexer, batch by batch in alternation so that both see the same
// machine conditions (the durable baseline: one fsynced LMDB transaction with every document's bytes per batch)
const rawDir = join(workspace, 'raw');
const env = open({ path: rawDir, maxDbs: 2, overlappingSync: false });
const rawDocs = env.openDB<Buffer, string>('docs', { encoding: 'binary' });
const raw = new Index({
  dimensions: D,
  metric: MetricKind.Cos,
  quantization: ScalarKind.F32,
  connectivity: M,
  expansion_add: EF_CONSTRUCTION,
  expansion_search: EF_SEARCH,
  multi: false,
});
const indexer = new VectorIndexer({
  workspace: join(workspace, 'weft'),
  metric: 'cosine',
  M,
  efConstruction: EF_CONSTRUCTION,
  // the sweep's lowest: each request raises it with parameters.efSearch
  efSearch: EFS[0] as number,
});
const runner = new ExecutorRunner(indexer);
let rawIngestMs = 0;
let weftIngestMs = 0;
for (let b = 0; b < batches.length; b++) {
  const batch = batches[b] as DocumentArray;
  const start = b * BATCH;
  t0 = performance.now();
  await env.transaction(() => {
    for (const d of batch) rawDocs.putSync(d.id, Buffer.from(d.toBytes()));
  });
  raw.add(
    BigUint64Array.from({ length: batch.length }, (_, i) => BigInt(start + i)),
    X.subarray(start * D, (start + batch.length) * D),
    0,
  );
  rawIngestMs += performance.now() - t0;
  t0 = performance.now();
  await runner.invoke({ endpoint: '/index', docs: batch });
  weftIngestMs += performance.now() - t0;
}

// hnswlib-node (a CommonJS addon): single-threaded addPoint is its only way in. It is an optional dependency
// (its install compiles with node-gyp), so a machine without a compiler has none: the bench says so and goes on.
type Hnsw = InstanceType<typeof import('hnswlib-node').HierarchicalNSW>;
let hnsw: Hnsw | undefined;
try {
  const { HierarchicalNSW } = createRequire(import.meta.url)('hnswlib-node') as typeof import('hnswlib-node');
  hnsw = new HierarchicalNSW('cosine', D);
} catch (err) {
  console.log(
    `vector-index: hnswlib-node is absent (${(err as Error).message.split('\n')[0]}); the hnswlib rows and the ` +
      'qps_ratio target are skipped. It is an optional dependency built by node-gyp at install: install a C++ ' +
      'compiler, make, python3 and the Node headers, then run `npm rebuild hnswlib-node`.',
  );
}
hnsw?.initIndex({ maxElements: N, m: M, efConstruction: EF_CONSTRUCTION, randomSeed: 100 });
t0 = performance.now();
if (hnsw) for (let i = 0; i < N; i++) hnsw.addPoint(Array.from(row(X, i)), i);
const hnswBuildMs = performance.now() - t0;
const queryArrays = Array.from({ length: QUERIES }, (_, q) => Array.from(row(Q, q)));

// queries: every implementation once per round, three rounds, median time
const rawRun = (): number[][] => {
  const lists: number[][] = [];
  for (let q = 0; q < QUERIES; q += QUERY_BATCH) {
    const r = raw.search(Q.subarray(q * D, (q + QUERY_BATCH) * D), K, 0) as unknown as { keys: BigUint64Array };
    for (let i = 0; i < QUERY_BATCH; i++) lists.push(Array.from(r.keys.subarray(i * K, (i + 1) * K), Number));
  }
  return lists;
};
const weftRun = async (perRequest: number, ef = EF_SEARCH): Promise<number[][]> => {
  const lists: number[][] = [];
  for (let q = 0; q < QUERIES; q += perRequest) {
    const queryDocs = new DocumentArray(Array.from({ length: perRequest }, (_, i) => ({ embedding: row(Q, q + i) })));
    await runner.invoke({ endpoint: '/search', docs: queryDocs, parameters: { limit: K, efSearch: ef } });
    for (const d of queryDocs) lists.push(d.matches.map((m) => Number(m.id)));
  }
  return lists;
};
const HNSW_EFS = hnsw ? EFS : [];
const hnswRun = (ef: number): number[][] => {
  if (!hnsw) return [];
  hnsw.setEf(ef);
  return queryArrays.map((qa) => (hnsw as Hnsw).searchKnn(qa, K).neighbors);
};
/** The fastest round of each: wall ms and the CPU µs it used. */
const times = new Map<string, { ms: number; cpuUs: number }>();
const lists = new Map<string, number[][]>();
const timed = async (name: string, fn: () => number[][] | Promise<number[][]>): Promise<void> => {
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const out = await fn();
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const best = times.get(name);
  if (!best || ms < best.ms) times.set(name, { ms, cpuUs: cpu.user + cpu.system });
  lists.set(name, out);
};
await weftRun(QUERY_BATCH); // warm-up
for (const ef of HNSW_EFS) hnswRun(ef);
for (let round = 0; round < ROUNDS; round++) {
  await timed('raw', rawRun);
  await timed('weft-single', () => weftRun(1));
  for (const ef of EFS) await timed(`weft-${ef}`, () => weftRun(QUERY_BATCH, ef));
  for (const ef of HNSW_EFS) await timed(`hnsw-${ef}`, () => hnswRun(ef));
}
await runner.close();
await env.close();
rmSync(workspace, { recursive: true, force: true });

const bestMs = (name: string): number => times.get(name)?.ms ?? Number.NaN;
const cpuPerQuery = (name: string): number => Math.round((times.get(name)?.cpuUs ?? Number.NaN) / QUERIES);
const recallFor = (name: string): number => recallOf(lists.get(name) ?? []);
const sweepOf = (prefix: string, efs: number[]) =>
  efs.map((ef) => ({
    ef,
    ms: bestMs(`${prefix}-${ef}`),
    cpu: cpuPerQuery(`${prefix}-${ef}`),
    recall: recallFor(`${prefix}-${ef}`),
  }));
const sweep = sweepOf('hnsw', HNSW_EFS);
const weftSweep = sweepOf('weft', EFS);
const rawLists = lists.get('raw') ?? [];
// the default configuration (efSearch 64) is the sweep's point at 64
const weftLists = lists.get(`weft-${EF_SEARCH}`) ?? [];
const weftSingleLists = lists.get('weft-single') ?? [];
const rawQueryMs = bestMs('raw');
const weftQueryMs = bestMs(`weft-${EF_SEARCH}`);
const weftSingleMs = bestMs('weft-single');

const qps = (ms: number): number => Math.round((QUERIES / ms) * 1000);
const weftRecall = recallOf(weftLists);
type Point = { ef: number; ms: number; cpu: number; recall: number };
/** The fastest setting of a sweep whose recall reaches RECALL. */
const fastestAt = (points: Point[]): Point | undefined =>
  points.filter((p) => p.recall >= RECALL).reduce<Point | undefined>((a, b) => (a && a.ms <= b.ms ? a : b), undefined);
const peer = fastestAt(sweep);
const weftAt = fastestAt(weftSweep);

table(
  `vector-index: ${N} x ${D} clustered, ${QUERIES} queries, top-${K}, cosine (M ${M}, efConstruction ${EF_CONSTRUCTION})`,
  [
    {
      implementation: 'brute force (usearch exactSearch)',
      'build s': '-',
      'queries/s': qps(bruteMs),
      'cpu µs/query': '-',
      'recall@10': 1,
    },
    {
      implementation: `raw usearch, efSearch ${EF_SEARCH}, ${QUERY_BATCH}/call`,
      'build s': seconds(rawIngestMs),
      'queries/s': qps(rawQueryMs),
      'cpu µs/query': cpuPerQuery('raw'),
      'recall@10': recallOf(rawLists),
    },
    {
      implementation: `weft VectorIndexer /search, efSearch ${EF_SEARCH} (default), ${QUERY_BATCH} queries/request`,
      'build s': seconds(weftIngestMs),
      'queries/s': qps(weftQueryMs),
      'cpu µs/query': cpuPerQuery(`weft-${EF_SEARCH}`),
      'recall@10': weftRecall,
    },
    {
      implementation: 'weft VectorIndexer /search, 1 query/request',
      'build s': '-',
      'queries/s': qps(weftSingleMs),
      'cpu µs/query': cpuPerQuery('weft-single'),
      'recall@10': recallOf(weftSingleLists),
    },
    ...weftSweep.map((s) => ({
      implementation: `weft VectorIndexer parameters.efSearch ${s.ef}, ${QUERY_BATCH}/request${s === weftAt ? ' (compared)' : ''}`,
      'build s': '',
      'queries/s': qps(s.ms),
      'cpu µs/query': s.cpu,
      'recall@10': s.recall,
    })),
    ...sweep.map((s) => ({
      implementation: `hnswlib-node efSearch ${s.ef}, 1/call${s === peer ? ' (compared)' : ''}`,
      'build s': s === sweep[0] ? seconds(hnswBuildMs) : '',
      'queries/s': qps(s.ms),
      'cpu µs/query': s.cpu,
      'recall@10': s.recall,
    })),
  ],
);
const weftDocsPerSec = (N / weftIngestMs) * 1000;
const rawDocsPerSec = (N / rawIngestMs) * 1000;
table(`durable ingest: ${N} documents in /index batches of ${BATCH}, acknowledged after fsync`, [
  { implementation: 'raw usearch add + LMDB put (fsynced per batch)', 'docs/s': Math.round(rawDocsPerSec), ratio: 1 },
  {
    implementation: 'weft VectorIndexer /index',
    'docs/s': Math.round(weftDocsPerSec),
    ratio: weftDocsPerSec / rawDocsPerSec,
  },
]);
if (peer && weftAt) {
  console.log(
    `compared at recall@10 >= ${RECALL}: weft efSearch ${weftAt.ef} (${qps(weftAt.ms)} q/s, recall ${weftAt.recall}) ` +
      `vs hnswlib-node efSearch ${peer.ef} (${qps(peer.ms)} q/s, recall ${peer.recall})`,
  );
}
target('vector-index', 'recall', weftRecall, '>=', 0.95);
if (peer && weftAt) target('vector-index', 'qps_ratio', qps(weftAt.ms) / qps(peer.ms), '>=', 1.0);
target('vector-index', 'ingest_ratio', weftDocsPerSec / rawDocsPerSec, '>=', 0.8);
