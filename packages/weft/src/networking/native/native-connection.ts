/**
 * NativeConnection: the client side of one native connection to a weft runtime. Calls are multiplexed by id and
 * answered in any order; each may carry metadata and a timeout. Failures reject with gRPC-shaped errors (`code`,
 * `details`, `metadata` with the remote `weft-error-code`) so RuntimeClient maps them exactly as it maps gRPC
 * failures: a lost connection is UNAVAILABLE, an expired timeout DEADLINE_EXCEEDED, an ERROR frame its own code.
 * While calls are pending a silent peer is pinged (like gRPC keepalive) and dropped when it does not answer.
 */
import { connect, type Socket } from 'node:net';
import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { formatHostPort } from '../host-port.js';
import {
  FrameKind,
  type MetaEntries,
  PREFACE,
  type RequestKind,
  readAnswerBody,
  readErrorBody,
  writeControlFrame,
  writeRequestFrame,
} from './frame-codec.js';
import { FrameReader, type FrameSink } from './frame-reader.js';
import { FrameWriter } from './frame-writer.js';

export interface NativeConnectOptions {
  /** Give up connecting after this many ms (default 3000). */
  connectTimeoutMs?: number;
  /** Ping a peer silent for this long while calls are pending (default 9999, gRPC keepalive's weft setting). */
  keepaliveMs?: number;
  /** Drop the connection when a ping is not answered within this many ms (default 4999). */
  keepaliveTimeoutMs?: number;
}

/** An answer: the protobuf bytes and the trailers that came with them. */
export interface NativeAnswer {
  message: Buffer;
  trailers: MetaEntries | undefined;
}

/**
 * What one call makes of its outcome, applied where the answer frame is read (no extra promise per call): the
 * value to resolve with (what it throws rejects the call), and the reason to reject with for a failure.
 */
export interface AnswerHandler<T> {
  answer(message: Buffer, trailers: MetaEntries | undefined): T;
  failure(err: ServiceError): unknown;
}

/** Resolve with the answer as it came, reject with the gRPC-shaped error. */
const AS_IS: AnswerHandler<NativeAnswer> = {
  answer: (message, trailers) => ({ message, trailers }),
  failure: (err) => err,
};

interface Pending {
  // biome-ignore lint/suspicious/noExplicitAny: one map holds calls of every answer type
  handler: AnswerHandler<any>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
  timer: NodeJS.Timeout | undefined;
}

/** A gRPC-shaped call error. */
export function callError(code: number, details: string, weftCode?: string): ServiceError {
  const metadata = new Metadata();
  if (weftCode) metadata.set('weft-error-code', weftCode);
  return Object.assign(new Error(`${code} ${status[code] ?? ''}: ${details}`), { code, details, metadata });
}

export class NativeConnection implements FrameSink {
  /** `host:port` of the native port. */
  readonly address: string;
  readonly #socket: Socket;
  readonly #reader: FrameReader;
  readonly #writer: FrameWriter;
  readonly #pending = new Map<number, Pending>();
  readonly #keepaliveMs: number;
  readonly #keepaliveTimeoutMs: number;
  #nextId = 1;
  #open = true;
  #goingAway = false;
  /** Something arrived since the last keepalive tick (cheaper than a clock read per chunk). */
  #heard = true;
  #keepalive: NodeJS.Timeout | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  /** Settles `connect()`: called once, with the reason when the handshake failed. */
  #handshake: ((failure?: string) => void) | undefined;
  /** Called once when the connection can no longer take calls (GOAWAY, closed). */
  onUnusable: (() => void) | undefined;

  private constructor(socket: Socket, address: string, options: NativeConnectOptions) {
    this.#socket = socket;
    this.address = address;
    this.#keepaliveMs = options.keepaliveMs ?? 9999;
    this.#keepaliveTimeoutMs = options.keepaliveTimeoutMs ?? 4999;
    this.#reader = new FrameReader(this);
    this.#writer = new FrameWriter(socket);
    socket.once('connect', () => {
      socket.setKeepAlive(true, 10_000);
      socket.write(PREFACE);
    });
    socket.on('data', (chunk: Buffer) => {
      this.#heard = true;
      try {
        this.#reader.push(chunk);
      } catch (err) {
        this.#lose(`it sent something that is not a native frame (${(err as Error).message})`);
        return;
      }
      if (this.#handshake && this.#reader.prefaceSeen) this.#settle();
    });
    let reason = 'the runtime closed it';
    socket.on('error', (err) => {
      reason = err.message;
    });
    socket.on('close', () => this.#lose(reason));
  }

  /**
   * Connect to a native port; resolves once the runtime's preface arrived (so the port really is a weft runtime's),
   * rejects with an Error saying why not.
   * @example const c = await NativeConnection.connect('127.0.0.1', 50123)
   */
  static connect(host: string, port: number, options: NativeConnectOptions = {}): Promise<NativeConnection> {
    const address = formatHostPort(host, port);
    const timeoutMs = options.connectTimeoutMs ?? 3000;
    const c = new NativeConnection(connect({ host, port, noDelay: true }), address, options);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => c.#lose(`no native handshake within ${timeoutMs} ms`), timeoutMs);
      c.#handshake = (failure) => {
        clearTimeout(timer);
        if (failure === undefined) resolve(c);
        else reject(new Error(`cannot open a native connection to ${address}: ${failure}`));
      };
    });
  }

  #settle(failure?: string): void {
    const h = this.#handshake;
    this.#handshake = undefined;
    if (failure === undefined) this.#startKeepalive();
    h?.(failure);
  }

  /** Whether new calls may be sent. */
  get usable(): boolean {
    return this.#open && !this.#goingAway;
  }

  /** Calls waiting for their answer. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /**
   * Send one request; resolves with what `handler` makes of the answer (default: the answer as it came), rejects
   * with what it makes of a failure (default: the gRPC-shaped error). `timeoutMs` undefined: no deadline; the
   * runtime learns the timeout as the call's deadline.
   */
  call(
    kind: RequestKind,
    message: Uint8Array | readonly Uint8Array[],
    timeoutMs: number | undefined,
    meta?: MetaEntries,
  ): Promise<NativeAnswer>;
  call<T>(
    kind: RequestKind,
    message: Uint8Array | readonly Uint8Array[],
    timeoutMs: number | undefined,
    meta: MetaEntries | undefined,
    handler: AnswerHandler<T>,
  ): Promise<T>;
  call<T>(
    kind: RequestKind,
    message: Uint8Array | readonly Uint8Array[],
    timeoutMs: number | undefined,
    meta?: MetaEntries,
    handler: AnswerHandler<T> = AS_IS as unknown as AnswerHandler<T>,
  ): Promise<T> {
    if (!this.#open) {
      return Promise.reject(
        handler.failure(callError(status.UNAVAILABLE, `native connection to ${this.address} is closed`)),
      );
    }
    if (timeoutMs !== undefined && timeoutMs <= 0) {
      return Promise.reject(
        handler.failure(callError(status.DEADLINE_EXCEEDED, 'Deadline exceeded before the call was sent')),
      );
    }
    const id = this.#id();
    return new Promise<T>((resolve, reject) => {
      const p: Pending = { handler, resolve: resolve as (value: unknown) => void, reject, timer: undefined };
      if (timeoutMs !== undefined) {
        p.timer = setTimeout(() => {
          if (this.#pending.get(id) !== p) return;
          this.#pending.delete(id);
          reject(handler.failure(callError(status.DEADLINE_EXCEEDED, `Deadline exceeded after ${timeoutMs} ms`)));
        }, timeoutMs);
      }
      this.#pending.set(id, p);
      writeRequestFrame(this.#writer, kind, id, timeoutMs, meta, message);
    });
  }

  /** Close now; pending calls fail with CANCELLED. */
  close(): void {
    if (!this.#open) return;
    this.#failAll(status.CANCELLED, 'the client closed the connection');
    this.#lose('the client closed it');
  }

  frame(kind: number, id: number, body: Buffer): void {
    if (kind === FrameKind.OK || kind === FrameKind.ERROR) {
      if (id === 0 && kind === FrameKind.ERROR) {
        const e = safeError(body);
        this.#lose(`the runtime refused the connection: ${e.details}`);
        return;
      }
      const p = this.#pending.get(id);
      if (!p) return; // answered after its timeout
      this.#pending.delete(id);
      if (p.timer) clearTimeout(p.timer);
      if (kind === FrameKind.ERROR) {
        const e = safeError(body);
        p.reject(p.handler.failure(callError(e.code, e.details, e.weftCode)));
        return;
      }
      let a: ReturnType<typeof readAnswerBody>;
      try {
        a = readAnswerBody(body);
      } catch (err) {
        const details = `malformed answer from ${this.address}: ${(err as Error).message}`;
        p.reject(p.handler.failure(callError(status.INTERNAL, details)));
        return;
      }
      let value: unknown;
      try {
        value = p.handler.answer(a.message, a.meta);
      } catch (err) {
        p.reject(err);
        return;
      }
      p.resolve(value);
    } else if (kind === FrameKind.GOAWAY) {
      this.#goingAway = true;
      this.#notify();
    }
    // PONG: hearing anything is what keepalive waits for
  }

  oversized(): void {
    // no limit on answers: never called
  }

  #id(): number {
    let id = this.#nextId;
    while (this.#pending.has(id)) id = id === 0xffff_ffff ? 1 : id + 1;
    this.#nextId = id === 0xffff_ffff ? 1 : id + 1;
    return id;
  }

  /** Every `keepaliveMs`: a peer heard nothing from during a whole period while calls wait is pinged. */
  #startKeepalive(): void {
    this.#keepalive = setInterval(() => {
      if (this.#pingTimer) return; // a ping is out: its timer judges
      if (this.#pending.size === 0 || this.#heard) {
        this.#heard = false;
        return;
      }
      this.#ping();
    }, this.#keepaliveMs);
    this.#keepalive.unref();
  }

  /**
   * Ping the peer now (unless a ping is out already) and drop the connection when nothing arrives within the
   * keepalive timeout. For a caller whose call timed out: a silent link is found at once, even when no call is
   * pending any more (keepalive only pings while calls wait).
   * @example connection.checkAlive() // after a DEADLINE_EXCEEDED
   */
  checkAlive(): void {
    if (this.#open && !this.#handshake && !this.#pingTimer) this.#ping();
  }

  #ping(): void {
    this.#heard = false;
    writeControlFrame(this.#writer, FrameKind.PING, 0);
    this.#pingTimer = setTimeout(() => {
      this.#pingTimer = undefined;
      if (!this.#heard) this.#lose(`keepalive ping not answered within ${this.#keepaliveTimeoutMs} ms`);
    }, this.#keepaliveTimeoutMs);
    this.#pingTimer.unref();
  }

  /** The connection is gone: every pending call fails with UNAVAILABLE naming why. */
  #lose(reason: string): void {
    if (!this.#open) return;
    this.#open = false;
    clearInterval(this.#keepalive);
    clearTimeout(this.#pingTimer);
    this.#socket.destroy();
    this.#failAll(status.UNAVAILABLE, `native connection to ${this.address} was lost: ${reason}`);
    if (this.#handshake) this.#settle(reason);
    this.#notify();
  }

  #failAll(code: number, details: string): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(p.handler.failure(callError(code, details)));
    }
  }

  #notify(): void {
    const cb = this.onUnusable;
    this.onUnusable = undefined;
    cb?.();
  }
}

function safeError(body: Buffer): { code: number; weftCode: string | undefined; details: string } {
  try {
    return readErrorBody(body);
  } catch (err) {
    return { code: status.INTERNAL, weftCode: undefined, details: `malformed error frame: ${(err as Error).message}` };
  }
}
