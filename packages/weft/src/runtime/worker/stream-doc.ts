/**
 * The worker's `jina.JinaSingleDocumentRequestRPC/stream_doc`, served through the server kit's `streamDoc` hook:
 * one SingleDocumentRequestProto in, one out per document the endpoint yields (a streaming endpoint's yields as they come; an ordinary endpoint's result
 * documents one by one). Each answer echoes the request's header and parameters, carries the routes with this
 * worker's entry, and one document. An executor exception ends the stream with one last answer that carries the
 * error in `header.status` (no document) and the `is-error: true` trailer, as Jina's in-band errors do. A client
 * that goes away (cancels) aborts the endpoint's `signal` and stops its generator at its next `yield`.
 */
import { Document } from '../../document/index.js';
import { statusFromError } from '../../errors/index.js';
import { DEFAULT_ENDPOINT } from '../../executor/index.js';
import type { StreamedAnswer } from '../../networking/index.js';
import {
  DataRequest,
  encodeSingleDocumentRequest,
  nowTimestamp,
  type Route,
  type SingleDocumentRequest,
} from '../../request/index.js';
import type { RequestHandler } from './request-handler.js';

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
