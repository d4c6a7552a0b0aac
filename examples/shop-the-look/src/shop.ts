/**
 * The shop-the-look app: start the Flow of `flow.yml`, whose HTTP gateway serves the page, the API and the
 * catalogue's pictures on one port and indexes the catalogue in the background (src/routes.ts). The data folder
 * records which catalogue its index holds and with which embedding design; starting with another one (or after an
 * upgrade that changed the design) indexes afresh. `close()` stops every
 * process of the Flow; it may be called at any time, also during `start()`.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Flow } from '@weft-ai/weft';
import {
  CATALOGUE_RECORD,
  EXAMPLE_DIR,
  recordedCatalogue,
  recordedEmbedding,
  type ShopConfig,
  ShopError,
} from './config.js';
import type { IndexProgress } from './indexing.js';

export const FLOW_YAML = join(EXAMPLE_DIR, 'flow.yml');

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
  #url: string | undefined;
  #closing: Promise<void> | undefined;

  constructor(config: ShopConfig, log: (line: string) => void = console.log) {
    this.config = config;
    this.#log = log;
  }

  /** The page's address (after `start()`). */
  get url(): string {
    if (!this.#url) throw new Error('the app is not started');
    return this.#url;
  }

  async start(): Promise<this> {
    const c = this.config;
    const log = this.#log;
    await mkdir(c.dataDir, { recursive: true });
    const before = recordedCatalogue(c.dataDir);
    let reindex = c.reindex;
    if (before !== undefined && before !== c.catalogueDir && !reindex) {
      log(`the index in ${c.dataDir} holds another catalogue (${before}): indexing ${c.catalogueDir} afresh`);
      reindex = true;
    }
    // an index built with another embedding design (another width, other features) cannot be searched with this one
    const embedding = await embeddingDesignId();
    if (before !== undefined && recordedEmbedding(c.dataDir) !== embedding && !reindex) {
      log(`the index in ${c.dataDir} was built with another embedding design: indexing ${c.catalogueDir} afresh`);
      reindex = true;
    }
    await writeFile(join(c.dataDir, CATALOGUE_RECORD), `${JSON.stringify({ dir: c.catalogueDir, embedding })}\n`);
    const port = c.port === 0 ? await freePort(c.host) : await portFree(c.host, c.port);
    // the gateway process (src/routes.ts) reads these; the executors inherit them too
    Object.assign(process.env, {
      SHOP_CATALOGUE: c.catalogueDir,
      SHOP_REINDEX: reindex ? '1' : '0',
    });
    const flow = Flow.load(FLOW_YAML, {
      env: {
        ...process.env,
        SHOP_DATA_DIR: c.dataDir,
        SHOP_GATEWAY_HOST: c.host,
        SHOP_GATEWAY_PORT: String(port),
      },
    });
    this.#flow = flow;
    this.#checkOpen();
    const t0 = performance.now();
    log(`starting the Flow (${flow.executors.map((e) => `${e.name}: ${e.uses}`).join(', ')})…`);
    await flow.start();
    this.#checkOpen();
    this.#url = `http://${shownHost(c.host)}:${port}`;
    log(`Flow ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return this;
  }

  /** The indexing progress the page shows. */
  async status(): Promise<IndexProgress> {
    const res = await fetch(`${dialUrl(this.config.host, new URL(this.url).port)}/api/status`);
    if (!res.ok) throw new Error(`GET /api/status: HTTP ${res.status}`);
    return (await res.json()) as IndexProgress;
  }

  /** Resolve once the indexing is over (`ready` or `failed`), checking twice a second. */
  async indexed(): Promise<IndexProgress> {
    for (;;) {
      this.#checkOpen();
      const s = await this.status();
      if (s.state === 'ready' || s.state === 'failed') return s;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
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

function shownHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/** Where this process reaches a server listening on `host` (any-address binds are dialled on loopback). */
function dialUrl(host: string, port: string): string {
  if (host === '0.0.0.0' || host === '') return `http://127.0.0.1:${port}`;
  if (host === '::') return `http://[::1]:${port}`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** A port nobody listens on right now (the gateway binds it moments later). */
function freePort(host: string): Promise<number> {
  return portFree(host, 0);
}

/** `port` if it can be bound on `host` now; a ShopError naming it otherwise. */
function portFree(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new ShopError(`port ${port} on ${host} is in use: pass --port <n> (0 picks a free one)`)
          : err,
      );
    });
    srv.listen(port, host, () => {
      const { port: bound } = srv.address() as { port: number };
      srv.close(() => resolve(bound));
    });
  });
}

/** A short id of ImageEncoder's default design (the Flow uses the defaults). */
async function embeddingDesignId(): Promise<string> {
  const { DEFAULT_DESIGN } = await import('@weft-ai/executor-image-encoder');
  return createHash('sha256').update(JSON.stringify(DEFAULT_DESIGN)).digest('hex').slice(0, 12);
}
