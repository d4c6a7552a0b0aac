/**
 * Filling the index, inside the gateway: find which products the Flow's indexes already hold (the VectorIndexer
 * and the TextSearch are durable, so what they acknowledged survives a crash or a Ctrl-C), then send the rest
 * through `/index` (ImageEncoder embeds, VectorIndexer and TextSearch store) in batches, keeping a progress record
 * that the page polls (`GET /api/status`). An interrupted first indexing thus resumes where it stopped. A batch
 * that fails is retried one product at a time, so one unreadable image is skipped (and logged), not fatal.
 */
import { DocumentArray, type Gateway } from '@weft-ai/weft';
import { type Catalogue, type Product, productDocument } from './catalogue.js';

/** Documents per request: the ImageEncoder's preferred batch. */
const BATCH = 16;
/** Requests in flight: enough to keep the encoder busy. */
const IN_FLIGHT = 2;
/** Ids per `/fill` request when checking what is indexed. */
const CHECK_BATCH = 256;

export interface IndexProgress {
  state: 'starting' | 'checking' | 'indexing' | 'ready' | 'failed';
  /** Products in the catalogue. */
  total: number;
  /** Products in the index (found there, or indexed since). */
  done: number;
  /** Products left out because their image could not be indexed: id and reason. */
  skipped: { id: string; reason: string }[];
  /** Products that were already indexed when this start checked. */
  resumedFrom?: number;
  /** Images per second while indexing. */
  rate?: number;
  /** Why the indexing stopped (state `failed`). */
  error?: string;
}

export interface IndexingOptions {
  log?: (line: string) => void;
  /** Clear both indexes first. */
  reindex?: boolean;
  signal?: AbortSignal;
}

const INDEXES = '^(indexer|text)$';

/** Runs once per start; `progress` is what `GET /api/status` answers. */
export class IndexingJob {
  readonly progress: IndexProgress;
  readonly #gateway: Gateway;
  readonly #catalogue: Catalogue;
  readonly #o: IndexingOptions;

  constructor(gateway: Gateway, catalogue: Catalogue, options: IndexingOptions = {}) {
    this.#gateway = gateway;
    this.#catalogue = catalogue;
    this.#o = options;
    this.progress = { state: 'starting', total: catalogue.products.length, done: 0, skipped: [] };
  }

  /** Check, index what is missing; never rejects (a failure is recorded in `progress`). */
  async run(): Promise<void> {
    const log = this.#o.log ?? console.log;
    const p = this.progress;
    try {
      p.state = 'checking';
      if (this.#o.reindex) {
        await this.#retrying(() => this.#gateway.post('/clear', new DocumentArray(), { targetExecutor: INDEXES }));
        log('cleared the index (--reindex)');
      }
      const missing = await this.#retrying(() => this.#missing());
      p.done = p.total - missing.length;
      p.resumedFrom = p.done;
      if (missing.length === 0) {
        p.state = 'ready';
        log(`the index holds all ${p.total} products`);
        return;
      }
      log(
        p.done === 0
          ? `the index is empty: indexing ${p.total} products…`
          : `the index holds ${p.done} of ${p.total} products: indexing the other ${missing.length}…`,
      );
      p.state = 'indexing';
      const t0 = performance.now();
      let nextReport = p.done + Math.ceil(p.total / 10);
      await this.#indexAll(missing, (n) => {
        p.done += n;
        p.rate = ((p.done - (p.resumedFrom ?? 0)) * 1000) / (performance.now() - t0);
        if (p.done >= nextReport && p.done < p.total) {
          log(`  indexed ${p.done}/${p.total} products (${p.rate.toFixed(0)} images/s)`);
          nextReport += Math.ceil(p.total / 10);
        }
      });
      const s = (performance.now() - t0) / 1000;
      const n = missing.length - p.skipped.length;
      log(`indexed ${n} products in ${s.toFixed(1)} s (${(n / s).toFixed(0)} images/s)`);
      if (p.skipped.length > 0) log(`  skipped ${p.skipped.length}: ${p.skipped.map((x) => x.id).join(', ')}`);
      p.state = 'ready';
    } catch (err) {
      if (this.#o.signal?.aborted) return;
      p.state = 'failed';
      p.error = (err as Error).message;
      log(`indexing failed: ${(err as Error).stack ?? err}`);
    }
  }

  /** Products one of the two indexes does not hold. */
  async #missing(): Promise<Product[]> {
    const products = this.#catalogue.products;
    const out: Product[] = [];
    for (let at = 0; at < products.length; at += CHECK_BATCH) {
      const slice = products.slice(at, at + CHECK_BATCH);
      const ask = (target: string) =>
        this.#gateway.post('/fill', new DocumentArray(slice.map((x) => ({ id: x.id }))), { targetExecutor: target });
      const [vectors, words] = await Promise.all([ask('^indexer$'), ask('^text$')]);
      for (const x of slice) {
        const inVectors = vectors.get(x.id)?.embedding !== undefined;
        const inText = words.get(x.id)?.hasTags === true;
        if (!inVectors || !inText) out.push(x);
      }
    }
    return out;
  }

  async #indexAll(products: Product[], onDone: (n: number) => void): Promise<void> {
    const batches: Product[][] = [];
    for (let at = 0; at < products.length; at += BATCH) batches.push(products.slice(at, at + BATCH));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        this.#o.signal?.throwIfAborted();
        const batch = batches[next++] as Product[];
        onDone(await this.#indexBatch(batch));
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  }

  /** Index a batch; when it fails, each product alone, skipping the ones that fail. Resolves with how many got in. */
  async #indexBatch(batch: Product[]): Promise<number> {
    try {
      await this.#post(batch);
      return batch.length;
    } catch (err) {
      if (batch.length === 1 || isTransport(err)) {
        if (isTransport(err)) throw err;
        this.progress.skipped.push({ id: (batch[0] as Product).id, reason: (err as Error).message });
        return 0;
      }
      let n = 0;
      for (const one of batch) n += await this.#indexBatch([one]);
      return n;
    }
  }

  async #post(batch: Product[]): Promise<void> {
    const docs = await Promise.all(batch.map((x) => productDocument(this.#catalogue, x)));
    await this.#gateway.post('/index', new DocumentArray(docs), { parameters: { dropImage: true } });
  }

  /** Executors still starting (or restarting) answer UNAVAILABLE for a moment: try again for up to a minute. */
  async #retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!isTransport(err) || attempt >= 60 || this.#o.signal?.aborted) throw err;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}

/** A network failure (the Flow is not reachable), not a document's fault. */
function isTransport(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'WEFT_UNAVAILABLE' || code === 'WEFT_TIMEOUT';
}
