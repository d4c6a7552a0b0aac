/**
 * What the worker does with each Jina call (`RuntimeCalls`, served by the server kit on its gRPC services, its
 * `Call` stream and its native port alike). Each data call decodes its bytes with weft's codecs (a malformed
 * message is answered with INVALID_ARGUMENT), lets the `RequestHandler` process it, and answers with the encoded
 * request plus the `is-error` trailer when the executor raised. `stream_doc` streams the endpoint's documents.
 * (Refusing calls while draining and counting them in flight is the kit's job.)
 */
import { type Metadata, status } from '@grpc/grpc-js';
import type { JsonObject } from '../../document/index.js';
import { IS_ERROR_TRAILERS, type ServiceOutcome } from '../../networking/index.js';
import {
  type DataRequest,
  decodeDataRequest,
  decodeDataRequestList,
  type Endpoints,
  encodeEndpoints,
} from '../../request/index.js';
import type { RuntimeCalls } from '../server/index.js';
import { flatMetadata, toServiceError } from './grpc-helpers.js';
import type { HandledRequest, RequestHandler } from './request-handler.js';
import { streamAnswers } from './stream-doc.js';

/** The worker's calls over `handler` (`name`: the runtime name, for messages). */
export function workerCalls(handler: RequestHandler, name: string): RuntimeCalls {
  return {
    processSingleData: (bytes, ctx) => processSingle(handler, name, bytes, ctx.metadata),
    processData: (bytes, ctx) => processList(handler, name, bytes, ctx.metadata),
    endpointDiscovery: async () => ({ bytes: encodeEndpoints(discoveredEndpoints(handler)) }),
    streamDoc: (req, ctx) => streamAnswers(handler, req, { headers: flatMetadata(ctx.metadata), signal: ctx.signal }),
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

/** Decode, handle and encode one DataRequestProto. Never rejects: every failure is an outcome with its status. */
function processSingle(
  handler: RequestHandler,
  name: string,
  bytes: Buffer,
  metadata: Metadata,
): Promise<ServiceOutcome> {
  let req: DataRequest;
  try {
    req = decodeDataRequest(bytes);
  } catch (err) {
    return Promise.resolve({ error: toServiceError(err, 'malformed DataRequestProto', status.INVALID_ARGUMENT) });
  }
  return answer(handler, name, handler.handle(req, flatMetadata(metadata)));
}

function processList(
  handler: RequestHandler,
  name: string,
  bytes: Buffer,
  metadata: Metadata,
): Promise<ServiceOutcome> {
  let reqs: DataRequest[];
  try {
    reqs = decodeDataRequestList(bytes);
  } catch (err) {
    return Promise.resolve({ error: toServiceError(err, 'malformed DataRequestListProto', status.INVALID_ARGUMENT) });
  }
  return answer(handler, name, handler.handleList(reqs, flatMetadata(metadata)));
}

function answer(handler: RequestHandler, name: string, handling: Promise<HandledRequest>): Promise<ServiceOutcome> {
  return handling.then(
    (handled): ServiceOutcome => {
      const { bytes, isError } = handler.encode(handled);
      return isError ? { bytes, trailers: IS_ERROR_TRAILERS } : { bytes };
    },
    // only malformed input gets here (undecodable documents: a WeftError with its own status); executor
    // exceptions come back in-band
    (err: unknown): ServiceOutcome => ({ error: toServiceError(err, `worker ${name} cannot process the request`) }),
  );
}
