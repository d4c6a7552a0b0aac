/**
 * The gateway's `jina.JinaSingleDocumentRequestRPC/stream_doc` (streaming endpoints over gRPC): the request goes
 * to the executor that streams its endpoint (`Gateway.streamDoc`) and its answers are written back as they come.
 * Executor errors come back in-band (the last answer carries `header.status`, the call ends with `is-error: true`);
 * an unreachable executor ends the call with UNAVAILABLE naming it. A client that cancels stops the generator.
 */
import { type ServerWritableStream, status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { StatusCode } from '../../../errors/index.js';
import { type StreamedAnswer, serveServerStream, serviceErrorFrom } from '../../../networking/index.js';
import {
  decodeStreamDocRequest,
  encodeSingleDocumentRequest,
  type SingleDocumentRequest,
} from '../../../request/index.js';
import type { Gateway } from '../gateway.js';
import { inboundHeaders } from '../interceptors.js';

/** What the handler needs from the protocol server. */
export interface StreamDocHost {
  gateway: Gateway;
  /** False once the server is shutting down. */
  accepting(): boolean;
  /** The error new calls are refused with while shutting down. */
  refusal(): Error;
  /** Count `work` as in flight until it settles (shutdown waits for it). */
  track(work: Promise<void>): Promise<void>;
}

/** The grpc-js implementation of `jina.JinaSingleDocumentRequestRPC` on a gateway. */
export function gatewayStreamDocHandlers(host: StreamDocHost): UntypedServiceImplementation {
  const name = host.gateway.name;
  return {
    stream_doc: (call: ServerWritableStream<Buffer, Uint8Array>) => {
      if (!host.accepting()) {
        call.emit('error', serviceErrorFrom(host.refusal(), name));
        return;
      }
      let req: SingleDocumentRequest;
      try {
        req = decodeStreamDocRequest(call.request);
      } catch (err) {
        call.emit('error', serviceErrorFrom(err, `${name} cannot decode the request`, status.INVALID_ARGUMENT));
        return;
      }
      void host.track(
        serveServerStream(
          call,
          (signal) =>
            encoded(
              host.gateway.streamDoc(req, {
                signal,
                protocol: 'grpc',
                headers: inboundHeaders(call.metadata.getMap()),
              }),
            ),
          (err) => serviceErrorFrom(err, name),
        ),
      );
    },
  };
}

async function* encoded(answers: AsyncIterable<SingleDocumentRequest>): AsyncGenerator<StreamedAnswer> {
  for await (const answer of answers) {
    yield { bytes: encodeSingleDocumentRequest(answer), isError: answer.header.status?.code === StatusCode.ERROR };
  }
}
