/**
 * `serveCallStream`: the one server side of `jina.JinaRPC/Call` (the bidi stream of DataRequestProto that Jina's
 * client uses by default), for every runtime kind, over the runtime's `RuntimeService`: each message is one
 * `processSingleData` call, so a message in a stream is answered exactly as the same request sent unary.
 *
 * The rule for a stream, and for a failing call inside it:
 * 1. Every message is handled as it arrives (at most `prefetch` at once; reading pauses beyond) and answered as
 *    it completes, so answers may come back in another order than sent.
 * 2. An answer is an answer, also one that carries an executor's error in-band (`header.status`): it is written
 *    and the stream goes on; the stream then ends with the `is-error: true` trailer.
 * 3. A call that fails outright — its unary twin would end with a gRPC status: a malformed message
 *    (INVALID_ARGUMENT), an executor that cannot be reached (UNAVAILABLE) or does not answer in time
 *    (DEADLINE_EXCEEDED), a refusal because the runtime is shutting down (UNAVAILABLE) — fails the stream: later
 *    messages are neither read nor processed, the answers already under way are still written, then the stream
 *    ends with the first failure's status (a weft error's `weft-error-code` trailer included).
 * 4. When the runtime starts to drain, a stream ends as soon as its pending answers are written: with OK when the
 *    client had finished sending, otherwise with UNAVAILABLE (the client cannot know which of its later messages
 *    would have been served, and may send them again elsewhere).
 * 5. A client that cancels gets nothing more; the calls under way still finish (and are counted in flight).
 * 6. A message refused for back-pressure (the gateway's `WEFT_TOO_MANY_REQUESTS` / `WEFT_OVERLOADED`, e.g. several
 *    streams of one connection over its `limits.maxConcurrentPerConnection`) while other messages of the stream
 *    are under way is not a failure: reading pauses and the message is processed again as soon as one of them
 *    completes. Refused with nothing of its own under way, it fails the stream as rule 3 says (retryable).
 */
import { Metadata, type ServerDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { grpcContext, type RuntimeService, serviceErrorFrom } from '../../networking/index.js';

/** What `serveCallStream` needs from the server that hosts it. */
export interface CallStreamHost {
  /** Who serves, for messages (`worker encoder/rep-0`). */
  readonly label: string;
  /** Most messages handled at once on one stream (Infinity: no limit). */
  readonly prefetch: number;
  /** Register an open stream; `drain` runs when the runtime starts to drain. Returns what unregisters it. */
  openStream(drain: () => void): () => void;
  /** The status a stream still open at shutdown ends with (rule 4). */
  refusal(): ServiceError;
}

/**
 * Serve one `Call` stream with `service` (which refuses new calls itself while draining, and counts the ones it
 * takes in flight). See the module comment for the rule.
 * @example server.addService(JINA_RAW_SERVICES['jina.JinaRPC'], { Call: (call) => serveCallStream(call, service, host) })
 */
export function serveCallStream(
  call: ServerDuplexStream<Buffer, Uint8Array>,
  service: Pick<RuntimeService, 'processSingleData'>,
  host: CallStreamHost,
): void {
  const ctx = grpcContext(call);
  let pending = 0;
  let clientDone = false;
  let draining = false;
  let finished = false;
  let anyError = false;
  let failure: ServiceError | undefined;

  const finish = (): void => {
    if (finished || pending > 0) return;
    if (failure) {
      close();
      call.emit('error', failure);
    } else if (clientDone) {
      close();
      call.end(anyError ? isErrorTrailer() : undefined);
    } else if (draining) {
      close();
      call.emit('error', host.refusal());
    }
  };
  const close = (): void => {
    finished = true;
    unregister();
  };
  const unregister = host.openStream(() => {
    draining = true;
    finish();
  });

  // messages refused for back-pressure while others of this stream were under way: sent again as those complete
  const refused: Buffer[] = [];
  const process = (bytes: Buffer): void => {
    pending++;
    if (pending >= host.prefetch) call.pause();
    let held = false;
    service
      .processSingleData(bytes, ctx)
      .then(
        (o) => {
          if (o.error) {
            // rule 6: a back-pressure refusal while this stream has calls under way waits for one of them
            if (pending > 1 && isBackPressure(o.error)) {
              held = true;
              refused.push(bytes);
              call.pause();
            } else failure ??= o.error;
          } else if (!finished && !call.cancelled) {
            if (o.trailers?.['is-error'] === 'true') anyError = true;
            call.write(o.bytes);
          }
        },
        (err: unknown) => {
          failure ??= serviceErrorFrom(err, host.label);
        },
      )
      .finally(() => {
        pending--;
        // a completed call frees a slot for a held message (a refusal itself frees none)
        const again = held || failure || finished ? undefined : refused.shift();
        if (again) process(again);
        else if (pending < host.prefetch && refused.length === 0 && !failure && !finished) call.resume();
        finish();
      });
  };
  call.on('data', (bytes: Buffer) => {
    if (finished || failure) return;
    process(bytes);
  });
  call.on('end', () => {
    clientDone = true;
    finish();
  });
  call.on('cancelled', close);
  call.on('error', () => undefined);
}

/** A refusal that says "not now" (the gateway's concurrency limits), not "not this request". */
function isBackPressure(error: ServiceError): boolean {
  const code = error.metadata?.get('weft-error-code')[0];
  return code === 'WEFT_TOO_MANY_REQUESTS' || code === 'WEFT_OVERLOADED';
}

function isErrorTrailer(): Metadata {
  const md = new Metadata();
  md.set('is-error', 'true');
  return md;
}
