/**
 * Executes one request over the gateway's routing graph, the way Jina's gateway does: a node fires once all its
 * parents answered; it skips itself when `targetExecutor` does not match its name or its discovered endpoints lack
 * the request's endpoint; parents' answers are reduced by document id (or passed as a list for `noReduce` nodes);
 * its `when` filter removes documents for its branch; an in-band error stops everything downstream; floating
 * nodes are fired but not awaited. Documents are decoded only when a filter, a join or a reorder needs them.
 * Joins merge by the one rule of `request/` (`mergeRequests`). Streaming requests (`stream_doc`) take the same
 * graph, with the same targeting and `when` filters (`streamDoc`, see `doc-streamer.ts`).
 */
import { compileFilter, type Document, DocumentArray, type Filter, type JsonObject } from '../../document/index.js';
import { ConfigError } from '../../errors/index.js';
import {
  type DataRequest,
  type Endpoints,
  mergeRequests,
  nowTimestamp,
  RESULTS_KEY,
  type SingleDocumentRequest,
} from '../../request/index.js';
import { type DocStreamOptions, streamDocThroughGraph, streamingExecutors } from './doc-streamer.js';
import { exposesEndpoint, nameExecutor, resolveEndpoint, targetsExecutor } from './executor-targeting.js';
import { END, type GraphDescription, type GraphPlan, planGraph, START } from './graph-description.js';

/** How the graph reaches one deployment (a connection pool, a head, or an in-process stand-in). */
export interface NodeClient {
  send(req: DataRequest, options: { timeoutMs?: number }): Promise<DataRequest>;
  /** Several parent requests at once, unreduced (`process_data`). */
  sendList(reqs: DataRequest[], options: { timeoutMs?: number }): Promise<DataRequest>;
  /** The endpoints the deployment exposes (discovered once), or undefined when unknown. */
  endpoints(): Promise<readonly string[] | undefined>;
  /** The whole endpoint discovery (with the schemas that mark streaming endpoints), or undefined when unknown. */
  discovery?(): Promise<Endpoints | undefined>;
  /** One document to a streaming endpoint (`stream_doc`): its answers as they come. Absent: the node cannot stream. */
  streamDoc?(req: SingleDocumentRequest, options: { signal?: AbortSignal }): AsyncIterable<SingleDocumentRequest>;
}

export interface TopologyOptions {
  graph: GraphDescription;
  clients: Record<string, NodeClient>;
  /** Per-node `when` filters (Mongo-style, on documents). */
  conditions?: Record<string, Filter>;
  /** Nodes that receive their parents' requests unreduced (`docsMatrix`). */
  noReduce?: readonly string[];
  /** Per-node call timeout in ms. */
  timeoutSend?: Record<string, number | undefined>;
  /** Called when a floating node fails (its result is not part of any response). */
  onFloatingError?: (node: string, err: unknown) => void;
}

type Outcome = { kind: 'ok'; req: DataRequest; joined: boolean } | { kind: 'error'; req: DataRequest };

export class TopologyGraph {
  readonly plan: GraphPlan;
  readonly #clients: Record<string, NodeClient>;
  readonly #filters = new Map<string, (doc: Document) => boolean>();
  readonly #noReduce: Set<string>;
  readonly #timeouts: Record<string, number | undefined>;
  readonly #onFloatingError: (node: string, err: unknown) => void;
  readonly #floating = new Set<Promise<unknown>>();

  constructor(options: TopologyOptions) {
    this.plan = planGraph(options.graph);
    for (const n of this.plan.nodes) {
      if (!options.clients[n]) throw new ConfigError(`no address known for executor '${n}' of the routing graph`);
    }
    this.#clients = options.clients;
    for (const [node, filter] of Object.entries(options.conditions ?? {}))
      this.#filters.set(node, compileFilter(filter));
    this.#noReduce = new Set(options.noReduce ?? []);
    this.#timeouts = options.timeoutSend ?? {};
    this.#onFloatingError =
      options.onFloatingError ?? ((node, err) => console.error(`floating executor '${node}' failed:`, err));
  }

  /** Floating calls still running. */
  get floatingInFlight(): number {
    return this.#floating.size;
  }

  /** Wait for every floating call started so far. */
  async drainFloating(): Promise<void> {
    while (this.#floating.size > 0) await Promise.allSettled([...this.#floating]);
  }

  /**
   * Run `req` through the graph. Resolves with the response (an in-band error status when an executor failed);
   * rejects with a transport error (`UnavailableError`, `DeadlineExceededError`) naming the executor.
   */
  async process(req: DataRequest): Promise<DataRequest> {
    const gatewayRoute = req.addRoute('gateway');
    const endpoint = resolveEndpoint(req.header);
    const inputParameters = req.parameters;
    const results: JsonObject = {};
    const outcomes = new Map<string, Promise<Outcome>>();
    outcomes.set(START, Promise.resolve({ kind: 'ok', req, joined: false }));
    for (const node of this.plan.nodes) {
      const parents = this.plan.parents.get(node) ?? [];
      const run = Promise.all(parents.map((p) => outcomes.get(p) as Promise<Outcome>)).then((ins) =>
        this.#runNode(node, ins, endpoint, results),
      );
      outcomes.set(node, run);
      if (this.plan.floating.has(node)) {
        const tracked = run.then(
          (o) => {
            if (o.kind === 'error') this.#onFloatingError(node, o.req.header.status);
          },
          (err) => this.#onFloatingError(node, err),
        );
        this.#floating.add(tracked);
        void tracked.finally(() => this.#floating.delete(tracked));
        run.catch(() => {}); // reported through onFloatingError
      }
    }
    const endParents = this.plan.parents.get(END) ?? [];
    const finals = await Promise.all(endParents.map((p) => outcomes.get(p) as Promise<Outcome>));
    const error = finals.find((o) => o.kind === 'error');
    let response: DataRequest;
    if (error) response = error.req;
    else if (finals.length === 0) response = req;
    else {
      response = join(finals.map((o) => o.req));
      if (finals.length > 1 || finals.some((o) => o.kind === 'ok' && o.joined)) restoreInputOrder(response, req);
    }
    response.parameters = { ...inputParameters };
    if (Object.keys(results).length > 0) response.parameters[RESULTS_KEY] = results;
    const first = response.routes.find((r) => r.executor === 'gateway');
    (first ?? gatewayRoute).endTime = nowTimestamp();
    return response;
  }

  /**
   * Stream one document to a streaming endpoint through the graph: the answers of the one executor that the
   * request's targeting and `when` filters lead to and that streams the endpoint (a worker, or a head fanning out
   * to its shards); an endpoint no such executor streams runs as an ordinary request, its documents streamed.
   * See `doc-streamer.ts`.
   */
  streamDoc(req: SingleDocumentRequest, options: DocStreamOptions = {}): AsyncGenerator<SingleDocumentRequest> {
    return streamDocThroughGraph(this.#streamContext(), req, options);
  }

  /** Which of `endpoints` some executor streams (executors that cannot be asked are left out). */
  async streamingEndpoints(endpoints: readonly string[]): Promise<string[]> {
    const ctx = this.#streamContext();
    const streamed = await Promise.all(endpoints.map(async (e) => (await streamingExecutors(ctx, e, {})).length > 0));
    return endpoints.filter((_, i) => streamed[i]);
  }

  #streamContext() {
    return {
      plan: this.plan,
      clients: this.#clients,
      filters: this.#filters,
      process: (r: DataRequest) => this.process(r),
    };
  }

  async #runNode(node: string, inputs: Outcome[], endpoint: string, results: JsonObject): Promise<Outcome> {
    const failed = inputs.find((o) => o.kind === 'error');
    if (failed) return failed;
    const reqs = inputs.map((o) => o.req);
    const first = reqs[0] as DataRequest;
    const client = this.#clients[node] as NodeClient;
    if (!targetsExecutor(node, first.header.targetExecutor) || !exposesEndpoint(await client.endpoints(), endpoint)) {
      return { kind: 'ok', req: join(reqs), joined: reqs.length > 1 };
    }
    const filter = this.#filters.get(node);
    const timeoutMs = this.#timeouts[node];
    const options = timeoutMs === undefined ? {} : { timeoutMs };
    let answer: DataRequest;
    let joined = false;
    try {
      if (reqs.length > 1 && this.#noReduce.has(node)) {
        answer = await client.sendList(
          reqs.map((r) => applyFilter(r.shallowCopy(), filter)),
          options,
        );
        joined = true;
      } else {
        joined = reqs.length > 1;
        answer = await client.send(applyFilter(joined ? join(reqs) : first.shallowCopy(), filter), options);
      }
    } catch (err) {
      throw nameExecutor(err, node);
    }
    const r = answer.parameters[RESULTS_KEY];
    if (r && typeof r === 'object' && !Array.isArray(r)) Object.assign(results, r);
    return answer.isError ? { kind: 'error', req: answer } : { kind: 'ok', req: answer, joined };
  }
}

/** Parents' answers as one request, by the one merge rule (a copy: the answers may feed other branches too). */
function join(reqs: DataRequest[]): DataRequest {
  return mergeRequests(reqs, { copy: 'first' });
}

function applyFilter(req: DataRequest, filter: ((doc: Document) => boolean) | undefined): DataRequest {
  if (filter) req.docs = req.docs.filter(filter);
  return req;
}

/** Put documents back in the order the client sent them (new documents keep their order, at the end). */
function restoreInputOrder(response: DataRequest, input: DataRequest): void {
  const order = new Map<string, number>();
  input.docs.forEach((d, i) => {
    order.set(d.id, i);
  });
  const docs = response.docs.toArray();
  const known = docs
    .filter((d) => order.has(d.id))
    .sort((a, b) => (order.get(a.id) as number) - (order.get(b.id) as number));
  const extra = docs.filter((d) => !order.has(d.id));
  response.docs = DocumentArray.wrap([...known, ...extra]);
}
