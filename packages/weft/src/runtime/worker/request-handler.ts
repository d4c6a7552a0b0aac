/**
 * What a worker does with one request, independent of the transport: pick the endpoint, call the executor
 * through its `ExecutorRunner`, apply Jina's return semantics to the request (new docs, `__results__`), append
 * the route entry, and turn executor exceptions into an in-band error status. Requests whose endpoint the
 * executor does not serve pass through with their documents still undecoded (forwarded as the bytes that came).
 */
import { assertJsonObject, DocumentArray, isPlainObject, type JsonObject } from '../../document/index.js';
import { BadRequestError, ExecutorReturnError, statusFromError, WeftError } from '../../errors/index.js';
import {
  DEFAULT_ENDPOINT,
  DRY_RUN_ENDPOINT,
  type ExecutorRunner,
  type InvokeRequest,
  RESULTS_KEY,
} from '../../executor/index.js';
import { withRequestId } from '../../observability/index.js';
import {
  type DataRequest,
  decodeDocsEagerly,
  encodeDataRequest,
  mergeRequests,
  nowTimestamp,
} from '../../request/index.js';

export interface HandledRequest {
  /** The request to answer with (the first one for a list). */
  request: DataRequest;
  /** True when the executor raised: the request carries the error status and the answer gets `is-error: true`. */
  isError: boolean;
}

/** Called with every executor exception (after it was put into the request's status). */
export type ExecutorErrorListener = (err: unknown, request: DataRequest) => void;

export class RequestHandler {
  readonly runner: ExecutorRunner;
  /** Runtime name (e.g. `encoder/rep-0`): keys `__results__` and names the executor in error statuses. */
  readonly runtimeName: string;
  /** Deployment name (the runtime name before `/`): the `executor` of the route entries this worker appends. */
  readonly deploymentName: string;
  readonly #onError: ExecutorErrorListener | undefined;

  constructor(runner: ExecutorRunner, runtimeName: string, onError?: ExecutorErrorListener) {
    this.runner = runner;
    this.runtimeName = runtimeName;
    this.deploymentName = runtimeName.split('/')[0] || runtimeName;
    this.#onError = onError;
  }

  /** The endpoint a request asks for (`/default` when the header names none). */
  static endpointOf(req: DataRequest): string {
    const e = req.header.execEndpoint;
    return e === undefined || e === '' ? DEFAULT_ENDPOINT : e;
  }

  /** Tell the error listener about an executor exception answered in-band outside `handle` (`stream_doc`). */
  reportError(err: unknown, request: DataRequest): void {
    this.#onError?.(err, request);
  }

  /** Whether this executor processes the endpoint (its own binding or its default one). */
  serves(endpoint: string): boolean {
    return endpoint !== DRY_RUN_ENDPOINT && this.runner.executor.resolveEndpoint(endpoint) !== undefined;
  }

  /**
   * Process one request. Throws only for a malformed request (undecodable documents: a `WeftError` mapped to
   * INVALID_ARGUMENT by the transport); executor exceptions come back in-band.
   */
  handle(req: DataRequest, headers: Record<string, string> = {}): Promise<HandledRequest> {
    // not async: the promise of #invoke is returned as it is (an async function would wrap it in another one)
    try {
      const endpoint = RequestHandler.endpointOf(req);
      if (!this.serves(endpoint)) return Promise.resolve({ request: req, isError: false });
      const docs = decodeDocsEagerly(req);
      return this.#invoke(req, { endpoint, docs, parameters: req.parameters, headers, request: req });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Process several parent requests at once (`process_data`, unreduced joins): the executor gets `docsMatrix`
   * (each request's documents), `docsMap` (keyed by each request's last executor) and `docs`, their reduction
   * by id into a copy. The answer is the requests merged by the one merge rule (`mergeRequests`: routes once per
   * executor, `__results__` accumulated) with the result applied.
   */
  async handleList(reqs: readonly DataRequest[], headers: Record<string, string> = {}): Promise<HandledRequest> {
    const first = reqs[0];
    if (!first) {
      throw new BadRequestError('process_data received a DataRequestListProto without requests', {
        details: { field: 'requests' },
      });
    }
    if (reqs.length === 1) return this.handle(first, headers);
    const endpoint = RequestHandler.endpointOf(first);
    if (endpoint === DRY_RUN_ENDPOINT) return { request: first, isError: false };
    const matrix = reqs.map((r) => decodeDocsEagerly(r));
    const docsMap: Record<string, DocumentArray> = {};
    reqs.forEach((r, i) => {
      docsMap[r.routes.at(-1)?.executor ?? ''] = matrix[i] as DocumentArray;
    });
    // the one merge rule; copies, so that docsMatrix and docsMap stay as the parents sent them
    const merged = mergeRequests(reqs, { copy: 'all' });
    const docs = merged.docs;
    if (!this.serves(endpoint)) return { request: merged, isError: false };
    return this.#invoke(merged, {
      endpoint,
      docs,
      parameters: merged.parameters,
      headers,
      docsMatrix: matrix,
      docsMap,
      request: merged,
    });
  }

  /**
   * Serialize an answer. Should the result not be encodable (an executor put something into a document that
   * has no wire form), the answer becomes an in-band error instead, without documents.
   */
  encode(handled: HandledRequest): { bytes: Uint8Array; isError: boolean } {
    try {
      return { bytes: encodeDataRequest(handled.request), isError: handled.isError };
    } catch (err) {
      const req = handled.request;
      this.#onError?.(err, req);
      const status = statusFromError(err, this.runtimeName);
      const fallback = req.shallowCopy();
      fallback.header.status = status;
      fallback.docs = new DocumentArray();
      const route = fallback.routes.at(-1);
      if (route?.executor === this.deploymentName) route.status = status;
      try {
        return { bytes: encodeDataRequest(fallback), isError: true };
      } catch {
        // the parameters themselves have no wire form
        fallback.parameters = {};
        return { bytes: encodeDataRequest(fallback), isError: true };
      }
    }
  }

  #invoke(req: DataRequest, call: InvokeRequest): Promise<HandledRequest> {
    // log lines written meanwhile (the executor's console output) carry the request id (in worker processes)
    return withRequestId(req.header.requestId, () => this.#call(req, call));
  }

  async #call(req: DataRequest, call: InvokeRequest): Promise<HandledRequest> {
    const route = req.addRoute(this.deploymentName);
    try {
      const result = await this.runner.invoke(call);
      if (result.docs !== call.docs) req.docs = result.docs;
      if (result.results !== undefined) req.parameters = withResults(req.parameters, this.runtimeName, result.results);
      return { request: req, isError: false };
    } catch (err) {
      const status = statusFromError(err, this.runtimeName);
      req.header.status = status;
      route.status = status;
      this.#onError?.(err, req);
      return { request: req, isError: true };
    } finally {
      route.endTime = nowTimestamp();
    }
  }
}

/** `parameters` with `__results__[name] = results` (other executors' results kept). */
function withResults(parameters: JsonObject, name: string, results: JsonObject): JsonObject {
  try {
    assertJsonObject(results, `${RESULTS_KEY}.${name}`);
  } catch (err) {
    throw new ExecutorReturnError(
      `the endpoint returned a results object that cannot travel as JSON: ${(err as Error).message}`,
      { cause: err, details: err instanceof WeftError ? err.details : {} },
    );
  }
  const previous = parameters[RESULTS_KEY];
  const merged: JsonObject = isPlainObject(previous) ? { ...(previous as JsonObject) } : {};
  merged[name] = results;
  return { ...parameters, [RESULTS_KEY]: merged };
}
