/**
 * The worker's unary Jina calls as one transport-neutral RuntimeService, served by both its gRPC services and its
 * native port. Each data call decodes its bytes with weft's codecs (a malformed message is answered with
 * INVALID_ARGUMENT), lets the `RequestHandler` process it, and answers with the encoded request plus the
 * `is-error` trailer when the executor raised. A draining worker refuses new data calls with UNAVAILABLE.
 */
import { type Metadata, status } from '@grpc/grpc-js';
import type { JsonObject } from '../../document/index.js';
import { IS_ERROR_TRAILERS, type RuntimeService, type ServiceOutcome } from '../../networking/index.js';
import {
  type DataRequest,
  decodeDataRequest,
  decodeDataRequestList,
  type Endpoints,
  encodeEndpoints,
  encodeJinaInfo,
  type JinaInfo,
} from '../../request/index.js';
import { flatMetadata, shuttingDown, toServiceError } from './grpc-helpers.js';
import type { HandledRequest, RequestHandler } from './request-handler.js';

/** What the worker's handlers need from the server that hosts them. */
export interface HandlerHost {
  readonly handler: RequestHandler;
  /** Runtime name, for messages. */
  readonly name: string;
  /** False once shutdown began: new data requests are refused with UNAVAILABLE. */
  readonly accepting: boolean;
  /** Count `work` as an in-flight request until it settles. */
  track<T>(work: Promise<T>): Promise<T>;
  /** Register an open `Call` stream; `poke` runs when shutdown begins. Returns the function that unregisters it. */
  openStream(poke: () => void): () => void;
  /** What `_status` answers. */
  info(): JinaInfo;
}

/** The worker's RuntimeService over `host`. */
export function workerService(host: HandlerHost): RuntimeService {
  return {
    processSingleData: (bytes, ctx) => dataCall(host, () => processSingle(host, bytes, ctx.metadata)),
    processData: (bytes, ctx) => dataCall(host, () => processList(host, bytes, ctx.metadata)),
    endpointDiscovery: async () => ({ bytes: encodeEndpoints(discoveredEndpoints(host.handler)) }),
    status: async () => ({ bytes: encodeJinaInfo(host.info()) }),
  };
}

/**
 * What `endpoint_discovery` answers: the bound endpoints and, when some of them are streaming endpoints, in
 * `schemas` (as Jina's docarray-v2 workers do) per endpoint whether it is one (`is_generator`, which takes one
 * document: `is_singleton_doc`). Executors without streaming endpoints answer without `schemas`, as before.
 */
export function discoveredEndpoints(handler: RequestHandler): Endpoints {
  const executor = handler.runner.executor;
  const streaming = new Set(executor.streamingEndpoints);
  if (streaming.size === 0) return { endpoints: executor.endpoints, writeEndpoints: [] };
  const schemas: JsonObject = {};
  for (const e of executor.endpoints) {
    schemas[e] = { is_generator: streaming.has(e), is_singleton_doc: streaming.has(e) };
  }
  return { endpoints: executor.endpoints, writeEndpoints: [], schemas };
}

function dataCall(host: HandlerHost, run: () => Promise<ServiceOutcome>): Promise<ServiceOutcome> {
  if (!host.accepting) return Promise.resolve({ error: shuttingDown(host.name) });
  return host.track(run());
}

/**
 * Decode, handle and encode one DataRequestProto (also what each message of a `Call` stream goes through). Never
 * rejects: every failure is an outcome with its status.
 */
export function processSingle(host: HandlerHost, bytes: Buffer, metadata: Metadata): Promise<ServiceOutcome> {
  let req: DataRequest;
  try {
    req = decodeDataRequest(bytes);
  } catch (err) {
    return Promise.resolve({ error: toServiceError(err, 'malformed DataRequestProto', status.INVALID_ARGUMENT) });
  }
  return answer(host, host.handler.handle(req, flatMetadata(metadata)));
}

function processList(host: HandlerHost, bytes: Buffer, metadata: Metadata): Promise<ServiceOutcome> {
  let reqs: DataRequest[];
  try {
    reqs = decodeDataRequestList(bytes);
  } catch (err) {
    return Promise.resolve({ error: toServiceError(err, 'malformed DataRequestListProto', status.INVALID_ARGUMENT) });
  }
  return answer(host, host.handler.handleList(reqs, flatMetadata(metadata)));
}

function answer(host: HandlerHost, handling: Promise<HandledRequest>): Promise<ServiceOutcome> {
  return handling.then(
    (handled): ServiceOutcome => {
      const { bytes, isError } = host.handler.encode(handled);
      return isError ? { bytes, trailers: IS_ERROR_TRAILERS } : { bytes };
    },
    // only malformed input gets here (undecodable documents: a WeftError with its own status); executor
    // exceptions come back in-band
    (err: unknown): ServiceOutcome => ({
      error: toServiceError(err, `worker ${host.name} cannot process the request`),
    }),
  );
}
