/**
 * The app's web server (node:http, no framework): the page (`web/`), the catalogue's `products.json` and images
 * (`/catalogue/...`), and `POST /search` passed through unchanged to the Flow's HTTP gateway, so the browser talks
 * to one origin. The gateway runs in its own process and cannot mount extra routes today; this server sits beside
 * it instead.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { type Catalogue, imageMimeType, isInside } from './catalogue.js';

export interface WebServerOptions {
  host: string;
  port: number;
  /** Folder of index.html, app.js, style.css. */
  webDir: string;
  catalogue: Catalogue;
  /** The gateway's HTTP address, e.g. `http://127.0.0.1:54321`. */
  gatewayUrl: string;
}

const PAGE_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const PAGE_FILES: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/style.css': 'style.css',
};

/** Routes passed to the gateway as they are. */
const PROXIED = new Set(['POST /search']);

export interface WebServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Start serving; resolves once listening. */
export async function startWebServer(o: WebServerOptions): Promise<WebServer> {
  const server = createServer((req, res) => {
    handle(req, res, o).catch((err: Error) => {
      if (!res.headersSent) sendJson(res, 500, { detail: err.message });
      else res.destroy(err);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shown = o.host === '0.0.0.0' || o.host === '::' ? 'localhost' : o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    server,
    url: `http://${shown}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, o: WebServerOptions): Promise<void> {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  if (PROXIED.has(`${req.method} ${path}`)) return proxy(req, res, o.gatewayUrl, path);
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { detail: `${req.method} not allowed` });
  const page = PAGE_FILES[path];
  if (page) return sendFile(req, res, join(o.webDir, page), PAGE_TYPES[extname(page)] as string, 'no-cache');
  if (path === '/catalogue/products.json') {
    const { products, categories } = o.catalogue;
    return sendJson(res, 200, { categories, products });
  }
  if (path.startsWith('/catalogue/')) {
    const rel = path.slice('/catalogue/'.length);
    const type = imageMimeType(rel);
    if (type && isInside(o.catalogue.dir, rel)) {
      return sendFile(req, res, join(o.catalogue.dir, rel), type, 'public, max-age=3600');
    }
  }
  sendJson(res, 404, { detail: `no such page: ${path}` });
}

async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  type: string,
  cache: string,
): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return sendJson(res, 404, { detail: `not found: ${req.url}` });
  res.writeHead(200, { 'content-type': type, 'content-length': info.size, 'cache-control': cache });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Stream the request to the gateway and its answer back, status and body unchanged. */
function proxy(req: IncomingMessage, res: ServerResponse, gatewayUrl: string, path: string): Promise<void> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    for (const key of ['content-type', 'content-length', 'accept']) {
      const v = req.headers[key];
      if (typeof v === 'string') headers[key] = v;
    }
    const upstream = request(new URL(path, gatewayUrl), { method: req.method, headers }, (answer) => {
      const out: Record<string, string> = {};
      for (const key of ['content-type', 'content-length']) {
        const v = answer.headers[key];
        if (typeof v === 'string') out[key] = v;
      }
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
      answer.on('end', resolve);
      answer.on('error', () => resolve());
    });
    upstream.on('error', (err) => {
      if (!res.headersSent) {
        sendJson(res, 502, {
          detail: `the search service is not reachable: ${err.message}`,
          header: { status: { code: 1, description: `gateway unreachable: ${err.message}` } },
        });
      } else res.destroy(err);
      resolve();
    });
    req.pipe(upstream);
  });
}
