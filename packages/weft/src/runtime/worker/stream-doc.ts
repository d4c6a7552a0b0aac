/**
 * The worker's `jina.JinaSingleDocumentRequestRPC/stream_doc`: one SingleDocumentRequestProto in, one out per
 * document the endpoint yields (a streaming endpoint's yields as they come; an ordinary endpoint's result
 * documents one by one). Each answer echoes the request's header and parameters, carries the routes with this
 * worker's entry, and one document. An executor exception ends the stream with one last answer that carries the
 * error in `header.status` (no document) and the `is-error: true` trailer, as Jina's in-band errors do. A client
 * that goes away (cancels) aborts the endpoint's `signal` and stops its generator at its next `yield`.
 */
import { type ServerWritableStream, status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { Document } from '../../document/index.js';
import { statusFromError } from '../../errors/index.js';
import { DEFAULT_ENDPOINT } from '../../executor/index.js';
import { type StreamedAnswer, serveServerStream } from '../../networking/index.js';
import {
  DataRequest,
  decodeStreamDocRequest,
  encodeSingleDocumentRequest,
  nowTimestamp,
  type Route,
  type SingleDocumentRequest,
} from '../../request/index.js';
import { flatMetadata, shuttingDown, toServiceError } from './grpc-helpers.js';
import type { RequestHandler } from './request-handler.js';
import type { HandlerHost } from './worker-service.js';

/**
 * The answers to one `stream_doc` request, encoded. Executor exceptions (and yields that cannot be encoded) end
 * the iteration with an error answer instead of throwing; `return()` stops the endpoint's generator.
 */
export async function* streamAnswers(
  handler: RequestHandler,
  req: SingleDocumentRequest,
  options: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): AsyncGenerator<StreamedAnswer> {
  const endpoint = req.header.execEndpoint || DEFAULT_ENDPOINT;
  const route: Route = { executor: handler.deploymentName, startTime: nowTimestamp() };
  const routes = [...req.routes, route];
  const header = { ...req.header };
  delete header.status;
  const docs = handler.runner.stream({
    endpoint,
    doc: req.document ?? new Document(),
    parameters: req.parameters,
    protocol: 'grpc',
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    for await (const document of docs) {
      route.endTime = nowTimestamp();
      // an answer that cannot be encoded ends the loop (and the generator) through the catch below
      yield {
        bytes: encodeSingleDocumentRequest({ header, parameters: req.parameters, routes, document }),
        isError: false,
      };
    }
  } catch (err) {
    const failure = statusFromError(err, handler.runtimeName);
    route.status = failure;
    route.endTime = nowTimestamp();
    handler.reportError(err, new DataRequest({ header: { ...header, status: failure }, routes }));
    const answer = { header: { ...header, status: failure }, parameters: req.parameters, routes };
    let bytes: Uint8Array;
    try {
      bytes = encodeSingleDocumentRequest(answer);
    } catch {
      // the parameters themselves have no wire form
      bytes = encodeSingleDocumentRequest({ ...answer, parameters: {} });
    }
    yield { bytes, isError: true };
  }
}

/** The grpc-js implementation of `jina.JinaSingleDocumentRequestRPC` over the worker's handler. */
export function streamDocHandlers(host: HandlerHost): UntypedServiceImplementation {
  return {
    stream_doc: (call: ServerWritableStream<Buffer, Uint8Array>) => {
      if (!host.accepting) {
        call.emit('error', shuttingDown(host.name));
        return;
      }
      let req: SingleDocumentRequest;
      try {
        req = decodeStreamDocRequest(call.request);
      } catch (err) {
        call.emit('error', toServiceError(err, 'malformed SingleDocumentRequestProto', status.INVALID_ARGUMENT));
        return;
      }
      const headers = flatMetadata(call.metadata);
      void host.track(
        serveServerStream(
          call,
          (signal) => streamAnswers(host.handler, req, { headers, signal }),
          // only a failure of weft itself gets here: executor exceptions are answered in-band
          (err) => toServiceError(err, `worker ${host.name} failed`),
        ),
      );
    },
  };
}
