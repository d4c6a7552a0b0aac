/**
 * NativeServer: the native port of a weft runtime. It accepts TCP connections from other weft runtimes, reads
 * multiplexed request frames and hands each to the runtime's `RuntimeService` (the same one its gRPC services
 * call), answering in completion order. A frame it cannot serve (unknown kind, oversized, malformed) is answered
 * with an ERROR frame for that id and the connection stays; a stream that cannot be framed at all gets an ERROR
 * frame with id 0 and is closed. Shutdown mirrors gRPC's: `goAway()` stops accepting and tells clients to send
 * nothing new, `close()` ends the connections once their answers are written (cut after a grace period).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { status } from '@grpc/grpc-js';
import { StartupError } from '../../errors/index.js';
import { formatHostPort } from '../host-port.js';
import type { RuntimeService, ServiceContext, ServiceOutcome } from '../runtime-service.js';
import {
  entriesToMetadata,
  FrameFormatError,
  FrameKind,
  isRequestKind,
  kindName,
  metaEntries,
  PREFACE,
  readRequestBody,
  writeAnswerFrame,
  writeControlFrame,
  writeErrorFrame,
} from './frame-codec.js';
import { FrameReader, type FrameSink } from './frame-reader.js';
import { FrameWriter } from './frame-writer.js';

/** Answers waiting in a connection's socket beyond which its requests are no longer read (see `#throttle`). */
const BACKLOG_BYTES = 16 * 1024 * 1024;

export interface NativeServerOptions {
  service: RuntimeService;
  /** Who serves, for messages (`worker encoder/rep-0`). */
  name: string;
  /** Interface to listen on. */
  host: string;
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Largest request body accepted, in bytes; -1 (default) = unlimited. */
  maxReceiveBytes?: number;
  /** Largest answer sent, in bytes; -1 (default) = unlimited. */
  maxSendBytes?: number;
}

export class NativeServer {
  readonly #options: NativeServerOptions;
  readonly #connections = new Set<ServerConnection>();
  #server: Server | undefined;
  #port: number | undefined;
  #goingAway = false;

  constructor(options: NativeServerOptions) {
    this.#options = options;
  }

  /** The bound port (after `start()`). */
  get port(): number | undefined {
    return this.#port;
  }

  /** Open connections. */
  get connections(): number {
    return this.#connections.size;
  }

  /** Listen; resolves with the bound port. */
  async start(): Promise<number> {
    const { host, port = 0, name } = this.#options;
    const server = createServer({ noDelay: true }, (socket) => this.#accept(socket));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      server.close();
      throw new StartupError(
        `${name} cannot listen for native connections on ${formatHostPort(host, port)}: ${(err as Error).message}`,
        {
          cause: err,
          details: { host, port },
        },
      );
    }
    server.on('error', () => undefined);
    this.#server = server;
    this.#port = (server.address() as { port: number }).port;
    return this.#port;
  }

  /** Stop accepting connections and tell every client to send no new requests (answers still flow). */
  goAway(): void {
    if (this.#goingAway) return;
    this.#goingAway = true;
    this.#server?.close();
    for (const c of this.#connections) c.goAway();
  }

  /** Close every connection once its answers are written; cut those still open after `graceMs`. */
  async close(graceMs = 1000): Promise<void> {
    this.goAway();
    const open = [...this.#connections];
    if (open.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const closed = Promise.all(open.map((c) => c.end()));
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([closed, expired]);
    clearTimeout(timer);
    for (const c of open) c.destroy();
  }

  #accept(socket: Socket): void {
    if (this.#goingAway) {
      socket.destroy();
      return;
    }
    const c = new ServerConnection(socket, this.#options, () => this.#connections.delete(c));
    this.#connections.add(c);
  }
}

/** One accepted connection: frames in, answers out. */
class ServerConnection implements FrameSink {
  readonly #socket: Socket;
  readonly #options: NativeServerOptions;
  readonly #reader: FrameReader;
  readonly #writer: FrameWriter;
  readonly #closed: Promise<void>;
  #pending = 0;
  #ending = false;
  #whenIdle: (() => void) | undefined;
  /** When the chunk being read arrived: the deadlines of its requests count from then, not from their turn. */
  #arrivedAt = 0;

  constructor(socket: Socket, options: NativeServerOptions, onClose: () => void) {
    this.#socket = socket;
    this.#options = options;
    const max = options.maxReceiveBytes ?? -1;
    this.#reader = new FrameReader(this, max >= 0 ? { maxBodyBytes: max } : {});
    this.#writer = new FrameWriter(socket);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    socket.write(PREFACE);
    this.#closed = new Promise((resolve) => {
      socket.once('close', () => {
        onClose();
        resolve();
      });
    });
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      this.#arrivedAt = Date.now();
      try {
        this.#reader.push(chunk);
      } catch (err) {
        this.#fatal(err);
      }
    });
  }

  frame(kind: number, id: number, body: Buffer): void {
    if (isRequestKind(kind)) this.#request(kind, id, body);
    else if (kind === FrameKind.PING) writeControlFrame(this.#writer, FrameKind.PONG, id);
    else {
      this.#fail(id, status.INVALID_ARGUMENT, 'WEFT_BAD_REQUEST', `unknown frame kind ${kindName(kind)}`);
    }
  }

  oversized(kind: number, id: number, bodyBytes: number, limit: number): void {
    this.#fail(
      id,
      status.RESOURCE_EXHAUSTED,
      'WEFT_TOO_LARGE',
      `Received message larger than max (${bodyBytes} vs. ${limit}) in a ${kindName(kind)} frame`,
    );
  }

  goAway(): void {
    writeControlFrame(this.#writer, FrameKind.GOAWAY, 0);
  }

  /** End the connection once no request is pending; resolves when it closed. */
  end(): Promise<void> {
    this.#ending = true;
    const finish = () => {
      this.#writer.flush();
      this.#socket.end();
    };
    if (this.#pending === 0) finish();
    else this.#whenIdle = finish;
    return this.#closed;
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #request(kind: number, id: number, body: Buffer): void {
    let ctx: ServiceContext;
    let message: Buffer;
    try {
      const r = readRequestBody(body);
      message = r.message;
      const metadata = entriesToMetadata(r.meta);
      // a chunk's requests are dispatched one after the other: one behind a blocking executor may find its caller
      // gone by its turn (the server kit then answers it without running it)
      ctx = r.timeoutMs === undefined ? { metadata } : { metadata, deadline: this.#arrivedAt + r.timeoutMs };
    } catch (err) {
      this.#fail(
        id,
        status.INVALID_ARGUMENT,
        'WEFT_BAD_REQUEST',
        `malformed ${kindName(kind)} frame: ${message_(err)}`,
      );
      return;
    }
    const service = this.#options.service;
    let work: Promise<ServiceOutcome>;
    try {
      work =
        kind === FrameKind.SINGLE
          ? service.processSingleData(message, ctx)
          : kind === FrameKind.LIST
            ? service.processData(message, ctx)
            : kind === FrameKind.ENDPOINTS
              ? service.endpointDiscovery(ctx)
              : service.status(ctx);
    } catch (err) {
      work = Promise.reject(err);
    }
    this.#pending++;
    this.#throttle();
    work.then(
      (o) => {
        this.#answer(id, o);
        this.#settled();
      },
      (err: unknown) => {
        this.#fail(id, status.INTERNAL, undefined, `${this.#options.name}: ${message_(err)}`);
        this.#settled();
      },
    );
  }

  /**
   * A client that sends requests faster than it reads the answers: stop reading its requests while more than
   * `BACKLOG_BYTES` of answers wait in the socket, and read on once they drained.
   */
  #throttle(): void {
    const s = this.#socket;
    if (s.writableLength <= BACKLOG_BYTES || s.isPaused()) return;
    s.pause();
    s.once('drain', () => {
      if (!this.#ending) s.resume();
    });
  }

  #settled(): void {
    if (--this.#pending === 0 && this.#whenIdle) this.#whenIdle();
  }

  #answer(id: number, o: ServiceOutcome): void {
    if (this.#socket.destroyed) return;
    if (o.error) {
      const code = o.error.metadata?.get('weft-error-code')[0];
      this.#fail(id, o.error.code, typeof code === 'string' ? code : undefined, o.error.details);
      return;
    }
    const max = this.#options.maxSendBytes ?? -1;
    if (max >= 0 && o.bytes.length > max) {
      this.#fail(
        id,
        status.RESOURCE_EXHAUSTED,
        'WEFT_TOO_LARGE',
        `Sent message larger than max (${o.bytes.length} vs. ${max})`,
      );
      return;
    }
    writeAnswerFrame(this.#writer, id, o.trailers ? metaEntries(o.trailers) : undefined, o.bytes);
  }

  #fail(id: number, code: number, weftCode: string | undefined, details: string): void {
    if (this.#socket.destroyed) return;
    writeErrorFrame(this.#writer, id, code, weftCode, details);
  }

  /** The stream cannot be framed: say why (id 0) and close. */
  #fatal(err: unknown): void {
    if (this.#ending) return;
    this.#ending = true;
    const why = err instanceof FrameFormatError ? err.message : `cannot read the connection: ${message_(err)}`;
    writeErrorFrame(this.#writer, 0, status.INVALID_ARGUMENT, 'WEFT_BAD_REQUEST', `${this.#options.name}: ${why}`);
    this.#writer.flush();
    this.#socket.end();
    this.#socket.pause();
    setTimeout(() => this.#socket.destroy(), 1000).unref();
  }
}

function message_(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
