/**
 * The shop's own routes on the Flow's HTTP gateway (flow.yml `http_plugins`), beside the page (`static_folder:
 * web`): one port for the page and its API. Loads the catalogue (`SHOP_CATALOGUE`, default the bundled one), starts
 * indexing it once the gateway is up (unless `SHOP_INDEX=off`; `SHOP_REINDEX=1` clears first), and serves
 *
 * - `GET /api/status`: the indexing progress (`state`, `done`, `total`, …), polled by the page;
 * - `GET /api/catalogue`: categories and products; `GET /catalogue/<image>`: the product pictures;
 * - `POST /api/search?text=&category=&limit=&like=`: the body, when there is one, is the photo (`image/*`).
 *
 * Errors answer `{ error: { message, detail, code } }`: `message` is for the shopper, `detail` (also logged) for
 * the developer.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { HttpPlugin } from '@weft-ai/weft';
import { createLogger } from '@weft-ai/weft/observability';
import { type Catalogue, imageMimeType, isInside, loadCatalogue } from './catalogue.js';
import { EXAMPLE_DIR } from './config.js';
import { IndexingJob } from './indexing.js';
import { runSearch, UnknownProductError } from './search.js';
import { Thumbnails } from './thumbnails.js';

const MAX_LIMIT = 100;

/** The largest photo accepted, in bytes (`SHOP_MAX_UPLOAD_MB`, default 8). The page scales big photos down first. */
export function maxUploadBytes(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.SHOP_MAX_UPLOAD_MB ?? 8);
  return Math.round((Number.isFinite(mb) && mb > 0 ? mb : 8) * 1024 * 1024);
}

interface ErrorBody {
  error: { message: string; detail?: string; code?: string };
}

function failure(message: string, detail?: string, code?: string): ErrorBody {
  return { error: { message, ...(detail ? { detail } : {}), ...(code ? { code } : {}) } };
}

export const shopRoutes: HttpPlugin = async (app, { gateway }) => {
  const log = createLogger('shop-the-look');
  const catalogueDir = resolve(process.env.SHOP_CATALOGUE || join(EXAMPLE_DIR, 'catalogue'));
  const catalogue: Catalogue = await loadCatalogue(catalogueDir);
  log.info(
    `catalogue: ${catalogue.products.length} products in ${catalogue.categories.length} categories (${catalogueDir})`,
  );
  const stop = new AbortController();
  const job = new IndexingJob(gateway, catalogue, {
    log: (line) => log.info(line),
    reindex: process.env.SHOP_REINDEX === '1',
    signal: stop.signal,
  });
  let running: Promise<void> | undefined;
  if (process.env.SHOP_INDEX !== 'off') {
    app.addHook('onReady', async () => {
      running = job.run();
    });
  } else job.progress.state = 'ready';
  app.addHook('onClose', async () => {
    stop.abort();
    await running;
  });
  const limitBytes = maxUploadBytes();
  const known = new Set(catalogue.products.map((p) => p.id));

  app.get('/api/status', async () => job.progress);

  app.get('/api/catalogue', async () => ({ categories: catalogue.categories, products: catalogue.products }));

  const thumbnails = new Thumbnails(catalogue.dir);
  app.get('/catalogue/*', async (request, reply) => {
    const rel = decodeURIComponent((request.params as { '*': string })['*']);
    const type = imageMimeType(rel);
    const file = join(catalogue.dir, rel);
    const info = type && isInside(catalogue.dir, rel) ? await stat(file).catch(() => undefined) : undefined;
    if (!info?.isFile()) return reply.code(404).send(failure('No such picture.', rel));
    reply.header('cache-control', 'public, max-age=3600');
    if (Thumbnails.needed(type as string, info.size)) {
      const webp = await thumbnails.get(rel).catch((err: Error) => {
        log.warn(`no thumbnail for ${rel}: ${err.message}`);
        return undefined;
      });
      if (webp) return reply.header('content-type', 'image/webp').send(webp);
    }
    return reply
      .header('content-type', type as string)
      .header('content-length', info.size)
      .send(createReadStream(file));
  });

  // the photo arrives as the raw body; other types are refused by fastify with 415
  app.addContentTypeParser(
    /^(image\/|application\/octet-stream)/,
    { parseAs: 'buffer', bodyLimit: limitBytes },
    (_req, body, done) => done(null, body),
  );

  app.post('/api/search', {
    onRequest: async (request, reply) => {
      const length = Number(request.headers['content-length'] ?? 0);
      if (length > limitBytes) {
        const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
        return reply
          .code(413)
          .send(
            failure(`That photo is too large (${mb(length)}). The limit is ${mb(limitBytes)}.`, undefined, 'TOO_LARGE'),
          );
      }
    },
    handler: async (request, reply) => {
      const q = request.query as Record<string, string | undefined>;
      const body = request.body;
      const image = body instanceof Buffer && body.length > 0 ? body : undefined;
      const limit = Math.min(MAX_LIMIT, Math.max(1, Number.parseInt(q.limit ?? '12', 10) || 12));
      if (!image && !q.text?.trim() && !q.like) {
        return reply.code(400).send(failure('Choose a photo or type what you are looking for.'));
      }
      const t0 = performance.now();
      try {
        const answer = await runSearch(gateway, {
          ...(image
            ? {
                image: {
                  bytes: new Uint8Array(image.buffer, image.byteOffset, image.byteLength),
                  ...(request.headers['content-type']?.startsWith('image/')
                    ? { mimeType: request.headers['content-type'] }
                    : {}),
                },
              }
            : {}),
          ...(q.text ? { text: q.text } : {}),
          ...(q.like ? { like: q.like } : {}),
          ...(q.category ? { category: q.category } : {}),
          limit,
          known,
        });
        return { ...answer, indexing: job.progress.state !== 'ready', ms: Math.round(performance.now() - t0) };
      } catch (err) {
        const e = err as Error & { code?: string };
        const detail = `${e.name}: ${e.message}`;
        log.warn(`search failed: ${detail}`);
        if (err instanceof UnknownProductError) {
          return reply.code(404).send(failure("That product isn't in the search index (yet).", detail));
        }
        if (e.code === 'WEFT_BAD_DOCUMENT') {
          return reply
            .code(422)
            .send(failure("That file isn't an image we can read. Try a JPEG, PNG or WebP photo.", detail, e.code));
        }
        return reply
          .code(e.code === 'WEFT_UNAVAILABLE' ? 503 : 500)
          .send(failure('The search is not working right now. Please try again in a moment.', detail, e.code));
      }
    },
  });
};
