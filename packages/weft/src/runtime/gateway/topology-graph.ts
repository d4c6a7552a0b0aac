/**
 * Executes one request over the gateway's routing graph, the way Jina's gateway does: a node fires once all its
 * parents answered; it skips itself when `targetExecutor` does not match its name or its discovered endpoints lack
 * the request's endpoint; parents' answers are reduced by document id (or passed as a list for `noReduce` nodes);
 * its `when` filter removes documents for its branch; an in-band error stops everything downstream; floating
 * nodes are fired but not awaited. Documents are decoded only when a filter, a join or a reorder needs them.
 */
import { compileFilter, type Document, DocumentArray, type Filter, type JsonObject } from '../../document/index.js';
import { ConfigError, DeadlineExceededError, UnavailableError } from '../../errors/index.js';
import { DEFAULT_ENDPOINT, RESULTS_KEY } from '../../executor/index.js';
import { type DataRequest, nowTimestamp } from '../../request/index.js';
import { END, type GraphDescription, type GraphPlan, planGraph, START } from './graph-description.js';

/** How the graph reaches one deployment (a connection pool, a head, or an in-process stand-in). */
export interface NodeClient {
  send(req: DataRequest, options: { timeoutMs?: number }): Promise<DataRequest>;
  /** Several parent requests at once, unreduced (`process_data`). */
  sendList(reqs: DataRequest[], options: { timeoutMs?: number }): Promise<DataRequest>;
  /** The endpoints the deployment exposes (discovered once), or undefined when unknown. */
  endpoints(): Promise<readonly string[] | undefined>;
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
    const inputParameters = req.parameters;
    const results: JsonObject = {};
    const outcomes = new Map<string, Promise<Outcome>>();
    outcomes.set(START, Promise.resolve({ kind: 'ok', req, joined: false }));
    for (const node of this.plan.nodes) {
      const parents = this.plan.parents.get(node) ?? [];
      const run = Promise.all(parents.map((p) => outcomes.get(p) as Promise<Outcome>)).then((ins) =>
        this.#runNode(node, ins, results),
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
      const merged = this.#merge(finals.map((o) => o.req));
      response = merged.req;
      if (merged.joined || finals.some((o) => o.kind === 'ok' && o.joined)) restoreInputOrder(response, req);
    }
    response.parameters = { ...inputParameters };
    if (Object.keys(results).length > 0) response.parameters[RESULTS_KEY] = results;
    const first = response.routes.find((r) => r.executor === 'gateway');
    (first ?? gatewayRoute).endTime = nowTimestamp();
    return response;
  }

  async #runNode(node: string, inputs: Outcome[], results: JsonObject): Promise<Outcome> {
    const failed = inputs.find((o) => o.kind === 'error');
    if (failed) return failed;
    const reqs = inputs.map((o) => o.req);
    const first = reqs[0] as DataRequest;
    const header = first.header;
    if (!this.#targets(node, header.targetExecutor) || !(await this.#exposes(node, header.execEndpoint))) {
      return reqs.length === 1 ? { kind: 'ok', req: first, joined: false } : { kind: 'ok', ...this.#merge(reqs) };
    }
    const filter = this.#filters.get(node);
    const client = this.#clients[node] as NodeClient;
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
        const merged = reqs.length > 1 ? this.#merge(reqs) : { req: first.shallowCopy(), joined: false };
        joined = merged.joined;
        answer = await client.send(applyFilter(merged.req, filter), options);
      }
    } catch (err) {
      throw nameExecutor(err, node);
    }
    const r = answer.parameters[RESULTS_KEY];
    if (r && typeof r === 'object' && !Array.isArray(r)) Object.assign(results, r);
    return answer.isError ? { kind: 'error', req: answer } : { kind: 'ok', req: answer, joined };
  }

  /** Reduce several answers into one request: documents by id (Jina's rules), routes concatenated. */
  #merge(reqs: DataRequest[]): { req: DataRequest; joined: boolean } {
    const first = reqs[0] as DataRequest;
    if (reqs.length === 1) return { req: first, joined: false };
    const out = first.shallowCopy();
    const docs = first.docs.clone();
    for (let i = 1; i < reqs.length; i++) docs.reduce((reqs[i] as DataRequest).docs);
    out.docs = docs;
    const seen = new Set(out.routes.map(routeKey));
    for (let i = 1; i < reqs.length; i++) {
      for (const route of (reqs[i] as DataRequest).routes) {
        if (!seen.has(routeKey(route))) {
          seen.add(routeKey(route));
          out.routes.push(route);
        }
      }
    }
    return { req: out, joined: true };
  }

  /** Whether `pattern` selects `node`: matched from the start of the name, like Jina's `re.match`. */
  #targets(node: string, pattern: string | undefined): boolean {
    if (!pattern) return true;
    try {
      return new RegExp(`^(?:${pattern})`).test(node);
    } catch {
      return node === pattern;
    }
  }

  async #exposes(node: string, endpoint: string | undefined): Promise<boolean> {
    const endpoints = await (this.#clients[node] as NodeClient).endpoints();
    if (!endpoints) return true;
    const e = endpoint || DEFAULT_ENDPOINT;
    return endpoints.includes(e) || endpoints.includes(DEFAULT_ENDPOINT) || e === '_jina_dry_run_';
  }
}

function applyFilter(req: DataRequest, filter: ((doc: Document) => boolean) | undefined): DataRequest {
  if (filter) req.docs = req.docs.filter(filter);
  return req;
}

function routeKey(r: { executor: string; startTime?: { seconds: number; nanos: number } }): string {
  return `${r.executor}@${r.startTime?.seconds ?? 0}.${r.startTime?.nanos ?? 0}`;
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

/** Make sure a transport error names the executor it happened at. */
function nameExecutor(err: unknown, node: string): unknown {
  if ((err instanceof UnavailableError || err instanceof DeadlineExceededError) && !err.message.includes(`'${node}'`)) {
    const Cls = err.constructor as typeof UnavailableError;
    return new Cls(`executor '${node}': ${err.message}`, { cause: err, details: { ...err.details, executor: node } });
  }
  return err;
}
