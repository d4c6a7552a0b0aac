/**
 * The gateway's HTTP protocol (fastify), Jina's HTTP gateway on the wire: `GET /` (health), `GET /status`,
 * `GET /dry_run`, `POST /post`, CRUD shortcuts, one `POST /<endpoint>` per endpoint the executors expose (asked at
 * start-up; see `http-routes.ts`), `GET /<endpoint>` Server-Sent Events for streaming endpoints (`http-sse.ts`),
 * `exposeEndpoints` remappings, the app's own fastify plugins and static folder (`http-plugins.ts`), an OpenAPI 3
 * document at `/openapi.json`, a
 * browsable API page at `/docs`, optional CORS and GraphQL at `/graphql`, liveness and readiness at `/health` and
 * `/ready` (`http-health.ts`). Executor errors answer 200 with the error in `header.status`; transport failures
 * 503/504; malformed bodies 400; oversized bodies 413; with the gateway's guards (token auth), a refused request
 * 401 from an `onRequest` hook, before any route (the health routes and CORS preflights pass).
 */
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { BadRequestError, NotFoundError, StartupError, WeftError } from '../../../errors/index.js';
import { clientErrorHandler, RETRY_AFTER_SECONDS } from '../../../limits/index.js';
import { statusToJson } from '../../../request/index.js';
import type { Gateway } from '../gateway.js';
import { registerGraphql } from './graphql-endpoint.js';
import { requestErrorReply } from './http-errors.js';
import { HEALTH_PATHS, liveness, readiness, refusalReply } from './http-health.js';
import {
  DRY_RUN_ROUTE_SCHEMA,
  HEALTH_ROUTE_SCHEMA,
  HTTP_SCHEMAS,
  LIVENESS_ROUTE_SCHEMA,
  READINESS_ROUTE_SCHEMA,
  STATUS_ROUTE_SCHEMA,
  withLateEndpoints,
} from './http-openapi.js';
import { type HttpOptions, parseHttpOptions } from './http-options.js';
import { mountUserRoutes, type UserRoutes } from './http-plugins.js';
import {
  EndpointCatalog,
  planDataRoutes,
  registerDataRoutes,
  registerLateEndpoints,
  reservedRoutes,
} from './http-routes.js';
import { discoverStreamingEndpoints, registerStreamingRoutes } from './http-sse.js';
import type { ProtocolServer, ProtocolServerOptions } from './protocol.js';

export class HttpProtocol implements ProtocolServer {
  readonly protocol = 'http';
  readonly #gateway: Gateway;
  readonly #options: HttpOptions;
  #app: FastifyInstance | undefined;
  #accepting = false;

  /** Throws `ConfigError` when the options are invalid (an unknown `exposeEndpoints` key, a bad method…). */
  constructor(gateway: Gateway, options: ProtocolServerOptions) {
    this.#gateway = gateway;
    this.#options = parseHttpOptions(options);
  }

  async start(): Promise<number> {
    const o = this.#options;
    const endpoints = await discoverEndpoints(this.#gateway, o.discoveryTimeoutMs);
    const streaming = endpoints.length > 0 ? await discoverStreamingEndpoints(this.#gateway, o.discoveryTimeoutMs) : [];
    const routes = planDataRoutes(endpoints, o);
    const catalog = new EndpointCatalog(this.#gateway, routes);
    // HTTPS with the gateway's certificate when it has one (the instance's API is the same either way)
    // headers over limits.maxHeaderBytes are refused by Node itself: answered 431 with the coded body
    const maxHeaderSize = o.limits.maxHeaderBytes > 0 ? o.limits.maxHeaderBytes : undefined;
    const common = {
      bodyLimit: o.bodyLimit,
      logger: false,
      return503OnClosing: true,
      ...(maxHeaderSize ? { clientErrorHandler: clientErrorHandler(maxHeaderSize) } : {}),
    };
    // a request without Host is served like any other (Node would answer a bare 400 without weft's coded body)
    const server = { requireHostHeader: false, ...(maxHeaderSize ? { maxHeaderSize } : {}) };
    const app = (
      o.tls ? Fastify({ ...common, https: { ...o.tls, ...server } }) : Fastify({ ...common, http: server })
    ) as FastifyInstance;
    this.#app = app;
    let rootTaken = false;
    try {
      // the gateway's guards (token auth) see every request but the health routes and CORS preflights
      if (this.#gateway.guarded) this.#guard(app, () => rootTaken);
      // JSON only (a form or text body is 415, with a message saying to send JSON)
      app.removeAllContentTypeParsers();
      app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
        try {
          done(null, parseJsonBody(text as string));
        } catch (err) {
          done(err as Error, undefined);
        }
      });
      // Jina's Python client posts to streaming (SSE) endpoints with its JSON labelled text/plain; take that JSON
      // there, and only there (everywhere else a text body stays 415)
      app.addContentTypeParser('text/plain', { parseAs: 'string' }, (req, text, done) => {
        if (!/text\/event-stream/.test(req.headers.accept ?? '')) {
          const err = Object.assign(new Error(`Unsupported Media Type: ${req.headers['content-type']}`), {
            code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
            statusCode: 415,
          });
          return done(err, undefined);
        }
        try {
          done(null, parseJsonBody(text as string));
        } catch (err) {
          done(err as Error, undefined);
        }
      });
      app.setErrorHandler((err, _request, reply) => {
        const { status, body } = requestErrorReply(err, o.bodyLimit);
        return reply.code(status).send(body);
      });
      // back-pressure refusals (WEFT_OVERLOADED 503, WEFT_TOO_MANY_REQUESTS 429) say when to try again
      app.addHook('onSend', async (_request, reply, payload) => {
        if ((reply.statusCode === 429 || reply.statusCode === 503) && !reply.hasHeader('retry-after')) {
          reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        }
        return payload;
      });
      app.setNotFoundHandler((request, reply) => {
        const err = new NotFoundError(`no route ${request.method} ${request.url.split('?')[0]}`, {
          details: { httpStatus: 404 },
        });
        const { status, body } = requestErrorReply(err);
        return reply.code(status).send(body);
      });
      if (o.cors) await app.register(cors, { origin: '*', methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] });
      await app.register(swagger, {
        openapi: {
          openapi: '3.0.3',
          info: { title: o.title, description: o.description, version: this.#gateway.info().jina.weft ?? '0' },
        },
        refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
      });
      // the API page's document lists endpoints discovered after start-up too (refreshed before it is served)
      await app.register(swaggerUi, {
        routePrefix: '/docs',
        staticCSP: true,
        uiHooks: {
          preHandler: async (request: FastifyRequest) => {
            if (request.url.startsWith('/docs/json') || request.url.startsWith('/docs/yaml')) await catalog.refresh();
          },
        },
        transformSpecification: (spec) => withLateEndpoints(spec, catalog.late),
      });
      for (const schema of HTTP_SCHEMAS) app.addSchema(schema);
      const ctx = { gateway: this.#gateway, accepting: () => this.#accepting };
      // the app's own routes and pages first: when they take `GET /`, the health route is not installed there
      rootTaken = await mountUserRoutes(app, this.#gateway, {
        plugins: (o.httpPlugins ?? []) as UserRoutes['plugins'],
        ...(o.staticFolder !== undefined ? { staticFolder: o.staticFolder } : {}),
        staticPrefix: o.staticPrefix ?? '/',
        cwd: o.cwd ?? process.cwd(),
      });
      await app.register(async (scope) => {
        // bodies are checked (with field-level messages) by requestFromJson; schemas only document the API
        scope.setValidatorCompiler(() => () => true);
        scope.setSerializerCompiler(() => (data) => JSON.stringify(data));
        this.#registerServiceRoutes(scope, catalog, rootTaken);
        registerDataRoutes(scope, routes, ctx);
        registerStreamingRoutes(scope, streaming, routes, reservedRoutes(o), ctx);
        registerLateEndpoints(scope, routes, catalog, ctx);
      });
      if (o.exposeGraphqlEndpoint) await registerGraphql(app, this.#gateway, ctx.accepting, o.limits);
      await app.ready();
    } catch (err) {
      await this.#abandon(app);
      if (err instanceof WeftError) throw err;
      throw new StartupError(`gateway ${this.#gateway.name} cannot set up its HTTP routes: ${(err as Error).message}`, {
        cause: err,
      });
    }
    try {
      await app.listen({ host: o.host, port: o.port });
    } catch (err) {
      await this.#abandon(app);
      throw new StartupError(
        `gateway ${this.#gateway.name} cannot listen on ${o.host}:${o.port} (http): ${(err as Error).message}`,
        { cause: err, details: { host: o.host, port: o.port } },
      );
    }
    this.#closeWhenAnswered(app);
    this.#accepting = true;
    return (app.server.address() as { port: number }).port;
  }

  async stop(graceMs: number): Promise<void> {
    this.#accepting = false;
    const app = this.#app;
    if (!app) return;
    this.#app = undefined;
    const closed = app.close();
    // connections idle now close now; one busy now closes once its answer is sent (see `#closeWhenAnswered`)
    app.server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((r) => {
      timer = setTimeout(() => r('expired'), graceMs);
    });
    const outcome = await Promise.race([closed.then(() => 'closed' as const), expired]);
    clearTimeout(timer);
    if (outcome === 'expired') {
      app.server.closeAllConnections();
      await closed;
    }
  }

  /**
   * While stopping, close a keep-alive connection as soon as its answer is sent: Node closes only the connections
   * idle when `close()` is called, so one busy then would stay open (and hold `stop`) until the grace period ends.
   */
  #closeWhenAnswered(app: FastifyInstance): void {
    const server = app.server;
    const answered = (): void => {
      if (!this.#accepting) server.closeIdleConnections();
    };
    server.on('request', (_req, res) => res.once('finish', answered));
  }

  async #abandon(app: FastifyInstance): Promise<void> {
    this.#app = undefined;
    await app.close().catch(() => undefined);
  }

  /** Run the gateway's guards on every request but the health routes (`/` only when it is the health route). */
  #guard(app: FastifyInstance, rootTaken: () => boolean): void {
    const gateway = this.#gateway;
    app.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?')[0] as string;
      const get = request.method === 'GET' || request.method === 'HEAD';
      if (request.method === 'OPTIONS' || (get && HEALTH_PATHS.has(path) && !(path === '/' && rootTaken()))) return;
      try {
        gateway.admit({
          protocol: path === '/graphql' ? 'graphql' : 'http',
          headers: request.headers,
          call: `${request.method} ${path}`,
        });
      } catch (err) {
        const r = refusalReply(err, path);
        // with CORS on, a browser may read the refusal (this hook runs before the CORS plugin's)
        if (this.#options.cors) reply.header('access-control-allow-origin', '*');
        return reply.code(r.status).headers(r.headers).send(r.body);
      }
    });
  }

  /**
   * `GET /` (unless the app's routes took it), `GET /health`, `GET /ready`, `GET /status`, `GET /dry_run`,
   * `GET /openapi.json`.
   */
  #registerServiceRoutes(scope: FastifyInstance, catalog: EndpointCatalog, rootTaken: boolean): void {
    const gateway = this.#gateway;
    if (!rootTaken) scope.get('/', { schema: HEALTH_ROUTE_SCHEMA }, async () => ({}));
    scope.get('/health', { schema: LIVENESS_ROUTE_SCHEMA }, async (_request, reply) => {
      const { status, body } = liveness(gateway, this.#accepting);
      return reply.code(status).send(body);
    });
    scope.get('/ready', { schema: READINESS_ROUTE_SCHEMA }, async (_request, reply) => {
      const { status, body } = await readiness(gateway, this.#accepting);
      return reply.code(status).send(body);
    });
    if (!this.#options.noDebugEndpoints)
      scope.get('/status', { schema: STATUS_ROUTE_SCHEMA }, async () => gateway.info());
    scope.get('/dry_run', { schema: DRY_RUN_ROUTE_SCHEMA }, async () => statusToJson(await gateway.dryRun()));
    scope.get('/openapi.json', { schema: { hide: true } }, async () =>
      withLateEndpoints(scope.swagger() as unknown as Record<string, unknown>, await catalog.refresh()),
    );
  }
}

/**
 * The executors' endpoints, asked once at start-up (executors that do not answer are left out); after
 * `timeoutMs` the gateway starts with none and serves endpoints as they are discovered (`registerLateEndpoints`).
 */
async function discoverEndpoints(gateway: Gateway, timeoutMs: number): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), timeoutMs);
  });
  try {
    return await Promise.race([gateway.endpoints(), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A JSON body, with the parser's own message when it is not JSON. Keys that could poison prototypes
 * (`__proto__`, `constructor.prototype`) are refused, as fastify's default parser does.
 */
function parseJsonBody(text: string): unknown {
  if (text.length === 0) return undefined;
  const risky = text.includes('"__proto__"') || text.includes('"constructor"');
  try {
    return risky ? JSON.parse(text, refusePoison) : JSON.parse(text);
  } catch (err) {
    if (err instanceof BadRequestError) throw err;
    throw new BadRequestError(`the request body is not valid JSON: ${(err as Error).message}`, {
      cause: err,
      details: { field: '(body)' },
    });
  }
}

function refusePoison(key: string, value: unknown): unknown {
  if (
    key === '__proto__' ||
    (key === 'constructor' && typeof value === 'object' && value !== null && 'prototype' in value)
  ) {
    throw new BadRequestError(`the request body has a key '${key}' that is refused (prototype poisoning)`, {
      details: { field: key },
    });
  }
  return value;
}
