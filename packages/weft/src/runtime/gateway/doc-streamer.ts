/**
 * The gateway side of streaming endpoints (`stream_doc`, HTTP Server-Sent Events): one document in, a stream of
 * answers out. The request goes straight to the one executor that exposes the endpoint as a streaming endpoint
 * (its endpoint discovery says `is_generator`; `targetExecutor` narrows the choice), as Jina serves streaming
 * endpoints of single-executor Flows; other executors of the Flow are not called. An endpoint that no executor
 * streams (or whose executor sits behind a runtime without `stream_doc`, a sharded deployment's head) runs through
 * the whole Flow as an ordinary request, and each document of the answer is streamed back.
 * Executor errors come back in-band (an answer with `header.status`); transport errors end the iteration.
 */
import { DocumentArray, type JsonObject } from '../../document/index.js';
import { BadRequestError, DeadlineExceededError, UnavailableError, WeftError } from '../../errors/index.js';
import { DEFAULT_ENDPOINT } from '../../executor/index.js';
import type { ConnectionPool } from '../../networking/index.js';
import { DataRequest, newRequestId, nowTimestamp, type SingleDocumentRequest } from '../../request/index.js';

export interface DocStreamContext {
  /** Connection pools by executor (graph node) name. */
  pools: ReadonlyMap<string, ConnectionPool>;
  /** The executor nodes in topological order. */
  nodes: readonly string[];
  /** Runs an ordinary request through the Flow (the fallback for endpoints nobody streams). */
  process(req: DataRequest): Promise<DataRequest>;
}

export interface DocStreamOptions {
  /** Abort to stop the stream (the client went away): the executor's generator is stopped. */
  signal?: AbortSignal;
}

/** Whether discovery marks `endpoint` (or the default endpoint standing in for it) as a streaming endpoint. */
function streams(discovered: { endpoints: readonly string[]; schemas?: JsonObject }, endpoint: string): boolean {
  const schema = (e: string): unknown => (discovered.schemas?.[e] as JsonObject | undefined)?.is_generator;
  if (discovered.endpoints.includes(endpoint)) return schema(endpoint) === true;
  return discovered.endpoints.includes(DEFAULT_ENDPOINT) && schema(DEFAULT_ENDPOINT) === true;
}

/** Whether the `targetExecutor` regex selects `node` (matched from the start of the name, like Jina's `re.match`). */
function targets(node: string, pattern: string | undefined): boolean {
  if (!pattern) return true;
  try {
    return new RegExp(`^(?:${pattern})`).test(node);
  } catch {
    return node === pattern;
  }
}

/** The executors (in graph order) that expose `endpoint` as a streaming endpoint; executors that cannot be asked are left out. */
export async function streamingExecutors(
  ctx: Pick<DocStreamContext, 'pools' | 'nodes'>,
  endpoint: string,
  targetExecutor?: string,
): Promise<string[]> {
  const found = await Promise.all(
    ctx.nodes.map(async (node) => {
      const pool = ctx.pools.get(node);
      if (!pool || !targets(node, targetExecutor)) return false;
      return pool.endpointDiscovery().then(
        (d) => streams(d, endpoint),
        () => false,
      );
    }),
  );
  return ctx.nodes.filter((_, i) => found[i]);
}

/**
 * Stream `req` through the Flow: yields the answers (each with one document, or the last one with an in-band
 * error status). Rejects with `BadRequestError` when several executors stream the endpoint and no
 * `targetExecutor` picks one, and with a transport error (`UnavailableError`…) naming the executor.
 */
export async function* streamDocThroughFlow(
  ctx: DocStreamContext,
  request: SingleDocumentRequest,
  options: DocStreamOptions = {},
): AsyncGenerator<SingleDocumentRequest> {
  const header = { ...request.header, requestId: request.header.requestId || newRequestId() };
  const endpoint = header.execEndpoint || DEFAULT_ENDPOINT;
  const executors = await streamingExecutors(ctx, endpoint, header.targetExecutor);
  if (executors.length > 1) {
    throw new BadRequestError(
      `endpoint '${endpoint}' is a streaming endpoint of several executors (${executors.join(', ')}); name one with targetExecutor`,
      { details: { endpoint, executors } },
    );
  }
  const route = { executor: 'gateway', startTime: nowTimestamp() };
  const routes = [...request.routes, route];
  const node = executors[0];
  if (node !== undefined) {
    const pool = ctx.pools.get(node) as ConnectionPool;
    const forwarded: SingleDocumentRequest = { ...request, header, routes };
    let answered = false;
    try {
      for await (const answer of pool.streamDoc(forwarded, options.signal ? { signal: options.signal } : {})) {
        answered = true;
        const gateway = answer.routes.find((r) => r.executor === 'gateway');
        if (gateway) gateway.endTime = nowTimestamp();
        yield answer;
      }
      return;
    } catch (err) {
      // a runtime that does not serve stream_doc (a sharded deployment's head) gets an ordinary request instead
      if (answered || !isUnimplemented(err)) throw nameExecutor(err, node);
    }
  }
  // nobody streams this endpoint (or cannot): an ordinary request through the Flow, its documents streamed
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

/** Whether a call failed because the runtime called does not serve the method (gRPC UNIMPLEMENTED). */
function isUnimplemented(err: unknown): boolean {
  return err instanceof WeftError && err.details.grpcCode === GRPC_UNIMPLEMENTED;
}

const GRPC_UNIMPLEMENTED = 12;

/** Make sure a transport error names the executor it happened at. */
function nameExecutor(err: unknown, node: string): unknown {
  if ((err instanceof UnavailableError || err instanceof DeadlineExceededError) && !err.message.includes(`'${node}'`)) {
    const Cls = err.constructor as typeof UnavailableError;
    return new Cls(`executor '${node}': ${err.message}`, { cause: err, details: { ...err.details, executor: node } });
  }
  return err;
}
