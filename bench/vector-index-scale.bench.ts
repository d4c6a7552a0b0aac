/**
 * Vector index at scale: 1,000,000 × 96-d clustered vectors (seeded), 1,000 queries, top-10, cosine, M 16,
 * efConstruction 128. Each implementation builds and searches in its own child process (the same seeded data
 * regenerated there), one after the other, so its build time and memory are its own: weft's VectorIndexer (in
 * process through its executor API: durable /index batches of 1,000 into LMDB + usearch, snapshots included),
 * raw usearch (`add` of everything on all threads) and hnswlib-node (single-threaded `addPoint`, its only insert;
 * an optional dependency, skipped with a message when absent). Ground truth is brute force (usearch
 * `exactSearch`) in this process. Each then sweeps efSearch (usearch and weft: asking for `ef` candidates raises
 * the search list, as the indexer's `parameters.efSearch` does; hnswlib: `setEf`) and reports, for recall@10
 * targets 0.90 / 0.95 / 0.99, the queries/s of the smallest efSearch reaching it. RSS is the child's resident
 * memory after the build minus before it (the data itself excluded); weft's includes LMDB's mapped pages.
 * Not part of `npm test`. SCALE_N=100000 (and SCALE_QUERIES) make a smaller run while developing.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Document, DocumentArray, ExecutorRunner } from '@weft-ai/weft';
import { seededRandom } from '@weft-ai/weft/testing';
import { exactSearch, Index, MetricKind, ScalarKind } from 'usearch';
import { VectorIndexer } from '../packages/executor-vector-indexer/src/index.js';
import { round, table, target } from './lib.js';

const N = Number(process.env.SCALE_N ?? 1_000_000);
const QUERIES = Number(process.env.SCALE_QUERIES ?? 1_000);
const D = 96;
const K = 10;
const CLUSTERS = 1024;
const SPREAD = 0.6;
const M = 16;
const EF_CONSTRUCTION = 128;
const BATCH = 1_000;
const QUERY_BATCH = 100;
const EFS = [10, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512];
const RECALLS = [0.9, 0.95, 0.99];

type Impl = 'weft' | 'usearch' | 'usearch-1t' | 'hnswlib';
interface SweepPoint {
  ef: number;
  qps: number;
  recall: number;
}
interface ChildResult {
  impl: Impl;
  buildMs: number;
  rssMb: number;
  sweep: SweepPoint[];
  skipped?: string;
}

/** The data set, regenerated identically in every process: `X` (N rows) and `Q` (QUERIES rows), row-major. */
function data(): { X: Float32Array; Q: Float32Array } {
  const rnd = seededRandom(96);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const centres = Array.from({ length: CLUSTERS }, () => Float32Array.from({ length: D }, normal));
  const rows = (count: number): Float32Array => {
    const out = new Float32Array(count * D);
    for (let i = 0; i < count; i++) {
      const c = centres[Math.floor(rnd() * CLUSTERS)] as Float32Array;
      for (let j = 0; j < D; j++) out[i * D + j] = (c[j] as number) + SPREAD * normal();
    }
    return out;
  };
  return { X: rows(N), Q: rows(QUERIES) };
}

const rssMb = (): number => {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
};

/** One implementation: build, then the efSearch sweep; the answer goes to the parent over IPC. */
async function child(impl: Impl, truthFile: string): Promise<ChildResult[]> {
  const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as number[][];
  const sets = truth.map((ids) => new Set(ids));
  const recall = (lists: ArrayLike<number>[]): number => {
    let hit = 0;
    lists.forEach((ids, q) => {
      for (let j = 0; j < Math.min(K, ids.length); j++) if (sets[q]?.has(ids[j] as number)) hit++;
    });
    return hit / (QUERIES * K);
  };
  const { X, Q } = data();
  const row = (m: Float32Array, i: number) => m.subarray(i * D, (i + 1) * D);
  global.gc?.();
  const rss0 = rssMb();
  const t0 = performance.now();
  type Search = (ef: number) => ArrayLike<number>[] | Promise<ArrayLike<number>[]>;
  const searches = new Map<Impl, Search>();
  let close = async (): Promise<void> => {};
  if (impl === 'usearch') {
    const index = new Index({
      dimensions: D,
      metric: MetricKind.Cos,
      quantization: ScalarKind.F32,
      connectivity: M,
      expansion_add: EF_CONSTRUCTION,
      expansion_search: EFS[0] as number,
      multi: false,
    });
    index.add(
      BigUint64Array.from({ length: N }, (_, i) => BigInt(i)),
      X,
      availableParallelism(),
    );
    const search = (threads: number) => (ef: number) => {
      const wanted = Math.max(K, ef);
      const r = index.search(Q, wanted, threads) as unknown as { keys: BigUint64Array };
      return Array.from({ length: QUERIES }, (_, q) => Array.from(r.keys.subarray(q * wanted, q * wanted + K), Number));
    };
    searches.set('usearch', search(availableParallelism()));
    searches.set('usearch-1t', search(1));
  } else if (impl === 'hnswlib') {
    let HierarchicalNSW: typeof import('hnswlib-node').HierarchicalNSW;
    try {
      ({ HierarchicalNSW } = createRequire(import.meta.url)('hnswlib-node') as typeof import('hnswlib-node'));
    } catch (err) {
      return [{ impl, buildMs: 0, rssMb: 0, sweep: [], skipped: (err as Error).message.split('\n')[0] }];
    }
    const index = new HierarchicalNSW('cosine', D);
    index.initIndex({ maxElements: N, m: M, efConstruction: EF_CONSTRUCTION, randomSeed: 100 });
    for (let i = 0; i < N; i++) index.addPoint(Array.from(row(X, i)), i);
    const queries = Array.from({ length: QUERIES }, (_, q) => Array.from(row(Q, q)));
    searches.set('hnswlib', (ef) => {
      index.setEf(ef);
      return queries.map((qa) => index.searchKnn(qa, K).neighbors);
    });
  } else {
    const workspace = join(tmpdir(), `weft-bench-vector-scale-${process.pid}`);
    const runner = new ExecutorRunner(
      new VectorIndexer({ workspace, metric: 'cosine', M, efConstruction: EF_CONSTRUCTION, efSearch: EFS[0] }),
    );
    for (let b = 0; b < N; b += BATCH) {
      const docs = new DocumentArray();
      for (let i = b; i < Math.min(N, b + BATCH); i++) docs.push(new Document({ id: String(i), embedding: row(X, i) }));
      await runner.invoke({ endpoint: '/index', docs });
    }
    searches.set('weft', async (ef) => {
      const lists: number[][] = [];
      for (let q = 0; q < QUERIES; q += QUERY_BATCH) {
        const count = Math.min(QUERY_BATCH, QUERIES - q);
        const docs = new DocumentArray(Array.from({ length: count }, (_, i) => ({ embedding: row(Q, q + i) })));
        await runner.invoke({ endpoint: '/search', docs, parameters: { limit: K, efSearch: ef } });
        for (const d of docs) lists.push(d.matches.map((m) => Number(m.id)));
      }
      return lists;
    });
    close = async () => {
      await runner.close();
      rmSync(workspace, { recursive: true, force: true });
    };
  }
  const buildMs = performance.now() - t0;
  global.gc?.();
  const rss = rssMb() - rss0;
  const out: ChildResult[] = [];
  for (const [name, search] of searches) {
    await search(EFS[0] as number); // warm-up
    const sweep: SweepPoint[] = [];
    for (const ef of EFS) {
      const s = performance.now();
      const lists = await search(ef);
      const ms = performance.now() - s;
      sweep.push({ ef, qps: (QUERIES / ms) * 1000, recall: recall(lists) });
      if (recall(lists) >= 0.995) break;
    }
    out.push({ impl: name, buildMs, rssMb: rss, sweep });
  }
  await close();
  return out;
}

function runChild(impl: Impl, truthFile: string): Promise<ChildResult[]> {
  return new Promise((resolve, reject) => {
    const c: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--conditions=weft-source', '--import', 'tsx', '--expose-gc', '--max-old-space-size=8192'],
      env: { ...process.env, SCALE_CHILD: impl, SCALE_TRUTH: truthFile },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    c.on('message', (m: ChildResult[]) => resolve(m));
    c.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`${impl} exited with ${code}`))));
  });
}

if (process.env.SCALE_CHILD) {
  const result = await child(process.env.SCALE_CHILD as Impl, process.env.SCALE_TRUTH as string);
  process.send?.(result, () => process.exit(0));
} else {
  const load0 = loadavg()[0] as number;
  const { X, Q } = data();
  const t0 = performance.now();
  const keys = exactSearch(X, Q, D, K, MetricKind.Cos, 0).keys;
  const bruteMs = performance.now() - t0;
  const truth = Array.from({ length: QUERIES }, (_, q) => Array.from(keys.subarray(q * K, (q + 1) * K), Number));
  const truthFile = join(tmpdir(), `weft-bench-vector-scale-truth-${process.pid}.json`);
  writeFileSync(truthFile, JSON.stringify(truth));
  const results: ChildResult[] = [];
  try {
    for (const impl of ['usearch', 'weft', 'hnswlib'] as Impl[]) {
      for (const r of await runChild(impl, truthFile)) {
        if (r.skipped) {
          console.log(
            `vector-index-scale: hnswlib-node is absent (${r.skipped}); its rows are skipped. It is an optional ` +
              'dependency built by node-gyp at install: install a C++ compiler, make, python3 and the Node headers, ' +
              'then run `npm rebuild hnswlib-node`.',
          );
        } else results.push(r);
      }
    }
  } finally {
    rmSync(truthFile, { force: true });
  }
  const name: Record<Impl, string> = {
    weft: `weft VectorIndexer (durable, ${QUERY_BATCH} queries/request)`,
    usearch: `raw usearch, batch search on ${availableParallelism()} threads`,
    'usearch-1t': 'raw usearch, batch search on 1 thread',
    hnswlib: 'hnswlib-node, 1 query/call',
  };
  /** The smallest efSearch whose recall reaches `r`. */
  const at = (res: ChildResult, r: number): SweepPoint | undefined => res.sweep.find((s) => s.recall >= r);
  table(
    `vector-index-scale: ${N} x ${D} clustered (${CLUSTERS} clusters), ${QUERIES} queries, top-${K}, cosine, ` +
      `M ${M}, efConstruction ${EF_CONSTRUCTION}; brute force ${round(bruteMs / 1000, 1)} s`,
    results.map((r) => {
      const row: Record<string, string | number> = {
        implementation: name[r.impl],
        'build s': r.impl === 'usearch-1t' ? '(same)' : round(r.buildMs / 1000, 1),
        'Δ RSS MB': r.impl === 'usearch-1t' ? '(same)' : Math.round(r.rssMb),
      };
      for (const rec of RECALLS) {
        const p = at(r, rec);
        row[`qps @${rec}`] = p ? Math.round(p.qps) : '-';
        row[`ef @${rec}`] = p ? p.ef : '-';
      }
      return row;
    }),
  );
  table(
    'vector-index-scale: the sweep (queries/s, recall@10)',
    EFS.map((ef) => {
      const row: Record<string, string | number> = { efSearch: ef };
      for (const r of results) {
        const p = r.sweep.find((s) => s.ef === ef);
        row[r.impl] = p ? `${Math.round(p.qps)} / ${round(p.recall, 3)}` : '-';
      }
      return row;
    }),
  );
  console.log(`load average (1 min) before: ${load0.toFixed(2)}, after: ${(loadavg()[0] as number).toFixed(2)}`);
  const weft = results.find((r) => r.impl === 'weft');
  const hnsw = results.find((r) => r.impl === 'hnswlib');
  const usearch = results.find((r) => r.impl === 'usearch');
  const w95 = weft && at(weft, 0.95);
  if (w95 && usearch) {
    const u95 = at(usearch, 0.95);
    if (u95) target('vector-index-scale', 'qps_ratio_vs_usearch', w95.qps / u95.qps, '>=', 0.8);
  }
  if (w95 && hnsw) {
    const h95 = at(hnsw, 0.95);
    if (h95) target('vector-index-scale', 'qps_ratio', w95.qps / h95.qps, '>=', 1.0);
  }
}
