/**
 * The HTTP gateway's data routes: which exist and what each does. `POST /post` takes the endpoint from the body;
 * CRUD shortcuts (`POST /index`, `POST /search`, `PUT /update`, `DELETE /delete`) and one `POST /<endpoint>` per
 * endpoint the executors exposed at start-up are bound to their endpoint, and a catch-all serves endpoints
 * discovered later; `exposeEndpoints` re-maps an endpoint to other methods, a custom path, summary and tags. Each
 * route parses the body into a DataRequest, runs it through the Flow and answers Jina's JSON (status codes in
 * `http-errors.ts`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConfigError, NotFoundError, UnavailableError } from '../../../errors/index.js';
import { type DataRequest, requestFromJson, requestToJson } from '../../../request/index.js';
import type { Gateway, UnreachableExecutor } from '../gateway.js';
import { inboundHeaders } from '../interceptors.js';
import { requestErrorReply, transportErrorReply } from './http-errors.js';
import { dataRouteSchema, endpointSummary } from './http-openapi.js';
import type { HttpMethod, HttpOptions } from './http-options.js';
import { acceptsEventStream, serveEventStream } from './http-sse.js';

/** A route that runs requests through the Flow. */
export interface DataRoute {
  methods: HttpMethod[];
  /** The HTTP path. */
  path: string;
  /** The executor endpoint it calls; undefined for `/post` (the body names it, default `/`). */
  endpoint?: string;
  summary: string;
  description?: string;
  tags: string[];
  deprecated?: boolean;
}

const CRUD: readonly [string, HttpMethod][] = [
  ['/index', 'POST'],
  ['/search', 'POST'],
  ['/update', 'PUT'],
  ['/delete', 'DELETE'],
];

/** Method + path pairs the gateway serves itself; a discovered endpoint never takes them. */
export function reservedRoutes(o: HttpOptions): Set<string> {
  const out = new Set(['GET /', 'GET /health', 'GET /ready', 'GET /dry_run', 'GET /openapi.json', 'GET /docs']);
  if (!o.noDebugEndpoints) out.add('GET /status').add('POST /post');
  if (o.exposeGraphqlEndpoint) out.add('GET /graphql').add('POST /graphql');
  return out;
}

/**
 * Plan the data routes for the discovered `endpoints`. Precedence per endpoint: its `exposeEndpoints` entry, then
 * its CRUD shortcut, then the default `POST /<endpoint>`. An `exposeEndpoints` entry that takes a route the
 * gateway serves itself is a configuration error; a discovered endpoint that would is left to `/post`.
 */
export function planDataRoutes(endpoints: readonly string[], o: HttpOptions): DataRoute[] {
  const reserved = reservedRoutes(o);
  const taken = new Set<string>();
  const routes: DataRoute[] = [];
  const add = (route: DataRoute, explicit: boolean): void => {
    const keys = route.methods.map((m) => `${m} ${route.path}`);
    const clash = keys.find((k) => reserved.has(k) || taken.has(k));
    if (clash) {
      if (explicit) {
        throw new ConfigError(
          `exposeEndpoints: '${route.endpoint}' would take ${clash}, which the HTTP gateway already serves; choose another httpPath or method`,
          { details: { endpoint: route.endpoint, route: clash } },
        );
      }
      return;
    }
    for (const k of keys) taken.add(k);
    routes.push(route);
  };
  if (!o.noDebugEndpoints) {
    routes.push({
      methods: ['POST'],
      path: '/post',
      summary: 'Post a data request to the Flow',
      description: 'The executor endpoint is `execEndpoint` in the body (default `/`).',
      tags: ['Debug'],
    });
  }
  for (const [endpoint, e] of o.exposeEndpoints) {
    add(
      {
        methods: e.methods,
        path: e.path,
        endpoint,
        summary: e.summary ?? `Call the executor endpoint ${endpoint}`,
        ...(e.description !== undefined ? { description: e.description } : {}),
        tags: e.tags ?? ['Customized'],
        ...(e.deprecated !== undefined ? { deprecated: e.deprecated } : {}),
      },
      true,
    );
  }
  if (!o.noCrudEndpoints) {
    for (const [endpoint, method] of CRUD) {
      if (o.exposeEndpoints.has(endpoint)) continue;
      add(
        {
          methods: [method],
          path: endpoint,
          endpoint,
          summary: `${method} data requests to ${endpoint}`,
          description: `Executors with \`@requests({ on: '${endpoint}' })\` (or a default endpoint) respond.`,
          tags: ['CRUD'],
        },
        false,
      );
    }
  }
  for (const endpoint of endpoints) {
    if (!endpoint.startsWith('/') || o.exposeEndpoints.has(endpoint)) continue;
    if (!o.noCrudEndpoints && CRUD.some(([e]) => e === endpoint)) continue;
    add(
      {
        methods: ['POST'],
        path: endpoint,
        endpoint,
        summary: endpointSummary(endpoint),
        tags: ['Endpoints'],
      },
      false,
    );
  }
  return routes;
}

/** What the data routes need from the protocol server. */
export interface DataRouteContext {
  gateway: Gateway;
  /** False once the gateway is shutting down. */
  accepting(): boolean;
}

/** Register `routes` on `scope` (a plugin scope with validation off: bodies are checked by `requestFromJson`). */
export function registerDataRoutes(scope: FastifyInstance, routes: readonly DataRoute[], ctx: DataRouteContext): void {
  for (const route of routes) {
    // GET takes its request from the query string, the other methods from the body: one route each
    const groups = [route.methods.filter((m) => m === 'GET'), route.methods.filter((m) => m !== 'GET')];
    for (const methods of groups.filter((g) => g.length > 0)) {
      scope.route({
        method: methods,
        // a literal ':' in an endpoint name is '::' to fastify's router
        url: route.path.replaceAll(':', '::'),
        schema: dataRouteSchema({
          ...route,
          bodyless: methods[0] === 'GET',
          fixedEndpoint: route.endpoint !== undefined,
        }),
        handler: (request, reply) => serveData(ctx, request, reply, route.endpoint),
      });
    }
  }
}

/**
 * The executors' endpoints as the gateway learns them: those with a route of their own (planned at start-up) and
 * those discovered later (their executor was not answering at start-up), which the catch-all route serves and
 * the OpenAPI document lists.
 */
export class EndpointCatalog {
  /** Endpoints bound to a planned route (including `exposeEndpoints` remappings). */
  readonly routed: ReadonlySet<string>;
  readonly #late = new Set<string>();
  readonly #gateway: Gateway;

  constructor(gateway: Gateway, routes: readonly DataRoute[]) {
    this.#gateway = gateway;
    this.routed = new Set(routes.flatMap((r) => (r.endpoint ? [r.endpoint] : [])));
  }

  /** Endpoints discovered after start-up, so far. */
  get late(): ReadonlySet<string> {
    return this.#late;
  }

  /** Ask the executors again (cheap once they answered: discovery is cached per deployment). */
  async refresh(): Promise<ReadonlySet<string>> {
    this.#learn(await this.#gateway.endpoints());
    return this.#late;
  }

  /**
   * Whether `path` is an endpoint discovered after start-up (asking the executors again when it is not known yet);
   * when it is not, `unreachable` lists the executors that did not answer, any of which might serve it.
   */
  async find(path: string): Promise<{ served: boolean; unreachable: UnreachableExecutor[] }> {
    if (this.#late.has(path)) return { served: true, unreachable: [] };
    const { endpoints, unreachable } = await this.#gateway.discovery();
    this.#learn(endpoints);
    return { served: this.#late.has(path), unreachable };
  }

  #learn(endpoints: readonly string[]): void {
    for (const e of endpoints) if (e.startsWith('/') && !this.routed.has(e)) this.#late.add(e);
  }
}

/**
 * A POST to a path without a route of its own: served when the path is an endpoint discovered after start-up
 * (asking the executors again); 503 naming the executors that do not answer when some do not (the path may be
 * one of their endpoints: Jina answers 503 for an unavailable executor), without running the request; 404
 * otherwise. A remapped endpoint (`exposeEndpoints`) is only on its own route.
 */
export function registerLateEndpoints(
  scope: FastifyInstance,
  routes: readonly DataRoute[],
  catalog: EndpointCatalog,
  ctx: DataRouteContext,
): void {
  scope.post('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = `/${(request.params as { '*': string })['*']}`;
    const found = catalog.routed.has(path) ? { served: false, unreachable: [] } : await catalog.find(path);
    if (!found.served && found.unreachable.length > 0)
      return refuseUnreachable(request, reply, path, found.unreachable);
    if (!found.served) {
      const known = routes.map((r) => `${r.methods.join('|')} ${r.path}`).join(', ');
      const err = new NotFoundError(
        `no route POST ${path}; this gateway serves ${known || 'no data routes'} (an endpoint of an executor that is not reachable gets its route once it answers; GET /dry_run tells whether every executor is)`,
        { details: { httpStatus: 404 } },
      );
      const { status, body } = requestErrorReply(err);
      return reply.code(status).send(body);
    }
    return serveData(ctx, request, reply, path);
  });
}

/**
 * 503 for a path that may be an endpoint of executors that do not answer: an `UnavailableError` naming them and
 * their addresses, with the request body echoed (as for a request that failed in the Flow).
 */
function refuseUnreachable(
  request: FastifyRequest,
  reply: FastifyReply,
  path: string,
  unreachable: readonly UnreachableExecutor[],
): FastifyReply {
  let req: DataRequest;
  try {
    req = requestFromJson(request.body ?? {}, { execEndpoint: path });
  } catch (err) {
    const { status, body } = requestErrorReply(err);
    return reply.code(status).send(body);
  }
  const first = unreachable[0] as UnreachableExecutor;
  const who = unreachable.map((u) => `'${u.executor}' at ${u.addresses.join(', ')}`).join(', ');
  const cause = first.error instanceof Error ? `: ${first.error.message}` : '';
  const dryRun = '(GET /dry_run tells whether every executor is up)';
  const err = new UnavailableError(
    unreachable.length === 1
      ? `executor ${who} is unavailable, and POST ${path} may be one of its endpoints, which are not known until it answers ${dryRun}${cause}`
      : `executors ${who} are unavailable, and POST ${path} may be one of their endpoints, which are not known until they answer ${dryRun}${cause}`,
    {
      cause: first.error,
      details: { executor: first.executor, addresses: [...first.addresses], endpoint: path },
    },
  );
  const { status, body } = transportErrorReply(err, request.body, req);
  return reply.code(status).send(body);
}

/** Parse the body, run the request through the Flow, answer (see `http-errors.ts` for failures). */
async function serveData(
  ctx: DataRouteContext,
  request: FastifyRequest,
  reply: FastifyReply,
  endpoint: string | undefined,
): Promise<FastifyReply> {
  // `Accept: text/event-stream`: one document in, Server-Sent Events out (streaming endpoints, `http-sse.ts`)
  if (acceptsEventStream(request)) return serveEventStream(ctx, request, reply, endpoint);
  const body = request.method === 'GET' && request.body === undefined ? bodyFromQuery(request.query) : request.body;
  let req: DataRequest;
  try {
    req = requestFromJson(body ?? {}, endpoint !== undefined ? { execEndpoint: endpoint } : { defaultEndpoint: '/' });
  } catch (err) {
    const { status, body: out } = requestErrorReply(err);
    return reply.code(status).send(out);
  }
  let res: DataRequest;
  try {
    if (!ctx.accepting()) throw new UnavailableError(`gateway ${ctx.gateway.name} is shutting down`);
    res = await ctx.gateway.process(req, {
      protocol: 'http',
      headers: inboundHeaders(request.headers),
      connection: request.raw.socket,
    });
  } catch (err) {
    const { status, body: out } = transportErrorReply(err, body, req);
    return reply.code(status).send(out);
  }
  return reply
    .code(200)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(requestToJson(res)));
}

/**
 * A GET route's request, from its query string: `data` and `parameters` as JSON, `targetExecutor`, and every
 * other key as a parameter (its value JSON-parsed when it parses, a string otherwise).
 */
function bodyFromQuery(query: unknown): Record<string, unknown> {
  const q = (query ?? {}) as Record<string, string | string[]>;
  const parameters: Record<string, unknown> = {};
  const body: Record<string, unknown> = { parameters };
  for (const [key, raw] of Object.entries(q)) {
    if (key === '__proto__') continue;
    if (key === 'targetExecutor' || key === 'target_executor') {
      body[key] = Array.isArray(raw) ? raw[0] : raw;
      continue;
    }
    const value = Array.isArray(raw) ? raw.map(jsonOrString) : jsonOrString(raw);
    if (key === 'data') body.data = value;
    else if (key === 'parameters' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) if (k !== '__proto__') parameters[k] = v;
    } else parameters[key] = value;
  }
  return body;
}

function jsonOrString(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
