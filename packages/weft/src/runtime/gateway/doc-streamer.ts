/**
 * The streaming half of the topology graph (`stream_doc`, HTTP Server-Sent Events): one document in, a stream of
 * answers out, routed by the graph's own rules (`executor-targeting.ts`) so that a sharded, conditional or targeted
 * streaming endpoint works like any other endpoint:
 * - the endpoint is resolved once; an executor is a candidate when `targetExecutor` selects it, its endpoint
 *   discovery marks the endpoint as a streaming one (`is_generator`), it is not floating, and the document reaches
 *   it: its own `when` filter and those of the executors on some path from the gateway to it accept the document
 *   (an executor that the request skips, not targeted or not exposing the endpoint, filters nothing, as in
 *   `TopologyGraph.process`);
 * - one candidate: the document goes to it alone (Jina serves streaming endpoints from the executor that streams
 *   them; the other executors of the Flow are not called), through its node client, which reaches a worker or a
 *   head (a head fans the stream out to its shards by polling, `head/head-stream.ts`);
 * - several candidates: `BadRequestError` (name one with `targetExecutor`, or tell them apart with `when`);
 * - none: the request runs through the whole graph as an ordinary request and each document of the answer is
 *   streamed back (as is an executor whose runtime does not serve `stream_doc`, an external one).
 * Executor errors come back in-band (an answer with `header.status`); transport errors end the iteration.
 */
import { type Document, DocumentArray } from '../../document/index.js';
import { BadRequestError, WeftError } from '../../errors/index.js';
import {
  DataRequest,
  type Endpoints,
  type Header,
  newRequestId,
  nowTimestamp,
  type SingleDocumentRequest,
} from '../../request/index.js';
import {
  exposesEndpoint,
  nameExecutor,
  resolveEndpoint,
  streamsEndpoint,
  targetsExecutor,
} from './executor-targeting.js';
import { type GraphPlan, START } from './graph-description.js';
import type { NodeClient } from './topology-graph.js';

/** What streaming needs from the topology graph. */
export interface GraphStreamContext {
  plan: GraphPlan;
  clients: Readonly<Record<string, NodeClient>>;
  /** Compiled `when` filters by node. */
  filters: ReadonlyMap<string, (doc: Document) => boolean>;
  /** Runs an ordinary request through the graph (for endpoints no executor streams). */
  process(req: DataRequest): Promise<DataRequest>;
}

export interface DocStreamOptions {
  /** Abort to stop the stream (the client went away): the executor's generator is stopped. */
  signal?: AbortSignal;
}

/**
 * The executors (in graph order) that would stream `endpoint` for a request with this header and document (see
 * the module comment; without a document, `when` filters are not asked). Executors that cannot be asked are left
 * out.
 */
export async function streamingExecutors(
  ctx: Omit<GraphStreamContext, 'process'>,
  endpoint: string,
  header: Pick<Header, 'targetExecutor'>,
  doc?: Document,
): Promise<string[]> {
  const { nodes, parents, floating } = ctx.plan;
  // executors the request does not target are skipped without asking them (as TopologyGraph.process does)
  const targeted = new Set(nodes.filter((n) => targetsExecutor(n, header.targetExecutor)));
  const found = await Promise.all(nodes.map((n) => (targeted.has(n) ? discover(ctx.clients[n]) : undefined)));
  const discovered = new Map(nodes.map((n, i) => [n, found[i]]));
  const reached = new Map<string, boolean>();
  const reaches = (node: string): boolean => {
    let r = reached.get(node);
    if (r === undefined) {
      const skipped = !targeted.has(node) || !exposesEndpoint(discovered.get(node)?.endpoints, endpoint);
      const filter = ctx.filters.get(node);
      const passes = skipped || doc === undefined || filter === undefined || filter(doc);
      r = passes && (parents.get(node) ?? []).some((p) => p === START || reaches(p));
      reached.set(node, r);
    }
    return r;
  };
  return nodes.filter(
    (n) =>
      !floating.has(n) &&
      ctx.clients[n]?.streamDoc !== undefined &&
      targeted.has(n) &&
      streamsEndpoint(discovered.get(n), endpoint) &&
      reaches(n),
  );
}

/**
 * Stream `request` through the graph: yields the answers (each with one document, or the last one with an
 * in-band error status). Rejects with `BadRequestError` when several executors would stream it, and with a
 * transport error (`UnavailableError`…) naming the executor.
 */
export async function* streamDocThroughGraph(
  ctx: GraphStreamContext,
  request: SingleDocumentRequest,
  options: DocStreamOptions = {},
): AsyncGenerator<SingleDocumentRequest> {
  const header = { ...request.header, requestId: request.header.requestId || newRequestId() };
  const endpoint = resolveEndpoint(header);
  const executors = await streamingExecutors(ctx, endpoint, header, request.document);
  if (executors.length > 1) {
    throw new BadRequestError(
      `endpoint '${endpoint}' is a streaming endpoint of several executors this request reaches (${executors.join(', ')}); name one with targetExecutor`,
      { details: { endpoint, executors } },
    );
  }
  const node = executors[0];
  if (node !== undefined) {
    const client = ctx.clients[node] as Required<NodeClient>;
    const routes = [...request.routes, { executor: 'gateway', startTime: nowTimestamp() }];
    const forwarded: SingleDocumentRequest = { ...request, header, routes };
    let answered = false;
    try {
      for await (const answer of client.streamDoc(forwarded, options.signal ? { signal: options.signal } : {})) {
        answered = true;
        const gateway = answer.routes.find((r) => r.executor === 'gateway');
        if (gateway) gateway.endTime = nowTimestamp();
        yield answer;
      }
      return;
    } catch (err) {
      if (answered || !isUnimplemented(err)) throw nameExecutor(err, node);
    }
  }
  const res = await ctx.process(
    new DataRequest({
      header,
      parameters: request.parameters,
      routes: request.routes,
      docs: DocumentArray.wrap(request.document ? [request.document] : []),
    }),
  );
  if (res.isError) {
    yield { header: res.header, parameters: res.parameters, routes: res.routes };
    return;
  }
  for (const document of res.docs) {
    if (options.signal?.aborted) return;
    yield { header: res.header, parameters: res.parameters, routes: res.routes, document };
  }
}

async function discover(client: NodeClient | undefined): Promise<Endpoints | undefined> {
  if (!client?.discovery) return undefined;
  return client.discovery().catch(() => undefined);
}

/** Whether a call failed because the runtime called does not serve the method (gRPC UNIMPLEMENTED). */
function isUnimplemented(err: unknown): boolean {
  return err instanceof WeftError && err.details.grpcCode === GRPC_UNIMPLEMENTED;
}

const GRPC_UNIMPLEMENTED = 12;
