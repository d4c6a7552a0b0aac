/**
 * The shop-the-look app: load the catalogue, start the Flow of `flow.yml` (ImageEncoder → VectorIndexer behind an
 * HTTP gateway), index the catalogue when the index is empty, then serve the web page beside the gateway.
 * `close()` stops the page and every process of the Flow; it may be called at any time, also during `start()`.
 */
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Flow } from '@weft-ai/weft';
import { type Catalogue, loadCatalogue } from './catalogue.js';
import { EXAMPLE_DIR, type ShopConfig, ShopError } from './config.js';
import { clearIndex, countIndexed, indexCatalogue } from './indexing.js';
import { startWebServer, type WebServer } from './web-server.js';

export const FLOW_YAML = join(EXAMPLE_DIR, 'flow.yml');
const WEB_DIR = join(EXAMPLE_DIR, 'web');

export class ShopClosedError extends Error {
  override name = 'ShopClosedError';
  constructor() {
    super('the app was closed while it was starting');
  }
}

export class ShopApp {
  readonly config: ShopConfig;
  readonly #log: (line: string) => void;
  #flow: Flow | undefined;
  #web: WebServer | undefined;
  #catalogue: Catalogue | undefined;
  #closing: Promise<void> | undefined;
  readonly #stop = new AbortController();

  constructor(config: ShopConfig, log: (line: string) => void = console.log) {
    this.config = config;
    this.#log = log;
  }

  /** The page's address (after `start()`). */
  get url(): string {
    if (!this.#web) throw new Error('the app is not started');
    return this.#web.url;
  }

  /** The gateway's HTTP address (after `start()`). */
  get gatewayUrl(): string {
    const http = this.#flow?.endpoints.find((e) => e.protocol === 'http');
    if (!http) throw new Error('the app is not started');
    return http.url;
  }

  get catalogue(): Catalogue {
    if (!this.#catalogue) throw new Error('the app is not started');
    return this.#catalogue;
  }

  async start(): Promise<this> {
    const c = this.config;
    const log = this.#log;
    const catalogue = await loadCatalogue(c.catalogueDir);
    this.#catalogue = catalogue;
    log(
      `catalogue: ${catalogue.products.length} products in ${catalogue.categories.length} categories (${c.catalogueDir})`,
    );
    await mkdir(c.dataDir, { recursive: true });
    const gatewayPort = c.gatewayPort ?? (await freePort(c.gatewayHost));

    // the page's port is taken first, so a port in use fails at once rather than after the indexing
    this.#web = await startWebServer({
      host: c.host,
      port: c.port,
      webDir: WEB_DIR,
      catalogue,
      gatewayUrl: `http://${dialHost(c.gatewayHost)}:${gatewayPort}`,
    }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        throw new ShopError(`port ${c.port} on ${c.host} is in use: pass --port <n> (0 picks a free one)`);
      }
      throw err;
    });
    if (this.#closing) await this.#web.close();
    this.#checkOpen();

    const flow = Flow.load(FLOW_YAML, {
      env: {
        ...process.env,
        SHOP_DATA_DIR: c.dataDir,
        SHOP_GATEWAY_HOST: c.gatewayHost,
        SHOP_GATEWAY_PORT: String(gatewayPort),
      },
    });
    this.#flow = flow;
    const t0 = performance.now();
    log(`starting the Flow (${flow.executors.map((e) => `${e.name}: ${e.uses}`).join(' → ')})…`);
    await flow.start();
    this.#checkOpen();
    log(`Flow ready in ${((performance.now() - t0) / 1000).toFixed(1)} s, HTTP gateway at ${this.gatewayUrl}`);

    if (c.reindex) {
      await clearIndex(flow.client);
      log(`cleared the index in ${c.dataDir}`);
    }
    const count = await countIndexed(flow.client);
    if (count === 0) {
      log(`the index in ${c.dataDir} is empty: indexing ${catalogue.products.length} products…`);
      await indexCatalogue(flow.client, catalogue, { log, signal: this.#stop.signal });
    } else {
      log(`the index holds ${count} products (${c.dataDir})`);
      if (count !== catalogue.products.length) {
        log(`  the catalogue has ${catalogue.products.length}: start with --reindex to index it again`);
      }
    }
    this.#checkOpen();
    return this;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#stop.abort(new ShopClosedError());
      await this.#web?.close();
      await this.#flow?.close();
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #checkOpen(): void {
    if (this.#closing) throw new ShopClosedError();
  }
}

/** Where this process reaches a server listening on `host` (any-address binds are dialled on loopback). */
function dialHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** A port nobody listens on right now (the gateway binds it moments later). */
async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
