/**
 * The gateway core, independent of protocols: the routing graph over connection pools to each deployment, the
 * request streamer (prefetch), dry run, status and endpoint discovery. Protocol plug-ins (gRPC, HTTP, WebSocket)
 * serve it; it runs from its arguments alone (graph, addresses, conditions), as Jina's gateway does.
 */
import type { Filter } from '../../document/index.js';
import { ConfigError, type Status, StatusCode, statusFromError, WeftError } from '../../errors/index.js';
import { DEFAULT_ENDPOINT, DRY_RUN_ENDPOINT } from '../../executor/index.js';
import { ConnectionPool } from '../../networking/index.js';
import { DataRequest, type JinaInfo, type SingleDocumentRequest } from '../../request/index.js';
import { jinaInfo } from '../server/index.js';
import type { DocStreamOptions } from './doc-streamer.js';
import type { GraphDescription } from './graph-description.js';
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

  constructor(options: GatewayOptions) {
    this.name = options.name ?? 'gateway';
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

  /** Run one request through the Flow. */
  process(req: DataRequest): Promise<DataRequest> {
    return this.graph.process(req);
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
  streamDoc(req: SingleDocumentRequest, options: DocStreamOptions = {}): AsyncGenerator<SingleDocumentRequest> {
    return this.graph.streamDoc(req, options);
  }

  /** The endpoints some executor serves as streaming endpoints (executors that cannot be asked are left out). */
  async streamingEndpoints(): Promise<string[]> {
    return this.graph.streamingEndpoints(await this.endpoints());
  }

  /** Push an empty request through every executor: success when all are reachable and answer. */
  async dryRun(): Promise<Status> {
    try {
      const res = await this.process(new DataRequest({ header: { execEndpoint: DRY_RUN_ENDPOINT } }));
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
