/**
 * The gateway's WebSocket protocol (Jina's `websocket_fastapi_app`): `WS /` streams requests and answers on one
 * socket (see `websocket-session.ts`), `WS /dry_run` sends one StatusProto as JSON and closes, and the same port
 * answers `GET /` (`{}`, the health check), `GET /status` (versions and environment) and `GET /dry_run` (StatusProto
 * JSON) over plain HTTP. The subprotocol is picked with `Sec-WebSocket-Protocol`: `bytes` (serialized
 * DataRequestProto both ways) or `json` (the `/post` body in, `DataRequest.to_dict()` out), `json` when absent or
 * unknown; the chosen one is echoed back when the client offered it. With the gateway's certificate, the port speaks
 * TLS (`wss://`, `https://`). `GET /health` and `GET /ready` answer liveness and readiness (`http-health.ts`). When
 * the gateway has guards (token auth), a socket they refuse is closed with 1008 and the coded reason before a
 * message is read, and `/status` and `/dry_run` answer 401; the health routes stay open.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { StartupError, UnavailableError } from '../../../errors/index.js';
import { clientErrorHandler, resolveLimits } from '../../../limits/index.js';
import { statusToJson } from '../../../request/index.js';
import type { Gateway } from '../gateway.js';
import { inboundHeaders, type RequestInfo } from '../interceptors.js';
import { HEALTH_PATHS, liveness, readiness, refusalReply } from './http-health.js';
import type { ProtocolServer, ProtocolServerOptions } from './protocol.js';
import { closeFor } from './websocket-close.js';
import { type WebSocketMode, WebSocketSession } from './websocket-session.js';

const SUBPROTOCOLS: readonly WebSocketMode[] = ['json', 'bytes'];

export class WebSocketProtocol implements ProtocolServer {
  readonly protocol = 'websocket';
  readonly #gateway: Gateway;
  readonly #options: ProtocolServerOptions;
  readonly #sessions = new Set<WebSocketSession>();
  #http: Server | undefined;
  #wss: WebSocketServer | undefined;
  #accepting = false;

  constructor(gateway: Gateway, options: ProtocolServerOptions) {
    this.#gateway = gateway;
    this.#options = options;
  }

  async start(): Promise<number> {
    const max = this.#options.maxMessageBytes;
    const wss = new WebSocketServer({
      noServer: true,
      // 0 is ws's "no limit", the gateway's -1
      maxPayload: max === undefined || max < 0 ? 0 : max,
      perMessageDeflate: false,
      handleProtocols: (offered) => [...offered].find((p) => SUBPROTOCOLS.includes(p as WebSocketMode)) ?? false,
    });
    const tls = this.#options.tls;
    const handle = (req: IncomingMessage, res: ServerResponse): void => this.#get(req, res);
    // wss:// and https:// with the gateway's certificate when it has one
    const limits = resolveLimits(this.#options.limits as Record<string, unknown> | undefined);
    // headers over limits.maxHeaderBytes (the upgrade's too) are refused by Node: 431 with the coded body
    const maxHeaderSize = limits.maxHeaderBytes > 0 ? { maxHeaderSize: limits.maxHeaderBytes } : {};
    const http: Server = tls
      ? createTlsServer({ cert: tls.cert, key: tls.key, ...maxHeaderSize }, handle)
      : createServer(maxHeaderSize, handle);
    if (limits.maxHeaderBytes > 0) http.on('clientError', clientErrorHandler(limits.maxHeaderBytes));
    http.on('upgrade', (req, socket, head) => this.#upgrade(wss, req, socket, head));
    const { host, port } = this.#options;
    const bound = await new Promise<number>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, host, () => {
        http.off('error', reject);
        const address = http.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    }).catch((err: Error) => {
      throw new StartupError(
        `gateway ${this.#gateway.name} cannot listen on ${host}:${port} (websocket): ${err.message}`,
        { cause: err, details: { host, port } },
      );
    });
    this.#http = http;
    this.#wss = wss;
    this.#accepting = true;
    return bound;
  }

  async stop(graceMs: number): Promise<void> {
    this.#accepting = false;
    const http = this.#http;
    const wss = this.#wss;
    if (!http || !wss) return;
    // stop listening; sessions answer what is in flight, then close with 1001; dry runs finish
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeIdleConnections();
    for (const s of this.#sessions) s.drain();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((r) => {
      timer = setTimeout(() => r('expired'), graceMs);
    });
    const outcome = await Promise.race([closed, expired]);
    clearTimeout(timer);
    if (outcome === 'expired') {
      for (const ws of wss.clients) ws.terminate();
      http.closeAllConnections();
      await closed;
    }
    wss.close();
  }

  #upgrade(wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = pathOf(req);
    if (path !== '/' && path !== '/dry_run') {
      socket.end(`HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    if (!this.#accepting) {
      socket.end(`HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const refused = this.#refusal(req, `WS ${path}`);
    wss.handleUpgrade(req, socket, head, (ws) => {
      // a refused connection (no accepted token) is closed before any message is read, with the coded error
      if (refused) {
        const { code, reason } = closeFor(refused);
        ws.on('error', () => undefined);
        ws.close(code, reason);
      } else if (path === '/dry_run') this.#dryRunSocket(ws);
      else this.#session(ws, { protocol: 'websocket', headers: inboundHeaders(req.headers), connection: ws });
    });
  }

  #session(ws: WebSocket, info: RequestInfo): void {
    const mode: WebSocketMode = ws.protocol === 'bytes' ? 'bytes' : 'json';
    const session = new WebSocketSession(ws, mode, {
      process: (req) =>
        this.#accepting
          ? this.#gateway.process(req, info)
          : Promise.reject(new UnavailableError(`gateway ${this.#gateway.name} is shutting down`)),
      prefetch: this.#gateway.prefetch,
      accepting: () => this.#accepting,
    });
    this.#sessions.add(session);
    void session.done.then(() => this.#sessions.delete(session));
  }

  #dryRunSocket(ws: WebSocket): void {
    ws.on('error', () => undefined);
    void this.#gateway.dryRun().then((status) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(JSON.stringify(statusToJson(status)), () => ws.close(1000));
    });
  }

  /** What the gateway's guards (token auth) say to this call: undefined when admitted, else the error. */
  #refusal(req: IncomingMessage, call: string): unknown {
    if (!this.#gateway.guarded) return undefined;
    try {
      this.#gateway.admit({ protocol: 'websocket', headers: req.headers, call });
      return undefined;
    } catch (err) {
      return err;
    }
  }

  /** The plain HTTP side of the port: health (open without a token), status and dry run. */
  #get(req: IncomingMessage, res: ServerResponse): void {
    const path = pathOf(req);
    const send = (code: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(code, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        ...(this.#options.cors ? { 'access-control-allow-origin': '*' } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      send(405, {
        detail: `${req.method} is not served here: the websocket gateway answers GET /, /health, /ready, /status, /dry_run`,
      });
      return;
    }
    const refused = HEALTH_PATHS.has(path) ? undefined : this.#refusal(req, `${req.method} ${path}`);
    if (refused) {
      const r = refusalReply(refused, path);
      for (const [k, v] of Object.entries(r.headers)) res.setHeader(k, v);
      send(r.status, r.body);
    } else if (path === '/') send(this.#accepting ? 200 : 503, {});
    else if (path === '/health') {
      const { status, body } = liveness(this.#gateway, this.#accepting);
      send(status, body);
    } else if (path === '/ready') {
      void readiness(this.#gateway, this.#accepting).then(({ status, body }) => send(status, body));
    } else if (path === '/status') send(200, this.#gateway.info());
    else if (path === '/dry_run') void this.#gateway.dryRun().then((status) => send(200, statusToJson(status)));
    else send(404, { detail: `no route ${path}: open a WebSocket at / (or /dry_run), or GET /, /status, /dry_run` });
  }
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
