/**
 * Filling the index: count what the VectorIndexer holds, and send the catalogue through the Flow's `/index`
 * endpoint (ImageEncoder embeds each image, VectorIndexer stores it) in batches, printing progress and timing.
 */
import type { Client, Document } from '@weft-ai/weft';
import { type Catalogue, productDocument } from './catalogue.js';

/** The executor name of the index in flow.yml. */
export const INDEXER = 'indexer';

/** Documents per request: the ImageEncoder's preferred batch. */
const BATCH = 16;
/** Requests in flight: enough to keep the encoder busy, few enough that a stop does not wait for a long queue. */
const IN_FLIGHT = 2;

/** What the indexer reported under `parameters.__results__` (keyed by runtime name, e.g. `indexer/rep-0`). */
async function indexerResults(client: Client, endpoint: string): Promise<Record<string, unknown>> {
  let out: Record<string, unknown> = {};
  for await (const res of client.stream(endpoint, [{}], { targetExecutor: `^${INDEXER}$`, showProgress: false })) {
    if (res.isError) throw new Error(`${endpoint} failed: ${res.header.status?.description ?? 'unknown error'}`);
    const results = (res.parameters.__results__ ?? {}) as Record<string, Record<string, unknown>>;
    for (const [runtime, value] of Object.entries(results)) if (runtime.startsWith(INDEXER)) out = value;
  }
  return out;
}

/** How many documents the index holds. */
export async function countIndexed(client: Client): Promise<number> {
  return Number((await indexerResults(client, '/count')).count ?? 0);
}

/** Empty the index. */
export async function clearIndex(client: Client): Promise<void> {
  await indexerResults(client, '/clear');
}

export interface IndexReport {
  indexed: number;
  ms: number;
}

export interface IndexOptions {
  /** Progress lines (about every 10 %) and the summary. */
  log?: (line: string) => void;
  /** Stops sending further products (requests already sent finish). */
  signal?: AbortSignal;
}

/**
 * Index every product of the catalogue, reading the images as the requests go out. Rejects with the first failed
 * request's error, or an AbortError when `signal` fired.
 */
export async function indexCatalogue(
  client: Client,
  catalogue: Catalogue,
  { log = console.log, signal }: IndexOptions = {},
): Promise<IndexReport> {
  const total = catalogue.products.length;
  const t0 = performance.now();
  let done = 0;
  let nextReport = Math.ceil(total / 10);
  async function* documents(): AsyncGenerator<Document> {
    for (const p of catalogue.products) {
      if (signal?.aborted) return;
      yield productDocument(catalogue, p);
    }
  }
  await client.post('/index', documents(), {
    requestSize: BATCH,
    prefetch: IN_FLIGHT,
    showProgress: false,
    onDone: (res) => {
      done += res.docs.length;
      if (done >= nextReport && done < total) {
        const s = (performance.now() - t0) / 1000;
        log(`  indexed ${done}/${total} products (${(done / s).toFixed(0)} images/s)`);
        nextReport += Math.ceil(total / 10);
      }
    },
  });
  signal?.throwIfAborted();
  const ms = performance.now() - t0;
  log(`indexed ${done} products in ${(ms / 1000).toFixed(1)} s (${((done * 1000) / ms).toFixed(0)} images/s)`);
  return { indexed: done, ms };
}
