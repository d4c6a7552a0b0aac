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
  #over = false;
  readonly #waiters = new Set<() => void>();

  constructor(stream: ClientDuplexStream<DataRequest, DataRequest>, mapError: (err: unknown) => Error) {
    this.#stream = stream;
    this.#mapError = mapError;
    // a call that ended (with its status, or torn down) takes no more requests: release whoever waits to send
    const over = (): void => {
      this.#over = true;
      for (const wake of [...this.#waiters]) wake();
    };
    stream.once('status', over);
    stream.once('close', over);
  }

  /** True once the call ended (its status arrived, or it was cancelled): sending more is pointless. */
  get ended(): boolean {
    return this.#over;
  }

  /** Queue one request; false means the stream's buffer is full and `drained()` should be awaited. */
  send(req: DataRequest): boolean {
    return this.#stream.write(req);
  }

  /**
   * Resolve when the stream can take more requests without buffering, or when the call ended (see `ended`): a
   * runtime that failed the stream while it was not reading must not leave the sender waiting for a 'drain' that
   * never comes.
   */
  drained(): Promise<void> {
    if (!this.#stream.writableNeedDrain || this.#over) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        this.#waiters.delete(wake);
        this.#stream.off('drain', wake);
        resolve();
      };
      this.#waiters.add(wake);
      this.#stream.once('drain', wake);
    });
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
