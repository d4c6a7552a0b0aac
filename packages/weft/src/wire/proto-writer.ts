/**
 * Protobuf wire-format writer. Encoding runs in two passes so the output is one exactly-sized buffer with no
 * copying or back-patching:
 *
 * 1. a sizing pass walks the value and returns each message's body size; every nested message reserves a slot
 *    in a `SizeList` (pre-order) and stores its body size there;
 * 2. a write pass walks the value in the same order; each nested message takes the next recorded size for its
 *    length prefix (`ProtoWriter.nextSize`), then writes its body.
 *
 * Convention for a message type `M`: `sizeM(value, sizes)` reserves a slot and returns the body size;
 * `writeM(w, value, field)` consumes that slot, writes the tag and length prefix when `field > 0`, then the
 * body. `encodeMessage(value, sizeM, writeM)` runs both passes for a top-level message.
 */
import { InternalError } from '../errors/index.js';

/** Wire types. */
export const WireType = {
  VARINT: 0,
  FIXED64: 1,
  LENGTH_DELIMITED: 2,
  START_GROUP: 3,
  END_GROUP: 4,
  FIXED32: 5,
} as const;

/** Nested-message body sizes recorded by a sizing pass, in the order the write pass needs them. */
export type SizeList = number[];

/** Reserve a slot for a message's body size (fill it with `sizes[slot] = n` once known). */
export function reserveSize(sizes: SizeList): number {
  return sizes.push(0) - 1;
}

/** Bytes a varint takes for an unsigned 32-bit value (or any non-negative integer below 2^53). */
export function varintSize(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  if (v < 0x800000000) return 5;
  if (v < 0x40000000000) return 6;
  if (v < 0x2000000000000) return 7;
  return 8;
}

/** Bytes a signed int32/int64 varint takes (negative values always take 10). */
export function int64Size(v: number): number {
  return v < 0 ? 10 : varintSize(v);
}

/** Bytes the tag of `field` takes. */
export function tagSize(field: number): number {
  return varintSize(field << 3);
}

/** Bytes a length-delimited field takes: tag, length prefix and `bodyLength` bytes of body. */
export function delimitedSize(field: number, bodyLength: number): number {
  return tagSize(field) + varintSize(bodyLength) + bodyLength;
}

/** UTF-8 byte length of a string. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Bytes a string field takes. */
export function stringFieldSize(field: number, s: string): number {
  return delimitedSize(field, Buffer.byteLength(s, 'utf8'));
}

type Utf8Writable = Buffer & { utf8Write?: (s: string, offset: number, length?: number) => number };

/** Encode `s` as UTF-8 at `offset` (Node's unchecked `utf8Write` when present); returns the bytes written. */
function utf8Write(buf: Utf8Writable, s: string, offset: number): number {
  return buf.utf8Write ? buf.utf8Write(s, offset) : buf.write(s, offset, 'utf8');
}

export class ProtoWriter {
  /** The output; exactly the size the sizing pass computed. */
  readonly buf: Buffer;
  /** Write position. */
  pos = 0;
  readonly #view: DataView;
  readonly #sizes: SizeList;
  #next = 0;

  /** A writer for a message of exactly `size` bytes whose nested sizes are `sizes`. */
  constructor(size: number, sizes: SizeList = []) {
    // allocUnsafeSlow: our own ArrayBuffer (never a view into Node's shared pool), not zero-filled
    this.buf = Buffer.allocUnsafeSlow(size);
    this.#view = new DataView(this.buf.buffer, this.buf.byteOffset, size);
    this.#sizes = sizes;
  }

  /** The next recorded nested-message size (for a length prefix). */
  nextSize(): number {
    const n = this.#sizes[this.#next++];
    if (n === undefined) throw new InternalError('protobuf encoder: more nested messages written than sized');
    return n;
  }

  /** Write a field tag. */
  tag(field: number, wireType: number): void {
    this.uint32((field << 3) | wireType);
  }

  /** Write an unsigned varint (any integer in [0, 2^53)). */
  uint32(v: number): void {
    const buf = this.buf;
    let pos = this.pos;
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v = v > 0xffffffff ? Math.floor(v / 128) : v >>> 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  /** Write a signed int32/int64 varint (negative values as ten-byte two's complement). */
  int64(v: number): void {
    if (v >= 0) {
      this.uint32(v);
      return;
    }
    let big = BigInt.asUintN(64, BigInt(Math.trunc(v)));
    for (let i = 0; i < 9; i++) {
      this.buf[this.pos++] = Number(big & 0x7fn) | 0x80;
      big >>= 7n;
    }
    this.buf[this.pos++] = Number(big);
  }

  bool(v: boolean): void {
    this.buf[this.pos++] = v ? 1 : 0;
  }

  /** Write a 32-bit float, little-endian. */
  float(v: number): void {
    this.#view.setFloat32(this.pos, v, true);
    this.pos += 4;
  }

  /** Write a 64-bit double, little-endian. */
  double(v: number): void {
    this.#view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  fixed32(v: number): void {
    this.#view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  /** Write raw bytes (no length prefix) with one copy. */
  raw(bytes: Uint8Array): void {
    const n = bytes.byteLength;
    if (n <= 16) {
      // a short run is cheaper byte by byte than through TypedArray.prototype.set
      const buf = this.buf;
      const pos = this.pos;
      for (let i = 0; i < n; i++) buf[pos + i] = bytes[i] as number;
    } else this.buf.set(bytes, this.pos);
    this.pos += n;
  }

  /** Write a length-prefixed byte string. */
  bytes(bytes: Uint8Array): void {
    this.uint32(bytes.byteLength);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.byteLength;
  }

  /** Write a length-prefixed UTF-8 string. */
  string(s: string): void {
    const buf = this.buf;
    const len = s.length;
    if (len < 43) {
      // at most 3 bytes per UTF-16 unit, so the length fits one prefix byte: write the text, then the prefix.
      // Short ASCII text is copied in JS, which beats a call into native code.
      const start = this.pos + 1;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
      const n = i === len ? len : utf8Write(buf, s, start);
      buf[this.pos] = n;
      this.pos = start + n;
      return;
    }
    this.uint32(Buffer.byteLength(s, 'utf8'));
    this.pos += utf8Write(buf, s, this.pos);
  }

  /** Write tag + value of a string field. */
  stringField(field: number, s: string): void {
    this.uint32((field << 3) | 2);
    this.string(s);
  }

  /** Write tag + value of a bytes field. */
  bytesField(field: number, bytes: Uint8Array): void {
    this.uint32((field << 3) | 2);
    this.bytes(bytes);
  }

  /** Write the tag and recorded length prefix of a nested message field. */
  messageHeader(field: number): void {
    this.uint32((field << 3) | 2);
    this.uint32(this.nextSize());
  }

  /** The output, after checking the sizing and write passes agreed. */
  finish(): Uint8Array {
    if (this.pos !== this.buf.length || this.#next !== this.#sizes.length) {
      throw new InternalError(
        `protobuf encoder: wrote ${this.pos} of ${this.buf.length} bytes and ${this.#next} of ${this.#sizes.length} nested sizes (was the value changed while it was being encoded?)`,
      );
    }
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }
}

/** Run both passes for a top-level message: `size` returns the body size, `write` writes the body (field 0). */
export function encodeMessage<T>(
  value: T,
  size: (value: T, sizes: SizeList) => number,
  write: (w: ProtoWriter, value: T, field: number) => void,
): Uint8Array {
  const sizes: SizeList = [];
  const n = size(value, sizes);
  const w = new ProtoWriter(n, sizes);
  write(w, value, 0);
  return w.finish();
}
