/**
 * numpy-style dtype strings (`<f4`, `|u1`, …) and the typed arrays that hold them. weft keeps array data in
 * little-endian typed arrays; big-endian wire data is byte-swapped once on decode.
 */
import { BadNdArrayError } from '../errors/index.js';

export type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

type TypedArrayCtor = {
  new (length: number): TypedArray;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
};

interface DtypeInfo {
  readonly ctor: TypedArrayCtor;
  readonly itemsize: number;
  readonly bigint: boolean;
}

/** Little-endian (or byte-order-free) dtypes weft stores natively, keyed by their canonical numpy string. */
const DTYPES: Record<string, DtypeInfo> = {
  '<f4': { ctor: Float32Array, itemsize: 4, bigint: false },
  '<f8': { ctor: Float64Array, itemsize: 8, bigint: false },
  '<f2': { ctor: Uint16Array, itemsize: 2, bigint: false }, // raw IEEE half floats (Node 20 has no Float16Array)
  '|i1': { ctor: Int8Array, itemsize: 1, bigint: false },
  '|u1': { ctor: Uint8Array, itemsize: 1, bigint: false },
  '|b1': { ctor: Uint8Array, itemsize: 1, bigint: false },
  '<i2': { ctor: Int16Array, itemsize: 2, bigint: false },
  '<u2': { ctor: Uint16Array, itemsize: 2, bigint: false },
  '<i4': { ctor: Int32Array, itemsize: 4, bigint: false },
  '<u4': { ctor: Uint32Array, itemsize: 4, bigint: false },
  '<i8': { ctor: BigInt64Array, itemsize: 8, bigint: true },
  '<u8': { ctor: BigUint64Array, itemsize: 8, bigint: true },
};

/**
 * The number an IEEE 754 half-precision value (`<f2`, stored as its 16 raw bits) stands for; Node 20 has no
 * Float16Array.
 * @example halfToFloat(0x3c00) // 1; Float64Array.from(halfs, halfToFloat) decodes a whole Uint16Array
 */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Every dtype string weft accepts (canonical forms; `=`/`<`/`>` prefixes and `|` for 1-byte types). */
export const SUPPORTED_DTYPES = Object.keys(DTYPES);

export interface ParsedDtype {
  /** Canonical little-endian form, e.g. `<f4`. */
  readonly canonical: string;
  /** Whether the wire data is big-endian and must be byte-swapped. */
  readonly bigEndian: boolean;
  readonly info: DtypeInfo;
}

/** Parse a numpy dtype string; throws `BadNdArrayError` (WEFT_BAD_NDARRAY) for unknown dtypes. */
export function parseDtype(dtype: string): ParsedDtype {
  const cached = PARSED.get(dtype);
  if (cached) return cached;
  const parsed = parseUncached(dtype);
  PARSED.set(dtype, parsed);
  return parsed;
}

const PARSED = new Map<string, ParsedDtype>();

function parseUncached(dtype: string): ParsedDtype {
  const direct = DTYPES[dtype];
  if (direct) return { canonical: dtype, bigEndian: false, info: direct };
  if (dtype.length === 3) {
    const order = dtype[0];
    const body = dtype.slice(1);
    const le = DTYPES[`<${body}`] ?? DTYPES[`|${body}`];
    const canonical = DTYPES[`<${body}`] ? `<${body}` : `|${body}`;
    if (le && (order === '<' || order === '=' || order === '|')) return { canonical, bigEndian: false, info: le };
    if (le && order === '>') return { canonical, bigEndian: le.itemsize > 1, info: le };
  }
  throw new BadNdArrayError(`NdArray dtype '${dtype}' is not supported; use one of ${SUPPORTED_DTYPES.join(', ')}`, {
    details: { field: 'dtype', dtype },
  });
}

/** The dtype string numpy would give the typed array's element type. */
export function dtypeOf(data: TypedArray): string {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Int8Array) return '|i1';
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) return '|u1';
  if (data instanceof Int16Array) return '<i2';
  if (data instanceof Uint16Array) return '<u2';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof Uint32Array) return '<u4';
  if (data instanceof BigInt64Array) return '<i8';
  if (data instanceof BigUint64Array) return '<u8';
  throw new BadNdArrayError('NdArray data must be a typed array', { details: { field: 'data' } });
}

/** The typed-array constructor that holds a (canonical) dtype. */
export function ctorOf(dtype: string): TypedArrayCtor {
  return parseDtype(dtype).info.ctor;
}

export function isTypedArray(x: unknown): x is TypedArray {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

/**
 * View `bytes` as a typed array of `dtype` without copying when the offset is aligned and the data is
 * little-endian; otherwise copy once (and byte-swap big-endian data).
 */
export function viewBytes(bytes: Uint8Array, parsed: ParsedDtype): TypedArray {
  const { ctor, itemsize } = parsed.info;
  if (bytes.byteLength % itemsize !== 0) {
    throw new BadNdArrayError(
      `NdArray buffer of ${bytes.byteLength} bytes is not a whole number of '${parsed.canonical}' items (${itemsize} bytes each)`,
      { details: { field: 'buffer', byteLength: bytes.byteLength, dtype: parsed.canonical } },
    );
  }
  const length = bytes.byteLength / itemsize;
  let source = bytes;
  if (parsed.bigEndian) {
    source = new Uint8Array(bytes.byteLength);
    for (let i = 0; i < bytes.byteLength; i += itemsize) {
      for (let j = 0; j < itemsize; j++) source[i + j] = bytes[i + itemsize - 1 - j] as number;
    }
  } else if (bytes.byteOffset % itemsize !== 0) {
    // Uint8Array's own slice: Buffer#slice would return a view, not the aligned copy needed here
    source = Uint8Array.prototype.slice.call(bytes);
  }
  if (ctor === Uint8Array && source instanceof Uint8Array && source.constructor === Uint8Array) {
    return new Uint8Array(source.buffer, source.byteOffset, length);
  }
  return new ctor(source.buffer, source.byteOffset, length);
}

/** The raw bytes of a typed array (a view, never a copy). */
export function bytesOf(data: TypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
