/**
 * NdArray: an n-dimensional array held as one little-endian typed array plus a shape and a numpy dtype string.
 * It maps one-to-one onto docarray's `DenseNdArrayProto` (buffer, shape, dtype), and views wire bytes without
 * copying when they are aligned.
 */
import { BadNdArrayError } from '../errors/index.js';
import {
  bytesOf,
  ctorOf,
  dtypeOf,
  halfToFloat,
  isTypedArray,
  parseDtype,
  type TypedArray,
  viewBytes,
} from './dtype.js';

/** A number, or a list of (lists of…) numbers. */
export type NestedNumbers = number | NestedNumbers[];

/** Everything an NdArray can be built from. */
export type NdArrayLike = NdArray | TypedArray | readonly number[] | readonly NestedNumbers[];

export class NdArray<T extends TypedArray = TypedArray> {
  /** The elements in row-major order. */
  readonly data: T;
  /** Dimensions; their product equals `data.length`. */
  readonly shape: readonly number[];
  /** numpy dtype string, e.g. `<f4`. */
  readonly dtype: string;

  /**
   * @example
   * new NdArray(new Float32Array([1, 2, 3, 4]), [2, 2]) // dtype '<f4'
   * new NdArray([[1, 2], [3, 4]])                       // dtype '<f8', shape [2, 2]
   */
  constructor(data: T | readonly number[] | readonly NestedNumbers[], shape?: readonly number[], dtype?: string) {
    let typed: TypedArray;
    let inferredShape: number[] | undefined;
    if (isTypedArray(data)) {
      typed = data;
      if (dtype !== undefined) {
        const parsed = parseDtype(dtype);
        if (ctorOf(parsed.canonical) !== typed.constructor && !(typed instanceof Uint8ClampedArray)) {
          throw new BadNdArrayError(
            `NdArray dtype '${dtype}' does not match data of type ${typed.constructor.name} (which is '${dtypeOf(typed)}')`,
            { details: { field: 'dtype', dtype } },
          );
        }
        dtype = parsed.canonical;
      }
    } else if (Array.isArray(data)) {
      const flat: number[] = [];
      inferredShape = flattenNested(data as NestedNumbers[], flat);
      const ctor = ctorOf(dtype ?? '<f8');
      typed = new ctor(flat.length);
      if (typed instanceof BigInt64Array || typed instanceof BigUint64Array) {
        for (let i = 0; i < flat.length; i++) typed[i] = BigInt(Math.trunc(flat[i] as number));
      } else {
        (typed as Float64Array).set(flat);
      }
    } else {
      throw new BadNdArrayError('NdArray data must be a typed array or a (nested) list of numbers', {
        details: { field: 'data' },
      });
    }
    this.data = typed as T;
    this.dtype = dtype ? parseDtype(dtype).canonical : isTypedArray(data) ? dtypeOf(typed) : '<f8';
    const finalShape = shape ? [...shape] : (inferredShape ?? [typed.length]);
    checkShape(finalShape, typed.length);
    this.shape = finalShape;
  }

  /** Build from anything array-like; returns the same instance for an NdArray. */
  static from(value: NdArrayLike, field = 'value'): NdArray {
    if (value instanceof NdArray) return value;
    try {
      return new NdArray(value as TypedArray);
    } catch (err) {
      if (err instanceof BadNdArrayError) {
        throw new BadNdArrayError(`${field}: ${err.message}`, { cause: err, details: { ...err.details, field } });
      }
      throw err;
    }
  }

  /**
   * View wire bytes as an NdArray. No copy when `buffer` is little-endian and aligned to the item size.
   * Throws `BadNdArrayError` when dtype, shape and byte length disagree.
   */
  static fromBytes(buffer: Uint8Array, shape: readonly number[], dtype: string): NdArray {
    const parsed = parseDtype(dtype || '<f8');
    const data = viewBytes(buffer, parsed);
    const dims = shape.length === 0 && data.length !== 1 ? [data.length] : shape;
    checkShape(dims, data.length, parsed.canonical, buffer.byteLength);
    return NdArray.#trusted(data, dims, parsed.canonical);
  }

  /** Assemble from parts already known to agree (decoder fast path: no re-validation, no copies). */
  static #trusted(data: TypedArray, shape: readonly number[], dtype: string): NdArray {
    const a = Object.create(NdArray.prototype) as { data: TypedArray; shape: readonly number[]; dtype: string };
    a.data = data;
    a.shape = shape;
    a.dtype = dtype;
    return a as unknown as NdArray;
  }

  /** The raw little-endian bytes (a view of `data`, not a copy). */
  toBytes(): Uint8Array {
    return bytesOf(this.data);
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Element `i` of a flat view, as a number (half floats decoded). */
  get(i: number): number {
    return this.dtype === '<f2' ? halfToFloat(this.data[i] as number) : Number(this.data[i]);
  }

  /** Row `i` of a 2-d array (a view, no copy). */
  row(i: number): NdArray<T> {
    const width = this.shape.slice(1).reduce((a, b) => a * b, 1);
    const sub = this.data.subarray(i * width, (i + 1) * width) as T;
    return NdArray.#trusted(sub, this.shape.slice(1), this.dtype) as NdArray<T>;
  }

  /** Nested lists of numbers in the array's shape, as Jina's JSON shape has it (half floats decoded). */
  toList(): NestedNumbers {
    const values = Array.from(
      this.data as ArrayLike<number | bigint>,
      this.dtype === '<f2' ? (v) => halfToFloat(v as number) : Number,
    );
    if (this.shape.length === 0) return values[0] ?? 0;
    return nest(values, this.shape, 0, 0).value;
  }

  /** A deep copy (own buffer). */
  clone(): NdArray<T> {
    return new NdArray(this.data.slice() as T, this.shape, this.dtype);
  }

  /** Element-wise equality of shape, dtype and values. */
  equals(other: NdArray): boolean {
    if (this.dtype !== other.dtype || this.shape.length !== other.shape.length) return false;
    if (this.shape.some((d, i) => d !== other.shape[i])) return false;
    const a = this.toBytes();
    const b = other.toBytes();
    if (a.byteLength !== b.byteLength) return false;
    for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
    return true;
  }
}

function checkShape(shape: readonly number[], length: number, dtype?: string, byteLength?: number): void {
  let product = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new BadNdArrayError(`NdArray shape [${shape.join(', ')}] must hold non-negative integers`, {
        details: { field: 'shape', shape },
      });
    }
    product *= d;
  }
  if (product !== length) {
    const what = byteLength === undefined ? `${length} elements` : `${byteLength} bytes (${length} '${dtype}' items)`;
    throw new BadNdArrayError(
      `NdArray shape [${shape.join(', ')}] needs ${product} elements but the buffer holds ${what}`,
      {
        details: { field: 'shape', shape, length },
      },
    );
  }
}

function flattenNested(data: readonly NestedNumbers[], out: number[]): number[] {
  const shape: number[] = [data.length];
  if (data.length === 0) return shape;
  const first = data[0];
  if (Array.isArray(first)) {
    let inner: number[] | undefined;
    for (const item of data) {
      if (!Array.isArray(item)) throw ragged();
      const s = flattenNested(item, out);
      if (inner && (inner.length !== s.length || inner.some((d, i) => d !== s[i]))) throw ragged();
      inner = s;
    }
    return shape.concat(inner ?? []);
  }
  for (const item of data) {
    if (typeof item !== 'number') {
      throw new BadNdArrayError(`NdArray lists must hold only numbers, got ${typeof item}`, {
        details: { field: 'data' },
      });
    }
    out.push(item);
  }
  return shape;
}

function ragged(): BadNdArrayError {
  return new BadNdArrayError('NdArray nested lists are ragged: every row must have the same length', {
    details: { field: 'data' },
  });
}

function nest(
  values: number[],
  shape: readonly number[],
  dim: number,
  offset: number,
): { value: NestedNumbers[]; next: number } {
  const n = shape[dim] as number;
  const out: NestedNumbers[] = new Array(n);
  if (dim === shape.length - 1) {
    for (let i = 0; i < n; i++) out[i] = values[offset + i] as number;
    return { value: out, next: offset + n };
  }
  let at = offset;
  for (let i = 0; i < n; i++) {
    const r = nest(values, shape, dim + 1, at);
    out[i] = r.value;
    at = r.next;
  }
  return { value: out, next: at };
}
