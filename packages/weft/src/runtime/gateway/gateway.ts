/**
 * The gateway core, independent of protocols: the routing graph over connection pools to each deployment, the
 * request streamer (prefetch), dry run, status and endpoint discovery. Protocol plug-ins (gRPC, HTTP, WebSocket)
 * serve it; it runs from its arguments alone (graph, addresses, conditions), as Jina's gateway does. Every client
 * request (`process`, `streamDoc`) runs through the gateway's interceptors and publishes the gateway request
 * events (`observability/events.ts`); both cost nothing when there are none.
 */
import type { ChannelCredentials } from '@grpc/grpc-js';
import { DocumentArray, type Filter, type JsonObject } from '../../document/index.js';
import {
  ConfigError,
  errorFromStatus,
  type Status,
  StatusCode,
  statusFromError,
  WeftError,
} from '../../errors/index.js';
import { DEFAULT_ENDPOINT, DRY_RUN_ENDPOINT } from '../../executor/index.js';
import { composeInterceptors, interceptStream } from '../../interceptors/index.js';
import { ConnectionPool } from '../../networking/index.js';
import { channels, type GatewayRequestEnd, gatewayRequestsObserved } from '../../observability/index.js';
import { DataRequest, type JinaInfo, type SingleDocumentRequest } from '../../request/index.js';
import { jinaInfo } from '../server/index.js';
import type { DocStreamOptions } from './doc-streamer.js';
import type { GraphDescription } from './graph-description.js';
import type { Admission, GatewayContext, GatewayGuard, GatewayInterceptor, RequestInfo } from './interceptors.js';
import { type Readiness, readinessOf } from './readiness.js';
import { type StreamOutcome, streamRequests } from './streamer.js';
import { type NodeClient, TopologyGraph } from './topology-graph.js';

export interface GatewayOptions {
  /** Jina's `--graph-description`. */
  graph: GraphDescription;
  /** Jina's `--deployments-addresses`: executor → replica addresses (`grpc://host:port` or `host:port`). */
  addresses: Record<string, readonly string[]>;
  /** Jina's `--graph-conditions`: executor → `when` filter. */
  conditions?: Record<string, Filter>;
  /** Jina's `--deployments-no-reduce`. */
  noReduce?: readonly string[];
  /** Per-executor (or global) call timeout in ms. */
  timeoutSend?: number | Record<string, number | undefined>;
  /** Per-executor (or global) retries on unavailable replicas (-1: every replica once, at least 3 tries). */
  retries?: number | Record<string, number | undefined>;
  /** Max in-flight requests per client stream (default 1000; 0 = unlimited). */
  prefetch?: number;
  name?: string;
  /** Run around every client request, in order (see `GatewayInterceptor`). */
  interceptors?: readonly GatewayInterceptor[];
  /** Channel credentials towards the executors (internal TLS); plain text by default. */
  credentials?: ChannelCredentials;
}

/** Options of `Gateway.post`. */
export interface GatewayPostOptions {
  parameters?: JsonObject;
  /** Only this executor (a regular expression over executor names, as Jina's `target_executor`) processes it. */
  targetExecutor?: string;
  /** Headers interceptors see (e.g. the `authorization` of the HTTP request the app is answering). */
  headers?: Record<string, string>;
}

/** An executor whose endpoints could not be discovered. */
export interface UnreachableExecutor {
  executor: string;
  addresses: readonly string[];
  /** Why discovery failed (an `UnavailableError` naming the addresses tried). */
  error: unknown;
}

export interface EndpointDiscovery {
  /** Every endpoint the executors that answered expose (the default endpoint left out), sorted. */
  endpoints: string[];
  /** The executors that did not answer, by name. */
  unreachable: UnreachableExecutor[];
}

export class Gateway {
  readonly name: string;
  readonly graph: TopologyGraph;
  readonly prefetch: number;
  readonly #pools = new Map<string, ConnectionPool>();
  readonly #interceptors: GatewayInterceptor[];
  readonly #guards: GatewayGuard[] = [];
  #chain: ((ctx: GatewayContext) => Promise<void>) | undefined;

  constructor(options: GatewayOptions) {
    this.name = options.name ?? 'gateway';
    this.#interceptors = [];
    for (const i of options.interceptors ?? []) this.use(i);
    this.prefetch = options.prefetch ?? 1000;
    const clients: Record<string, NodeClient> = {};
    const pick = <T>(v: T | Record<string, T | undefined> | undefined, node: string): T | undefined =>
      v !== null && typeof v === 'object' ? (v as Record<string, T | undefined>)[node] : (v as T | undefined);
    for (const [node, addrs] of Object.entries(options.addresses)) {
      const retries = pick(options.retries, node);
      const timeoutMs = pick(options.timeoutSend, node);
      const pool = new ConnectionPool({
        name: node,
        addresses: addrs.map(stripScheme),
        ...(retries !== undefined ? { retries } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
      });
      this.#pools.set(node, pool);
      clients[node] = {
        send: (req, o) => pool.send(req, o),
        sendList: (reqs, o) => pool.sendList(reqs, o),
        endpoints: () =>
          pool.endpointDiscovery().then(
            (e) => e.endpoints,
            () => undefined,
          ),
        discovery: () => pool.endpointDiscovery().catch(() => undefined),
        streamDoc: (req, o) => pool.streamDoc(req, o),
      };
    }
    const timeoutSend: Record<string, number | undefined> = {};
    for (const node of Object.keys(options.addresses)) timeoutSend[node] = pick(options.timeoutSend, node);
    this.graph = new TopologyGraph({
      graph: options.graph,
      clients,
      ...(options.conditions ? { conditions: options.conditions } : {}),
      ...(options.noReduce ? { noReduce: options.noReduce } : {}),
      timeoutSend,
    });
  }

  /**
   * Add an interceptor after those the gateway has (see `GatewayInterceptor`); returns the gateway.
   * @example gateway.use(async (ctx, next) => { await next(); console.log(ctx.endpoint, ctx.response?.docs.length) })
   */
  use(interceptor: GatewayInterceptor): this {
    this.#interceptors.push(interceptor);
    this.#chain = composeInterceptors([...this.#interceptors], async (ctx) => {
      ctx.response = await this.graph.process(ctx.request);
    });
    return this;
  }

  /**
   * Add a check protocols run before serving any call but a health check (see `GatewayGuard`); returns the
   * gateway.
   * @example gateway.guard(({ headers }) => auth.check(headers))
   */
  guard(guard: GatewayGuard): this {
    this.#guards.push(guard);
    return this;
  }

  /** Whether the gateway has guards (protocols install their admission hooks only then). */
  get guarded(): boolean {
    return this.#guards.length > 0;
  }

  /** Run the guards on a call a protocol is about to serve; throws the refusal (a `WeftError`). */
  admit(admission: Admission): void {
    for (const g of this.#guards) g(admission);
  }

  /**
   * Run one client request through the interceptors and the Flow; protocols say which they are and pass the
   * request's headers in `info`.
   */
  process(req: DataRequest, info?: RequestInfo): Promise<DataRequest> {
    if (this.#chain === undefined && !gatewayRequestsObserved()) return this.graph.process(req);
    return this.#intercepted(req, info);
  }

  async #intercepted(req: DataRequest, info: RequestInfo | undefined): Promise<DataRequest> {
    const ctx = this.#context(req, info, false);
    const event = this.#event(ctx);
    try {
      if (this.#chain) await this.#chain(ctx);
      else ctx.response = await this.graph.process(ctx.request);
    } catch (error) {
      this.#failed(event, error);
      throw error;
    }
    const response = ctx.response ?? ctx.request;
    this.#ended(event, response);
    return response;
  }

  #context(req: DataRequest, info: RequestInfo | undefined, streaming: boolean): GatewayContext {
    const e = req.header.execEndpoint;
    return {
      gateway: this.name,
      protocol: info?.protocol ?? 'in-process',
      endpoint: e === undefined || e === '' ? DEFAULT_ENDPOINT : e,
      executor: req.header.targetExecutor || undefined,
      headers: info?.headers ?? {},
      connection: info?.connection,
      streaming,
      request: req,
      response: undefined,
      state: {},
    };
  }

  /** The event object of one request (published on start, and again on end or error), when anybody listens. */
  #event(ctx: GatewayContext): GatewayRequestEnd | undefined {
    if (!gatewayRequestsObserved()) return undefined;
    const event: GatewayRequestEnd = {
      gateway: this.name,
      protocol: ctx.protocol,
      endpoint: ctx.endpoint,
      request: ctx.request,
      streaming: ctx.streaming,
      startedAt: performance.now(),
      response: undefined,
      durationMs: 0,
    };
    if (channels.gatewayRequestStart.hasSubscribers) channels.gatewayRequestStart.publish(event);
    return event;
  }

  #ended(event: GatewayRequestEnd | undefined, response: DataRequest | undefined): void {
    if (!event) return;
    event.durationMs = performance.now() - event.startedAt;
    event.response = response;
    if (channels.gatewayRequestEnd.hasSubscribers) channels.gatewayRequestEnd.publish(event);
  }

  #failed(event: GatewayRequestEnd | undefined, error: unknown): void {
    if (!event) return;
    event.durationMs = performance.now() - event.startedAt;
    if (channels.gatewayRequestError.hasSubscribers) channels.gatewayRequestError.publish({ ...event, error });
  }

  /**
   * Send documents to `endpoint` through the Flow (and the gateway's interceptors, as protocol `in-process`) and
   * resolve with the resulting documents; an executor's error rejects. What an app's own HTTP route (an
   * `httpPlugins` plugin) calls, like Jina's `self.streamer` in a custom gateway.
   * @example const found = await gateway.post('/search', new DocumentArray([{ text: 'red shoes' }]), { parameters: { limit: 5 } })
   */
  async post(
    endpoint: string,
    docs: DocumentArray = new DocumentArray(),
    options: GatewayPostOptions = {},
  ): Promise<DocumentArray> {
    const req = new DataRequest({
      header: { execEndpoint: endpoint, ...(options.targetExecutor ? { targetExecutor: options.targetExecutor } : {}) },
      parameters: options.parameters ?? {},
      docs,
    });
    const res = await this.process(req, {
      protocol: 'in-process',
      ...(options.headers ? { headers: options.headers } : {}),
    });
    const status = res.header.status;
    if (status && status.code === StatusCode.ERROR) throw errorFromStatus(status);
    return res.docs;
  }

  /** Run a stream of requests with at most `prefetch` in flight, yielding outcomes as they complete. */
  stream(
    requests: AsyncIterable<DataRequest> | Iterable<DataRequest>,
    options: { inOrder?: boolean; prefetch?: number } = {},
  ): AsyncGenerator<StreamOutcome> {
    return streamRequests(requests, (r) => this.process(r), {
      prefetch: options.prefetch ?? this.prefetch,
      ...options,
    });
  }

  /**
   * One document to a streaming endpoint, through the routing graph: the answers as the executor that streams it
   * yields them (see `doc-streamer.ts`; an endpoint nobody streams runs through the Flow and its documents are
   * streamed).
   */
  streamDoc(
    req: SingleDocumentRequest,
    options: DocStreamOptions & RequestInfo = {},
  ): AsyncGenerator<SingleDocumentRequest> {
    const { protocol, headers, ...streamOptions } = options;
    if (this.#interceptors.length === 0 && !gatewayRequestsObserved()) {
      return this.graph.streamDoc(req, streamOptions);
    }
    return this.#interceptedStream(
      req,
      { ...(protocol ? { protocol } : {}), ...(headers ? { headers } : {}) },
      streamOptions,
    );
  }

  async *#interceptedStream(
    req: SingleDocumentRequest,
    info: RequestInfo,
    options: DocStreamOptions,
  ): AsyncGenerator<SingleDocumentRequest> {
    // interceptors see a DataRequest holding the one document; what they change in it is what is streamed
    const asRequest = new DataRequest({
      header: req.header,
      parameters: req.parameters,
      routes: req.routes,
      docs: DocumentArray.wrap(req.document ? [req.document] : []),
    });
    const ctx = this.#context(asRequest, info, true);
    const event = this.#event(ctx);
    const open = (c: GatewayContext): AsyncGenerator<SingleDocumentRequest> => {
      const document = c.request.docs.at(0);
      const single: SingleDocumentRequest = {
        header: c.request.header,
        parameters: c.request.parameters,
        routes: c.request.routes,
        ...(document ? { document } : {}),
      };
      return this.graph.streamDoc(single, options);
    };
    try {
      yield* interceptStream(ctx, (c, terminal) => composeInterceptors(this.#interceptors, terminal)(c), open);
    } catch (error) {
      this.#failed(event, error);
      throw error;
    }
    this.#ended(event, undefined);
  }

  /** The endpoints some executor serves as streaming endpoints (executors that cannot be asked are left out). */
  async streamingEndpoints(): Promise<string[]> {
    return this.graph.streamingEndpoints(await this.endpoints());
  }

  /** Push an empty request through every executor: success when all are reachable and answer. */
  async dryRun(): Promise<Status> {
    try {
      // a health check: not a client request, so not through the interceptors
      const res = await this.graph.process(new DataRequest({ header: { execEndpoint: DRY_RUN_ENDPOINT } }));
      return res.header.status && res.header.status.code !== StatusCode.SUCCESS
        ? res.header.status
        : { code: StatusCode.SUCCESS, description: '' };
    } catch (err) {
      // the executor the transport error happened at (topology-graph / connection pool put it in the details)
      const details = err instanceof WeftError ? err.details : {};
      const executor = String(details.executor ?? details.deployment ?? '');
      return { ...statusFromError(err, executor), description: (err as Error).message };
    }
  }

  /**
   * Whether every executor has a replica that answers its health check as SERVING, with each replica's answer
   * (`readiness.ts`); what `GET /ready` answers. Never rejects.
   */
  readiness(timeoutMs?: number): Promise<Readiness> {
    return readinessOf(this.name, this.#pools, timeoutMs);
  }

  /** Every endpoint some executor exposes (executors that cannot be asked are left out). */
  async endpoints(): Promise<string[]> {
    return (await this.discovery()).endpoints;
  }

  /**
   * Every endpoint some executor exposes, and the executors that could not be asked (their endpoints are unknown
   * until they answer: discovery is asked again on each call, and cached per executor once it answered).
   */
  async discovery(): Promise<EndpointDiscovery> {
    const all = new Set<string>();
    const unreachable: UnreachableExecutor[] = [];
    await Promise.all(
      [...this.#pools].map(([executor, p]) =>
        p.endpointDiscovery().then(
          (e) => {
            for (const x of e.endpoints) all.add(x);
          },
          (error: unknown) => {
            unreachable.push({ executor, addresses: p.addresses, error });
          },
        ),
      ),
    );
    all.delete(DEFAULT_ENDPOINT);
    unreachable.sort((a, b) => (a.executor < b.executor ? -1 : 1));
    return { endpoints: [...all].sort(), unreachable };
  }

  /**
   * Versions and environment, as every runtime reports them (`jinaInfo`: the package's version, secrets masked);
   * what HTTP and WebSocket `GET /status` answer (gRPC `_status` answers the same through the server kit).
   */
  info(): JinaInfo {
    return jinaInfo(this.name);
  }

  /** Wait for floating executors, then close every connection. */
  async close(): Promise<void> {
    await this.graph.drainFloating();
    for (const p of this.#pools.values()) p.close();
  }
}

function stripScheme(address: string): string {
  const m = /^(?:grpcs?:\/\/)?([^/]+)\/?$/.exec(address);
  if (!m) throw new ConfigError(`bad executor address '${address}': expected host:port or grpc://host:port`);
  return m[1] as string;
}
