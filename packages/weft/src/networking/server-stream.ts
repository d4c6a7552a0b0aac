/**
 * The server side of a server-streaming call (`stream_doc`), for every runtime (the server kit): write each answer
 * as it comes, at the pace the client reads (waiting for `drain`), end with the `is-error: true` trailer when an
 * answer carried an in-band error, and stop producing when the client cancels (the signal handed to the producer
 * is aborted and the producer's iteration is ended, so its generators run their `finally` blocks).
 */
import { Metadata, type ServerWritableStream, type ServiceError } from '@grpc/grpc-js';

/** One encoded answer; `isError` marks one that carries an executor error in-band. */
export interface StreamedAnswer {
  bytes: Uint8Array;
  isError: boolean;
}

/**
 * Serve `produce(signal)` on `call`. A failure of the producer (not an in-band error) ends the call with
 * `failure(err)`; the returned promise never rejects and settles when the call is over.
 * @example void serveServerStream(call, (signal) => answers(req, signal), (err) => serviceErrorFrom(err, 'gateway'))
 */
export async function serveServerStream(
  call: ServerWritableStream<Buffer, Uint8Array>,
  produce: (signal: AbortSignal) => AsyncIterable<StreamedAnswer>,
  failure: (err: unknown) => ServiceError,
): Promise<void> {
  const abort = new AbortController();
  let wake: (() => void) | undefined;
  const cancelled = (): void => {
    abort.abort(new Error('the client cancelled the call'));
    wake?.();
  };
  if (call.cancelled) cancelled();
  call.on('cancelled', cancelled);
  let inBandError = false;
  try {
    for await (const answer of produce(abort.signal)) {
      if (abort.signal.aborted) break;
      inBandError ||= answer.isError;
      if (!call.write(answer.bytes)) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          call.once('drain', resolve);
        });
        call.off('drain', wake as () => void);
        wake = undefined;
      }
      if (abort.signal.aborted) break;
    }
    if (!abort.signal.aborted) call.end(inBandError ? isErrorMetadata() : undefined);
  } catch (err) {
    if (!abort.signal.aborted) call.emit('error', failure(err));
  } finally {
    call.off('cancelled', cancelled);
  }
}

function isErrorMetadata(): Metadata {
  const md = new Metadata();
  md.set('is-error', 'true');
  return md;
}
