/**
 * Soak: the shop-the-look app (examples/shop-the-look: its Flow of flow.yml, HTTP gateway with the shop's routes,
 * ImageEncoder → VectorIndexer, TextSearch, RankFusion) under mixed traffic: text searches and photo searches
 * through its API, and re-indexing (upserts of a fixed set of ids, so the index keeps its size) through the
 * gateway's HTTP protocol. The RSS and open file descriptors of every process of the Flow (gateway and every
 * worker) are sampled each second from /proc. Goals: no failed request, RSS growth at most 10 % from just after the
 * warm-up to the end (first and last windows compared), no fd growth. Full: 10 minutes, 2 of them warm-up,
 * on the whole bundled catalogue; short (CI): 14 s, 4 of them warm-up, on 12 products.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Document, DocumentArray } from '@weft-ai/weft';
import { childrenOf } from '@weft-ai/weft/testing';
import { BUNDLED_CATALOGUE } from '../examples/shop-the-look/src/config.js';
import { ShopApp } from '../examples/shop-the-look/src/shop.js';
import { type Figure, figure, goal, percentile, report, round, SHORT } from './lib.js';

const RUN_MS = SHORT ? 14_000 : 600_000;
const WARMUP_MS = SHORT ? 4_000 : 120_000;
/**
 * RSS: the medians of the first window after warm-up and of the last window. Fds: the fewest in the last window
 * against the most until the end of the first window (the warm-up opens every connection the traffic needs; one
 * opened for a moment is not growth, a leaked fd is there in every later sample).
 */
const WINDOW_MS = SHORT ? 5_000 : 60_000;
const SAMPLE_MS = 1_000;
const CLIENTS = 4;
const SOAK_IDS = 16;
const MAX_REQUESTS = 2_000_000;

interface Product {
  id: string;
  title: string;
  category: string;
  image: string;
}

/** The catalogue to serve: the bundled one (full), or a copy of its first products (short). */
function catalogueDir(tmp: string): string {
  if (!SHORT) return BUNDLED_CATALOGUE;
  const all = JSON.parse(readFileSync(join(BUNDLED_CATALOGUE, 'products.json'), 'utf8')) as {
    products: Product[];
  };
  const dir = join(tmp, 'catalogue');
  mkdirSync(join(dir, 'images'), { recursive: true });
  const products = all.products.filter((_, i) => i % 29 === 0).slice(0, 12);
  for (const p of products) copyFileSync(join(BUNDLED_CATALOGUE, p.image), join(dir, p.image));
  writeFileSync(join(dir, 'products.json'), JSON.stringify({ products }));
  return dir;
}

/** Every process below `pid` (the Flow's gateway and workers), with what it runs. */
function descendants(pid: number): number[] {
  const out: number[] = [];
  for (const c of childrenOf(pid)) out.push(c, ...descendants(c));
  return out;
}

/**
 * A name for a runtime process of the shop's Flow: the gateway by its entry, the encoder and the indexer by their
 * native libraries, the text search by its open log; the one left is the ranker.
 */
function label(pid: number): string {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmd.includes('gateway')) return 'gateway';
    const maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
    if (maps.includes('onnxruntime')) return 'encoder';
    if (maps.includes('usearch') || maps.includes('lmdb')) return 'indexer';
    const fds = readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    });
    return fds.some((f) => f.endsWith('text-index.jsonl')) ? 'text' : 'ranker';
  } catch {
    return 'worker';
  }
}

/** Bytes of the files under `dir`. */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) {
      try {
        total += statSync(join(e.parentPath, e.name)).size;
      } catch {}
    }
  }
  return total;
}

interface Sample {
  at: number;
  rssKb: number;
  fds: number;
}

function sample(pid: number, at: number): Sample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
    return { at, rssKb, fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return undefined; // exited
  }
}

process.env.WEFT_ACCESS_LOG = '0'; // the runtimes inherit it: no line per request
const tmp = mkdtempSync(join(tmpdir(), 'weft-soak-'));
const app = new ShopApp(
  { host: '127.0.0.1', port: 0, catalogueDir: catalogueDir(tmp), dataDir: join(tmp, 'data'), reindex: false },
  () => {},
);
let figures: Figure[];
try {
  const t0 = performance.now();
  await app.start();
  const indexed = await app.indexed();
  if (indexed.state !== 'ready') throw new Error(`indexing the catalogue failed: ${JSON.stringify(indexed)}`);
  console.error(`  app ready and catalogue indexed in ${Math.round(performance.now() - t0)} ms`);
  const url = app.url;
  const catalogue = (await (await fetch(`${url}/api/catalogue`)).json()) as { products: Product[] };
  const products = catalogue.products;
  const images = products.map((p) => readFileSync(join(app.config.catalogueDir, p.image)));
  const words = [...new Set(products.flatMap((p) => p.title.toLowerCase().split(/\W+/)).filter((w) => w.length > 2))];
  const gateway = new Client({ host: url, protocol: 'http', showProgress: false });

  const counts = { text: 0, image: 0, index: 0 };
  const errors = new Map<string, number>();
  let failed = 0;
  let sent = 0;
  let done = false;
  const latencies: number[] = [];
  const fail = (what: string, detail: string) => {
    failed++;
    const key = `${what}: ${detail}`.slice(0, 200);
    errors.set(key, (errors.get(key) ?? 0) + 1);
  };
  const search = async (query: string, body?: Buffer): Promise<void> => {
    const res = await fetch(`${url}/api/search?${query}`, {
      method: 'POST',
      ...(body ? { body, headers: { 'content-type': 'image/webp' } } : {}),
    });
    const answer = (await res.json()) as { matches?: unknown[]; error?: { message: string; detail?: string } };
    if (!res.ok || !Array.isArray(answer.matches)) throw new Error(`HTTP ${res.status} ${JSON.stringify(answer)}`);
  };
  type Kind = keyof typeof counts;
  /** Request number `i`: 40 % text searches, 40 % photo searches, 20 % upserts, unless `only` says which. */
  const one = async (i: number, only?: Kind): Promise<void> => {
    {
      sent++;
      const k = i % 10;
      const kind: Kind = only ?? (k < 4 ? 'text' : k < 8 ? 'image' : 'index');
      const n = (i * 7919) % products.length;
      const t = performance.now();
      try {
        if (kind === 'text') await search(`text=${encodeURIComponent(words[i % words.length] as string)}&limit=12`);
        else if (kind === 'image') await search('limit=12', images[n]);
        else {
          const p = products[n] as Product;
          const doc = new Document({ id: `soak-${i % SOAK_IDS}`, blob: images[n] as Buffer, mimeType: 'image/webp' });
          doc.tags = { title: p.title, category: p.category, image: p.image };
          await gateway.post('/index', new DocumentArray([doc]));
        }
        counts[kind]++;
        latencies.push(performance.now() - t);
      } catch (err) {
        fail(kind, `${(err as { code?: string }).code ?? ''} ${(err as Error).message}`);
      }
    }
  };
  const client = async (c: number): Promise<void> => {
    // first a burst of every kind from every client at once: the most connections the traffic can need
    await Promise.all((['text', 'image', 'index'] as const).map((kind, k) => one(c + k * CLIENTS, kind)));
    for (let i = c; !done && sent < MAX_REQUESTS; i += CLIENTS) await one(i);
  };

  // sample every process of the Flow each second while the traffic runs
  const series = new Map<number, Sample[]>();
  const start = performance.now();
  const sampler = setInterval(() => {
    const at = performance.now() - start;
    for (const pid of descendants(process.pid)) {
      const s = sample(pid, at);
      if (!s) continue;
      const list = series.get(pid) ?? [];
      list.push(s);
      series.set(pid, list);
    }
  }, SAMPLE_MS);
  const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
  const dataDir = app.config.dataDir;
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  const data0 = bytesUnder(dataDir);
  await new Promise((r) => setTimeout(r, RUN_MS - WARMUP_MS));
  const data1 = bytesUnder(dataDir);
  done = true;
  await Promise.all(clients);
  clearInterval(sampler);
  await gateway.close();
  for (const [e, n] of errors) console.error(`  ${n} x ${e}`);

  const median = (v: number[]) => percentile(v, 50);
  const perProcess: Figure[] = [];
  let worstRss = 0;
  let worstFds = 0;
  const end = RUN_MS;
  for (const [pid, list] of [...series].sort((a, b) => label(a[0]).localeCompare(label(b[0])))) {
    const first = list.filter((s) => s.at >= WARMUP_MS && s.at < WARMUP_MS + WINDOW_MS);
    const last = list.filter((s) => s.at >= end - WINDOW_MS);
    if (first.length === 0 || last.length === 0) continue;
    const rss0 = median(first.map((s) => s.rssKb));
    const rss1 = median(last.map((s) => s.rssKb));
    const fd0 = Math.max(...list.filter((s) => s.at < WARMUP_MS + WINDOW_MS).map((s) => s.fds));
    const fd1 = Math.min(...last.map((s) => s.fds));
    const growth = ((rss1 - rss0) / rss0) * 100;
    worstRss = Math.max(worstRss, growth);
    worstFds = Math.max(worstFds, fd1 - fd0);
    const name = `${label(pid)} (pid ${pid})`;
    perProcess.push(
      figure(
        `${name}: RSS after warm-up → end (MB)`,
        `${round(rss0 / 1024)} → ${round(rss1 / 1024)} (${growth >= 0 ? '+' : ''}${round(growth)} %)`,
      ),
      figure(`${name}: open fds, most until the first window → fewest in the last`, `${fd0} → ${fd1}`),
    );
  }
  figures = [
    figure('run (s)', RUN_MS / 1000),
    figure('warm-up (s)', WARMUP_MS / 1000),
    figure('products in the catalogue', products.length),
    figure('clients', CLIENTS),
    figure('text searches', counts.text),
    figure('photo searches', counts.image),
    figure('re-indexed documents', counts.index),
    figure('p99 latency (ms)', round(percentile(latencies, 99))),
    goal('requests failed', failed, '=', 0),
    goal('processes sampled', series.size, '>=', 5),
    ...perProcess,
    goal('largest RSS growth after warm-up (%)', round(worstRss), '<=', 10),
    goal('largest fd growth after warm-up', worstFds, '<=', 0),
    figure('data folder after warm-up → end (MB)', `${round(data0 / 2 ** 20, 2)} → ${round(data1 / 2 ** 20, 2)}`),
  ];
} finally {
  await app.close().catch(() => undefined);
  rmSync(tmp, { recursive: true, force: true });
}
report('soak', figures);
