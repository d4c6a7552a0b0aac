/**
 * CallStream: the client side of `jina.JinaRPC/Call`, a long-lived bidirectional stream of DataRequests. Send
 * requests, end the input, and iterate the answers as they arrive (possibly out of order); a transport failure
 * ends the iteration with a weft error naming the runtime.
 */
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { CancelledError } from '../errors/index.js';
import type { DataRequest } from '../request/index.js';

export class CallStream implements AsyncIterable<DataRequest> {
  readonly #stream: ClientDuplexStream<DataRequest, DataRequest>;
  readonly #mapError: (err: unknown) => Error;
  #cancelled = false;

  constructor(stream: ClientDuplexStream<DataRequest, DataRequest>, mapError: (err: unknown) => Error) {
    this.#stream = stream;
    this.#mapError = mapError;
  }

  /** Queue one request; false means the stream's buffer is full and `drained()` should be awaited. */
  send(req: DataRequest): boolean {
    return this.#stream.write(req);
  }

  /** Resolve when the stream can take more requests without buffering. */
  drained(): Promise<void> {
    if (!this.#stream.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => this.#stream.once('drain', () => resolve()));
  }

  /** No more requests: the runtime finishes the pending ones and ends the stream. */
  end(): void {
    this.#stream.end();
  }

  /** Abandon the stream; iteration ends with an error saying so. */
  cancel(): void {
    this.#cancelled = true;
    this.#stream.cancel();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<DataRequest> {
    try {
      for await (const res of this.#stream) yield res as DataRequest;
    } catch (err) {
      if (this.#cancelled) throw new CancelledError('the Call stream was cancelled by its caller', { cause: err });
      throw this.#mapError(err);
    }
  }
}
