/**
 * One client connection to the WebSocket gateway at `/`: every message becomes one request (or several, in JSON
 * mode with `request_size`), each goes through the Flow as soon as it arrives, and its answer is sent as soon as
 * it completes, so many requests are pipelined on one socket. At most `prefetch` requests are in flight (reading
 * pauses at the limit; an answer counts until it is handed to the socket). The end-of-input message (`{}` in
 * JSON mode, a single 0x00 byte in bytes mode) closes the socket normally once every answer is out.
 *
 * Failures: executor exceptions are answers (in-band status). A transport failure towards an executor stops
 * reading; requests already in flight are still answered, then the socket closes with 1011 and a reason naming
 * the executor. A message that is not a request closes it with 1007 the same way (see `websocket-close.ts`).
 */
import type { RawData, WebSocket } from 'ws';
import { BadRequestError } from '../../../errors/index.js';
import { type DataRequest, decodeDataRequest, encodeDataRequest } from '../../../request/index.js';
import { CLOSE, type CloseFrame, closeFor } from './websocket-close.js';
import { answerToJson, isEndOfInput, requestsFromMessage } from './websocket-json.js';

export type WebSocketMode = 'json' | 'bytes';

/** What a session needs from the gateway it serves. */
export interface SessionHost {
  /** Run one request through the Flow. */
  process(req: DataRequest): Promise<DataRequest>;
  /** Max requests in flight per connection (0: unlimited). */
  readonly prefetch: number;
  /** False once the gateway is shutting down. */
  accepting(): boolean;
}

export class WebSocketSession {
  readonly mode: WebSocketMode;
  readonly #ws: WebSocket;
  readonly #host: SessionHost;
  readonly #limit: number;
  #pending = 0;
  /** Requests received while `prefetch` were in flight (ws may emit a few messages after a pause). */
  readonly #backlog: DataRequest[] = [];
  #messages = 0;
  #ended = false;
  #paused = false;
  #failure: CloseFrame | undefined;
  #closed = false;
  readonly #done: Promise<void>;

  constructor(ws: WebSocket, mode: WebSocketMode, host: SessionHost) {
    this.#ws = ws;
    this.mode = mode;
    this.#host = host;
    this.#limit = host.prefetch > 0 ? host.prefetch : Number.POSITIVE_INFINITY;
    this.#done = new Promise((resolve) => ws.once('close', () => resolve()));
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('close', () => {
      this.#closed = true;
    });
    // protocol violations are answered by ws itself (close 1002/1009); nothing more to do here
    ws.on('error', () => undefined);
  }

  /** Resolves when the socket is closed. */
  get done(): Promise<void> {
    return this.#done;
  }

  /** The gateway is shutting down: read nothing more, answer what is in flight, then close with 1001. */
  drain(): void {
    this.#fail({ code: CLOSE.GOING_AWAY, reason: 'gateway is shutting down' });
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    if (this.#failure || this.#ended || this.#closed) return;
    const index = this.#messages++;
    let requests: DataRequest[];
    try {
      const parsed = this.#parse(toBuffer(data), isBinary, index);
      if (parsed === 'end') {
        this.#ended = true;
        this.#settle();
        return;
      }
      requests = parsed;
    } catch (err) {
      this.#fail(closeFor(err, true));
      return;
    }
    if (!this.#host.accepting()) {
      this.drain();
      return;
    }
    this.#backlog.push(...requests);
    this.#pump();
  }

  /** Start backlogged requests while under the limit; pause reading while at it. */
  #pump(): void {
    while (this.#backlog.length > 0 && this.#pending < this.#limit && !this.#failure) {
      this.#start(this.#backlog.shift() as DataRequest);
    }
    if (this.#backlog.length > 0 || this.#pending >= this.#limit) this.#pause();
    else if (!this.#failure) this.#resume();
  }

  /** The requests one message stands for, or 'end' for the end-of-input message. */
  #parse(bytes: Buffer, isBinary: boolean, index: number): DataRequest[] | 'end' {
    if (this.mode === 'bytes') {
      if (bytes.length === 1 && bytes[0] === 0) return 'end';
      try {
        return [decodeDataRequest(bytes)];
      } catch (err) {
        throw new BadRequestError(`message #${index} is not a DataRequestProto: ${(err as Error).message}`, {
          cause: err,
        });
      }
    }
    let body: unknown;
    try {
      body = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      const what = isBinary ? 'a binary message (use the bytes subprotocol for protobuf)' : 'not JSON';
      throw new BadRequestError(`message #${index} is ${what}: ${(err as Error).message}`, { cause: err });
    }
    if (isEndOfInput(body)) return 'end';
    try {
      return requestsFromMessage(body);
    } catch (err) {
      throw new BadRequestError(`message #${index}: ${(err as Error).message}`, {
        cause: err,
        details: { message: index, ...(err as { details?: Record<string, unknown> }).details },
      });
    }
  }

  #start(req: DataRequest): void {
    this.#pending++;
    this.#host.process(req).then(
      (res) => this.#answer(res),
      (err) => {
        // a transport failure: stop reading, answer what is in flight, then close naming the executor
        this.#fail(closeFor(err));
        this.#finish();
      },
    );
  }

  #answer(res: DataRequest): void {
    if (this.#closed) {
      this.#finish();
      return;
    }
    let payload: string | Uint8Array;
    try {
      payload = this.mode === 'bytes' ? encodeDataRequest(res) : answerToJson(res);
    } catch (err) {
      this.#fail(closeFor(err));
      this.#finish();
      return;
    }
    this.#ws.send(payload, { binary: this.mode === 'bytes' }, () => this.#finish());
  }

  /** One request fully answered (or given up): resume reading under the limit, close when all is done. */
  #finish(): void {
    this.#pending--;
    this.#pump();
    this.#settle();
  }

  #fail(frame: CloseFrame): void {
    this.#failure ??= frame;
    this.#pause();
    this.#settle();
  }

  #settle(): void {
    if (this.#pending > 0 || this.#closed) return;
    if (this.#failure) this.#backlog.length = 0;
    else if (this.#backlog.length > 0) return;
    if (this.#failure) this.#close(this.#failure);
    else if (this.#ended) this.#close({ code: CLOSE.NORMAL, reason: '' });
  }

  #close(frame: CloseFrame): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    // read again so the peer's close frame completes the handshake (later messages are ignored)
    this.#resume();
    this.#ws.close(frame.code, frame.reason);
  }

  #pause(): void {
    if (!this.#paused && this.#ws.readyState === this.#ws.OPEN) {
      this.#paused = true;
      this.#ws.pause();
    }
  }

  #resume(): void {
    if (this.#paused && this.#ws.readyState === this.#ws.OPEN) {
      this.#paused = false;
      this.#ws.resume();
    }
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
