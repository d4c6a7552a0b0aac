/**
 * FrameReader: turns the chunks a socket delivers into frames, however the chunks cut them. A frame inside one
 * chunk is handed on as a view of that chunk (no copy); a frame spread over several chunks is copied once into
 * its own buffer. Chunks are kept in a list until a frame is complete, so a large message arriving in thousands of
 * pieces costs one copy, not one per piece. A frame larger than the limit is reported with its kind and id and its
 * body skipped as it streams past, so the connection survives it; what cannot be framed (a wrong preface, a
 * length too short for a header) throws FrameFormatError and the connection has to go.
 */
import { FrameFormatError, HEADER_BYTES, MAX_BODY_BYTES, PREFACE } from './frame-codec.js';

export interface FrameSink {
  /** A complete frame. `body` may be a view of a socket chunk: keep it only as long as needed. */
  frame(kind: number, id: number, body: Buffer): void;
  /** A frame whose body exceeds the limit; its body is being skipped. */
  oversized(kind: number, id: number, bodyBytes: number, limit: number): void;
}

export interface FrameReaderOptions {
  /** Largest body accepted (default: the format's limit, about 4 GiB). */
  maxBodyBytes?: number;
  /** Expect the protocol preface before the first frame (default true). */
  preface?: boolean;
}

export class FrameReader {
  readonly #sink: FrameSink;
  readonly #max: number;
  #chunks: Buffer[] = [];
  /** Index of the first chunk still in use in `#chunks`. */
  #head = 0;
  #buffered = 0;
  /** Bytes of an oversized body still to skip. */
  #skip = 0;
  /** Bytes of the preface still expected. */
  #prefaceAt: number;
  readonly #scratch = Buffer.allocUnsafe(HEADER_BYTES);

  constructor(sink: FrameSink, options: FrameReaderOptions = {}) {
    this.#sink = sink;
    const max = options.maxBodyBytes;
    this.#max = max === undefined || max < 0 ? MAX_BODY_BYTES : Math.min(max, MAX_BODY_BYTES);
    this.#prefaceAt = options.preface === false ? PREFACE.length : 0;
  }

  /** Bytes received and not yet part of a delivered frame. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Whether the peer's preface has arrived. */
  get prefaceSeen(): boolean {
    return this.#prefaceAt === PREFACE.length;
  }

  /** Feed one chunk; delivers every frame it completes. Throws FrameFormatError when the stream cannot be framed. */
  push(chunk: Buffer): void {
    if (this.#prefaceAt < PREFACE.length) {
      chunk = this.#matchPreface(chunk);
      if (chunk.length === 0) return;
    }
    if (this.#skip > 0) {
      const n = Math.min(this.#skip, chunk.length);
      this.#skip -= n;
      if (n === chunk.length) return;
      chunk = chunk.subarray(n);
    }
    if (this.#buffered === 0) {
      const rest = this.#parseOne(chunk);
      if (rest.length > 0) {
        this.#chunks.push(rest);
        this.#buffered = rest.length;
      }
      return;
    }
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    this.#parseList();
  }

  #matchPreface(chunk: Buffer): Buffer {
    let i = 0;
    while (i < chunk.length && this.#prefaceAt < PREFACE.length) {
      if (chunk[i] !== PREFACE[this.#prefaceAt]) {
        throw new FrameFormatError(
          'the peer did not open with the weft native preface: it is not a weft runtime speaking the native protocol',
        );
      }
      i++;
      this.#prefaceAt++;
    }
    return chunk.subarray(i);
  }

  /** Fast path: frames inside one chunk, nothing buffered before it. Returns the unparsed rest. */
  #parseOne(chunk: Buffer): Buffer {
    let o = 0;
    const n = chunk.length;
    while (n - o >= HEADER_BYTES) {
      const len = chunk.readUInt32BE(o);
      if (len < 5) throw tooShort(len);
      const kind = chunk[o + 4] as number;
      const id = chunk.readUInt32BE(o + 5);
      const body = len - 5;
      if (body > this.#max) {
        this.#sink.oversized(kind, id, body, this.#max);
        const here = Math.min(body, n - o - HEADER_BYTES);
        this.#skip = body - here;
        o += HEADER_BYTES + here;
        continue;
      }
      if (n - o - 4 < len) break;
      const start = o + HEADER_BYTES;
      o = start + body;
      this.#sink.frame(kind, id, chunk.subarray(start, o));
    }
    return o === 0 ? chunk : chunk.subarray(o);
  }

  /** Slow path: frames over the chunk list. */
  #parseList(): void {
    while (this.#buffered >= HEADER_BYTES) {
      if (this.#skip > 0) {
        this.#skipBuffered();
        continue;
      }
      const h = this.#peekHeader();
      const len = h.readUInt32BE(0);
      if (len < 5) throw tooShort(len);
      const kind = h[4] as number;
      const id = h.readUInt32BE(5);
      const body = len - 5;
      if (body > this.#max) {
        this.#discard(HEADER_BYTES);
        this.#sink.oversized(kind, id, body, this.#max);
        this.#skip = body;
        continue;
      }
      if (this.#buffered - 4 < len) return;
      this.#discard(HEADER_BYTES);
      const bytes = this.#take(body);
      // the list may be down to one chunk now: later frames of it go through the fast path
      this.#sink.frame(kind, id, bytes);
      if (this.#buffered > 0 && this.#chunks.length - this.#head === 1) {
        const only = this.#chunks[this.#head] as Buffer;
        this.#reset();
        const rest = this.#parseOne(only);
        if (rest.length > 0) {
          this.#chunks.push(rest);
          this.#buffered = rest.length;
        }
        return;
      }
    }
    if (this.#skip > 0 && this.#buffered > 0) this.#skipBuffered();
  }

  /** Skip as much of an oversized body as is buffered. */
  #skipBuffered(): void {
    const n = Math.min(this.#skip, this.#buffered);
    this.#skip -= n;
    this.#discard(n);
  }

  /** The next 9 bytes (a view when the first chunk holds them, else gathered into a scratch buffer). */
  #peekHeader(): Buffer {
    const first = this.#chunks[this.#head] as Buffer;
    if (first.length >= HEADER_BYTES) return first;
    let o = 0;
    for (let i = this.#head; o < HEADER_BYTES; i++) {
      const c = this.#chunks[i] as Buffer;
      o += c.copy(this.#scratch, o, 0, Math.min(c.length, HEADER_BYTES - o));
    }
    return this.#scratch;
  }

  /** Remove `n` bytes from the front, returning them (a view when they lie in one chunk, else one copy). */
  #take(n: number): Buffer {
    if (n === 0) return EMPTY;
    const first = this.#chunks[this.#head] as Buffer;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      this.#advance(first, n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let o = 0;
    while (o < n) {
      const c = this.#chunks[this.#head] as Buffer;
      const k = Math.min(c.length, n - o);
      c.copy(out, o, 0, k);
      o += k;
      this.#advance(c, k);
    }
    return out;
  }

  #discard(n: number): void {
    let left = n;
    while (left > 0) {
      const c = this.#chunks[this.#head] as Buffer;
      const k = Math.min(c.length, left);
      left -= k;
      this.#advance(c, k);
    }
  }

  /** Consume `k` bytes of the head chunk `c`. */
  #advance(c: Buffer, k: number): void {
    this.#buffered -= k;
    if (k === c.length) {
      this.#chunks[this.#head] = EMPTY;
      this.#head++;
      if (this.#head === this.#chunks.length) this.#reset();
    } else {
      this.#chunks[this.#head] = c.subarray(k);
    }
  }

  #reset(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#buffered = 0;
  }
}

const EMPTY = Buffer.alloc(0);

function tooShort(len: number): FrameFormatError {
  return new FrameFormatError(
    `frame length ${len} is too short for a frame header (at least 5): the stream is corrupt`,
  );
}
