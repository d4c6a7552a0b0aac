/**
 * FrameWriter: batches outgoing frames of one socket. Headers and small messages are copied into a shared slab
 * (no allocation per frame); large messages are chained as they are (no copy). Frames are flushed from a
 * `process.nextTick` scheduled by the first one: Node runs it once the promise continuations under way have
 * drained, so every answer (or request) completed by the same burst of work leaves in one `socket.write` (one
 * corked writev when large messages are chained), and a lone frame waits for nothing but the work already queued.
 * 64 answers of one incoming chunk cost one syscall, not 64.
 */
import type { Socket } from 'node:net';
import { HEADER_BYTES, MAX_BODY_BYTES } from './frame-codec.js';

/** Messages up to this size are copied into the slab; larger ones are written from their own memory. */
const COPY_LIMIT = 16 * 1024;
/** Slab size (a larger one is made for a single larger frame head). */
const SLAB_BYTES = 64 * 1024;
/** Flush at once when this much is queued, without waiting for the scheduled flush. */
const FLUSH_BYTES = 1024 * 1024;

export class FrameWriter {
  readonly #socket: Socket;
  #slab: Buffer = Buffer.allocUnsafe(0);
  /** Start of the bytes of the slab not yet handed to a chunk. */
  #start = 0;
  #pos = 0;
  /** Finished pieces, in order, waiting for the flush. */
  #chunks: Buffer[] = [];
  #queued = 0;
  /** A flush is scheduled. */
  #scheduled = false;
  /** Size of the message the last `reserve` announced (checked by `append`). */
  #expect = 0;
  readonly #flushNow = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  /** The slab the current frame's prelude is written into (valid right after `reserve`). */
  get buffer(): Buffer {
    return this.#slab;
  }

  /** Bytes queued and not yet handed to the socket. */
  get queued(): number {
    return this.#queued;
  }

  /**
   * Start a frame: writes its header and reserves `preludeBytes` after it; returns the offset of the prelude in
   * `buffer`. Follow with `append(message)` (when `messageBytes` > 0), then `end()`.
   */
  reserve(kind: number, id: number, preludeBytes: number, messageBytes: number): number {
    const body = preludeBytes + messageBytes;
    if (body > MAX_BODY_BYTES) throw new RangeError(`a frame body of ${body} bytes exceeds the 4 GiB frame limit`);
    const head = HEADER_BYTES + preludeBytes;
    const need = head + (messageBytes <= COPY_LIMIT ? messageBytes : 0);
    if (this.#pos + need > this.#slab.length) {
      this.#seal();
      this.#slab = Buffer.allocUnsafe(Math.max(SLAB_BYTES, need));
      this.#start = 0;
      this.#pos = 0;
    }
    const b = this.#slab;
    const p = this.#pos;
    b.writeUInt32BE(5 + preludeBytes + messageBytes, p);
    b[p + 4] = kind;
    b.writeUInt32BE(id, p + 5);
    this.#pos = p + head;
    this.#expect = messageBytes;
    this.#queued += head;
    return p + HEADER_BYTES;
  }

  /**
   * The message of the frame just reserved, whole or in pieces (appended in order, adding up to the announced
   * size): pieces up to `COPY_LIMIT` are copied into the slab, larger ones chained as they are.
   */
  append(message: Uint8Array): void {
    if (message.length > this.#expect) {
      throw new RangeError(`frame announced ${this.#expect} more message bytes, got ${message.length}`);
    }
    this.#expect -= message.length;
    if (message.length === 0) return;
    if (message.length <= COPY_LIMIT) {
      if (this.#pos + message.length > this.#slab.length) {
        // a small piece after a large one: the space reserved with the head went to no one
        this.#seal();
        this.#slab = Buffer.allocUnsafe(Math.max(SLAB_BYTES, message.length));
        this.#start = 0;
        this.#pos = 0;
      }
      this.#slab.set(message, this.#pos);
      this.#pos += message.length;
    } else {
      this.#seal();
      this.#chunks.push(
        Buffer.isBuffer(message) ? message : Buffer.from(message.buffer, message.byteOffset, message.byteLength),
      );
    }
    this.#queued += message.length;
  }

  /** The frame is complete: it leaves with the next flush (at once when much is queued). */
  end(): void {
    if (this.#expect !== 0) throw new RangeError(`frame ended without its ${this.#expect} message bytes`);
    if (this.#queued >= FLUSH_BYTES) {
      this.flush();
    } else if (!this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(this.#flushNow);
    }
  }

  /** Hand everything queued to the socket now. */
  flush(): void {
    this.#seal();
    const chunks = this.#chunks;
    if (chunks.length === 0) return;
    this.#chunks = [];
    this.#queued = 0;
    const s = this.#socket;
    if (s.destroyed || !s.writable) return;
    if (chunks.length === 1) {
      s.write(chunks[0] as Buffer);
      return;
    }
    s.cork();
    for (const c of chunks) s.write(c);
    s.uncork();
  }

  /** Move the slab's unsealed bytes into the chunk list (they are never written to again). */
  #seal(): void {
    if (this.#pos > this.#start) {
      this.#chunks.push(this.#slab.subarray(this.#start, this.#pos));
      this.#start = this.#pos;
    }
  }
}
