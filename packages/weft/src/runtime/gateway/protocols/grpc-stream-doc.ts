/**
 * The gateway's `jina.JinaSingleDocumentRequestRPC/stream_doc` (streaming endpoints over gRPC), as the server
 * kit's `streamDoc` hook: the request goes to the executor that streams its endpoint (`Gateway.streamDoc`) and its
 * answers are written back as they come. Executor errors come back in-band (the last answer carries
 * `header.status`, the call ends with `is-error: true`); an unreachable executor ends the call with UNAVAILABLE
 * naming it. A client that cancels stops the generator.
 */
import { encodeStreamAnswers, type StreamDocHandler } from '../../server/index.js';
import type { Gateway } from '../gateway.js';

/** The `stream_doc` hook of a gateway. */
export function gatewayStreamDoc(gateway: Gateway): StreamDocHandler {
  return (req, ctx) => encodeStreamAnswers(gateway.streamDoc(req, { signal: ctx.signal }));
}
