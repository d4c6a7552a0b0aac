/**
 * Protobuf wire-format reader over a Uint8Array. Every read is bounds-checked; malformed input (truncated or
 * over-long varints, lengths past the end, invalid wire types, runaway nesting) throws `DecodeError`
 * (WEFT_DECODE) naming the byte offset. Bytes fields are views of the input, never copies; `aligned()` copies
 * only array bytes whose offset a typed array cannot view.
 *
 * Message decoders follow one pattern: `const end = r.ldelim()` for a nested message, read tags while
 * `r.pos < end`, `r.skipTag(tag)` unknown fields, then `r.expectEnd(end, 'Message')`. Messages that can nest
 * themselves wrap the loop with `r.enter()`/`r.leave()` to bound recursion; `withDecodeContext` names the
 * message and field in errors.
 */
import { DecodeError } from '../errors/index.js';
import { varintSize, WireType } from './proto-writer.js';

/** Deepest message nesting accepted (protobuf's own default limit). */
export const MAX_DEPTH = 100;

/** Largest shared chunk for aligned copies of array bytes. */
const ARENA_CHUNK = 1 << 20;

const WIRE_TYPE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32'];

type Utf8Sliceable = Buffer & { utf8Slice?: (start: number, end: number) => string };

export class ProtoReader {
  /** The input. */
  readonly buf: Uint8Array;
  /** Read position. */
  pos: number;
  /** End of the input. */
  readonly len: number;
  /** Current message nesting depth. */
  depth = 0;
  readonly #view: DataView;
  readonly #text: Utf8Sliceable;
  #arena: Uint8Array | undefined;
  #arenaPos = 0;

  constructor(buf: Uint8Array) {
    if (!(buf instanceof Uint8Array)) {
      throw new DecodeError(`protobuf input must be a Uint8Array, got ${buf === null ? 'null' : typeof buf}`);
    }
    // a plain Uint8Array view even for a Buffer, so bytes fields come back as Uint8Arrays (whose slice() copies)
    this.buf = buf.constructor === Uint8Array ? buf : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = 0;
    this.len = buf.byteLength;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.#text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** A `DecodeError` for a problem at byte `at`. */
  fail(what: string, at: number = this.pos): DecodeError {
    return new DecodeError(`${what} at byte ${at}`, { details: { offset: at } });
  }

  /** Read a field key; throws on field number 0. Returns `(field << 3) | wireType`. */
  tag(): number {
    const at = this.pos;
    const key = this.uint32();
    if (key >>> 3 === 0) throw this.fail('invalid field number 0', at);
    return key;
  }

  /** Read a varint as an unsigned 32-bit number (higher bits are dropped, as protobuf's uint32 does). */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos < this.len) {
      const b = buf[pos] as number;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    const start = pos;
    let value = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (pos >= this.len) throw this.fail('truncated varint', start);
      const b = buf[pos++] as number;
      if (shift < 32) value |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    throw this.fail('varint longer than 10 bytes', start);
  }

  /** Read a signed int32 varint. */
  int32(): number {
    return this.uint32() | 0;
  }

  /** Read an int64/uint64 varint as a number (exact below 2^53; negative int64 values come back negative). */
  int64(): number {
    const start = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.len) throw this.fail('truncated varint', start);
      const b = this.buf[this.pos++] as number;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) {
        return hi & 0x80000000 ? -((~hi >>> 0) * 0x100000000 + (~lo >>> 0) + 1) : (hi >>> 0) * 0x100000000 + (lo >>> 0);
      }
    }
    throw this.fail('varint longer than 10 bytes', start);
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  /** Read a little-endian 32-bit float. */
  float(): number {
    const at = this.#need(4);
    return this.#view.getFloat32(at, true);
  }

  /** Read a little-endian 64-bit double. */
  double(): number {
    const at = this.#need(8);
    return this.#view.getFloat64(at, true);
  }

  fixed32(): number {
    const at = this.#need(4);
    return this.#view.getUint32(at, true);
  }

  /**
   * Read a length prefix and check the body fits the input; returns the body's end offset (the position is at
   * the body's start).
   */
  ldelim(): number {
    const at = this.pos;
    const n = this.uint32();
    const end = this.pos + n;
    if (end > this.len) throw this.fail(`length ${n} runs past the end of the input (${this.len} bytes)`, at);
    return end;
  }

  /** Read a length-delimited field as a view of the input (no copy). */
  bytes(): Uint8Array {
    const end = this.ldelim();
    const start = this.pos;
    this.pos = end;
    const buf = this.buf;
    return new Uint8Array(buf.buffer, buf.byteOffset + start, end - start);
  }

  /** Read a length-delimited UTF-8 string (invalid sequences become U+FFFD). */
  string(): string {
    const end = this.ldelim();
    const start = this.pos;
    this.pos = end;
    if (start === end) return '';
    const t = this.#text;
    return t.utf8Slice ? t.utf8Slice(start, end) : t.toString('utf8', start, end);
  }

  /**
   * `bytes` (a view of the input) itself when its offset is a multiple of `align` (a power of two up to 8),
   * else a copy that is. Copies share chunks of a few fresh buffers per input instead of one allocation each.
   */
  aligned(bytes: Uint8Array, align: number): Uint8Array {
    if ((bytes.byteOffset & (align - 1)) === 0) return bytes;
    const n = bytes.byteLength;
    let at = (this.#arenaPos + 7) & ~7;
    if (this.#arena === undefined || at + n > this.#arena.byteLength) {
      // room for the rest of the input (every array still to come) up to a cap; a big array gets its own.
      // Zero-filled: an array's `.buffer` is the whole chunk, which must not expose stale memory.
      const size = Math.max(n, Math.min(n + (this.len - this.pos) + 64, ARENA_CHUNK));
      this.#arena = new Uint8Array(size);
      at = 0;
    }
    const copy = new Uint8Array(this.#arena.buffer, at, n);
    copy.set(bytes);
    this.#arenaPos = at + n;
    return copy;
  }

  /** Skip a length-delimited field without reading it. */
  skipDelimited(): void {
    this.pos = this.ldelim();
  }

  /** Skip the value of a field of the given wire type (groups included, nested groups too). */
  skip(wireType: number, field = 0): void {
    switch (wireType) {
      case WireType.VARINT: {
        const start = this.pos;
        for (let i = 0; ; i++) {
          if (i === 10) throw this.fail('varint longer than 10 bytes', start);
          if (this.pos >= this.len) throw this.fail('truncated varint', start);
          if ((this.buf[this.pos++] as number) < 0x80) return;
        }
      }
      case WireType.FIXED64:
        this.#need(8);
        return;
      case WireType.LENGTH_DELIMITED:
        this.pos = this.ldelim();
        return;
      case WireType.START_GROUP: {
        const start = this.pos;
        this.enter();
        for (;;) {
          if (this.pos >= this.len) throw this.fail(`unterminated group (field ${field})`, start);
          const key = this.tag();
          if ((key & 7) === WireType.END_GROUP) {
            if (key >>> 3 !== field) throw this.fail(`group of field ${field} ended by field ${key >>> 3}`, this.pos);
            this.leave();
            return;
          }
          this.skip(key & 7, key >>> 3);
        }
      }
      case WireType.END_GROUP:
        throw this.fail('unexpected end-group tag', this.pos);
      case WireType.FIXED32:
        this.#need(4);
        return;
      default:
        throw this.fail(`invalid wire type ${wireType}`, this.pos);
    }
  }

  /** Skip an unknown field given its full tag. */
  skipTag(tag: number): void {
    if ((tag & 7) > 5) throw this.fail(`invalid wire type ${tag & 7} (field ${tag >>> 3})`, this.pos - varintSize(tag));
    this.skip(tag & 7, tag >>> 3);
  }

  /** Throws a `DecodeError` for a known field that arrived with the wrong wire type. */
  wrongType(message: string, field: string, tag: number, expected: number): never {
    const got = WIRE_TYPE_NAMES[tag & 7] ?? `invalid (${tag & 7})`;
    throw this.fail(
      `${message}.${field} (field ${tag >>> 3}) has wire type ${got}, expected ${WIRE_TYPE_NAMES[expected]}`,
      this.pos - varintSize(tag),
    );
  }

  /** Check a message body ended exactly where its length said. */
  expectEnd(end: number, message: string): void {
    if (this.pos !== end) throw this.fail(`${message}: a field runs past the end of the message (byte ${end})`);
  }

  /** Enter a nested message; throws past `MAX_DEPTH`. */
  enter(): void {
    if (++this.depth > MAX_DEPTH) throw this.fail(`messages nested deeper than ${MAX_DEPTH} levels`);
  }

  leave(): void {
    this.depth--;
  }

  /** Advance past `n` bytes after checking they exist; returns their start. */
  #need(n: number): number {
    const at = this.pos;
    if (at + n > this.len) throw this.fail(`truncated ${n}-byte value`, at);
    this.pos = at + n;
    return at;
  }
}

/**
 * Re-throw `err` from decoding `message` field `field`, naming them in the message of the innermost
 * `DecodeError` (outer messages leave it as it is).
 */
export function withDecodeContext(err: unknown, message: string, field: string | number): unknown {
  if (err instanceof DecodeError && err.details.message === undefined) {
    const name = typeof field === 'number' ? (field === 0 ? '' : `.field ${field}`) : `.${field}`;
    err.message = `cannot decode ${message}${name}: ${err.message}`;
    err.details.message = message;
    err.details.field = field;
  }
  return err;
}
