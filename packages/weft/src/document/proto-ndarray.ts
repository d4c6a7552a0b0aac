/**
 * docarray v1 `NdArrayProto` / `DenseNdArrayProto` <-> NdArray, for the Document codec (`proto-codec.ts`).
 * Array bytes are copied once on encode and viewed without a copy on decode when they are aligned.
 */
import { BadNdArrayError } from '../errors/index.js';
import {
  delimitedSize,
  type ProtoReader,
  type ProtoWriter,
  reserveSize,
  type SizeList,
  varintSize,
} from '../wire/index.js';
import { NdArray } from './ndarray.js';

/** `cls_name = 3: "numpy"`, the same for every array weft writes. */
const CLS_NAME_NUMPY = new Uint8Array([0x1a, 5, 0x6e, 0x75, 0x6d, 0x70, 0x79]);
const EMPTY_SHAPE: readonly number[] = [];

function packedShapeSize(shape: readonly number[]): number {
  let n = 0;
  for (let i = 0; i < shape.length; i++) n += varintSize((shape[i] as number) >>> 0);
  return n;
}

/** Sizing pass for an NdArrayProto (dense, cls_name "numpy"): returns the body size. */
export function sizeNdArray(nd: NdArray, sizes: SizeList): number {
  const slot = reserveSize(sizes);
  const denseSlot = reserveSize(sizes);
  const byteLength = nd.data.byteLength;
  let dense = byteLength > 0 ? delimitedSize(1, byteLength) : 0;
  if (nd.shape.length > 0) dense += delimitedSize(2, packedShapeSize(nd.shape));
  dense += delimitedSize(3, Buffer.byteLength(nd.dtype, 'utf8'));
  sizes[denseSlot] = dense;
  const n = delimitedSize(1, dense) + CLS_NAME_NUMPY.length;
  sizes[slot] = n;
  return n;
}

/** Write pass for an NdArrayProto (see the `writeM` convention in wire/proto-writer.ts). */
export function writeNdArray(w: ProtoWriter, nd: NdArray, field: number): void {
  const n = w.nextSize();
  if (field > 0) {
    w.tag(field, 2);
    w.uint32(n);
  }
  w.messageHeader(1); // dense
  if (nd.data.byteLength > 0) w.bytesField(1, nd.toBytes());
  const shape = nd.shape;
  if (shape.length > 0) {
    w.buf[w.pos++] = 0x12; // shape = 2, packed
    w.uint32(packedShapeSize(shape));
    for (let i = 0; i < shape.length; i++) w.uint32((shape[i] as number) >>> 0);
  }
  w.stringField(3, nd.dtype);
  w.raw(CLS_NAME_NUMPY);
}

/**
 * Read an NdArrayProto body ending at `end`. `cls_name` and `parameters` are skipped; a sparse array throws
 * `BadNdArrayError`; a message without `dense` gives `undefined`.
 */
export function readNdArray(r: ProtoReader, end: number): NdArray | undefined {
  let result: NdArray | undefined;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a:
        result = readDense(r, r.ldelim());
        break;
      case 0x12:
        throw new BadNdArrayError(
          'sparse arrays (NdArrayProto.sparse) are not supported; send the array dense (e.g. call .toarray() or .to_dense() before sending)',
          { details: { field: 'sparse' } },
        );
      case 0x1a: // cls_name: which Python type sent it; weft always builds an NdArray
      case 0x22: // parameters: framework extras, ignored
        r.skipDelimited();
        break;
      default:
        if (tag >>> 3 <= 4)
          r.wrongType('NdArrayProto', ['', 'dense', 'sparse', 'cls_name', 'parameters'][tag >>> 3] as string, tag, 2);
        r.skipTag(tag);
    }
  }
  r.expectEnd(end, 'NdArrayProto');
  return result;
}

function readDense(r: ProtoReader, end: number): NdArray {
  let buffer: Uint8Array | undefined;
  let shape: number[] | undefined;
  let dtype = '';
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a:
        buffer = r.bytes();
        break;
      case 0x12: {
        const shapeEnd = r.ldelim();
        shape ??= [];
        while (r.pos < shapeEnd) shape.push(r.uint32());
        r.expectEnd(shapeEnd, 'DenseNdArrayProto.shape');
        break;
      }
      case 0x10:
        (shape ??= []).push(r.uint32());
        break;
      case 0x1a:
        dtype = readDtype(r);
        break;
      default:
        if (tag >>> 3 <= 3)
          r.wrongType('DenseNdArrayProto', ['', 'buffer', 'shape', 'dtype'][tag >>> 3] as string, tag, 2);
        r.skipTag(tag);
    }
  }
  r.expectEnd(end, 'DenseNdArrayProto');
  if (buffer === undefined) buffer = r.buf.subarray(end, end);
  else {
    // little-endian multi-byte items need an aligned start to be viewed; the reader copies unaligned ones into
    // a shared chunk (big-endian data is byte-swapped into a new buffer by NdArray.fromBytes anyway)
    const itemsize = dtype === '' ? 8 : dtype.length === 3 && dtype[0] !== '>' ? dtype.charCodeAt(2) - 48 : 1;
    if (itemsize === 2 || itemsize === 4 || itemsize === 8) buffer = r.aligned(buffer, itemsize);
  }
  return NdArray.fromBytes(buffer, shape ?? EMPTY_SHAPE, dtype);
}

/** dtype strings seen so far, keyed by their three bytes: most arrays share a handful, so skip decoding them. */
const DTYPE_CACHE = new Map<number, string>();

function readDtype(r: ProtoReader): string {
  const start = r.pos;
  const end = r.ldelim();
  if (end - r.pos !== 3) {
    r.pos = start;
    return r.string();
  }
  const b = r.buf;
  const key = ((b[end - 3] as number) << 16) | ((b[end - 2] as number) << 8) | (b[end - 1] as number);
  const cached = DTYPE_CACHE.get(key);
  if (cached !== undefined) {
    r.pos = end;
    return cached;
  }
  r.pos = start;
  const dtype = r.string();
  if (DTYPE_CACHE.size < 256) DTYPE_CACHE.set(key, dtype);
  return dtype;
}
