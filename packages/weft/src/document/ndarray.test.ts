import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { halfToFloat } from './dtype.js';
import { NdArray } from './ndarray.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('NdArray', () => {
  it('infers dtype from the typed array', () => {
    const cases: [unknown, string][] = [
      [new Float32Array(2), '<f4'],
      [new Float64Array(2), '<f8'],
      [new Int8Array(2), '|i1'],
      [new Uint8Array(2), '|u1'],
      [new Int16Array(2), '<i2'],
      [new Uint16Array(2), '<u2'],
      [new Int32Array(2), '<i4'],
      [new Uint32Array(2), '<u4'],
      [new BigInt64Array(2), '<i8'],
      [new BigUint64Array(2), '<u8'],
    ];
    for (const [data, dtype] of cases) {
      const a = new NdArray(data as Float32Array);
      assert.equal(a.dtype, dtype);
      assert.deepEqual(a.shape, [2]);
    }
  });

  it('builds from nested lists as float64 with the nested shape', () => {
    const a = new NdArray([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.equal(a.dtype, '<f8');
    assert.deepEqual(a.shape, [2, 3]);
    assert.deepEqual(a.toList(), [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.equal(new NdArray([1, 2], undefined, '<i8').data.constructor, BigInt64Array);
  });

  it('views aligned little-endian bytes without copying', () => {
    const f = new Float32Array([1.5, -2, 3.25, 4]);
    const bytes = new Uint8Array(f.buffer);
    const a = NdArray.fromBytes(bytes, [2, 2], '<f4');
    assert.equal(a.data.buffer, f.buffer);
    assert.deepEqual(Array.from(a.data as Float32Array), [1.5, -2, 3.25, 4]);
    assert.equal(a.toBytes().buffer, f.buffer);
  });

  it('copies unaligned bytes and byte-swaps big-endian data', () => {
    const f = new Float32Array([1.5, -2]);
    const shifted = new Uint8Array(9);
    shifted.set(new Uint8Array(f.buffer), 1);
    const a = NdArray.fromBytes(shifted.subarray(1), [2], '<f4');
    assert.deepEqual(Array.from(a.data as Float32Array), [1.5, -2]);
    const be = new Uint8Array(8);
    const dv = new DataView(be.buffer);
    dv.setFloat32(0, 1.5, false);
    dv.setFloat32(4, -2, false);
    const b = NdArray.fromBytes(be, [2], '>f4');
    assert.equal(b.dtype, '<f4');
    assert.deepEqual(Array.from(b.data as Float32Array), [1.5, -2]);
  });

  it('rejects inconsistent dtype, shape and buffer length with WEFT_BAD_NDARRAY', () => {
    assert.equal(
      code(() => NdArray.fromBytes(new Uint8Array(6), [2], '<f4')),
      'WEFT_BAD_NDARRAY',
    );
    assert.equal(
      code(() => NdArray.fromBytes(new Uint8Array(8), [3], '<f4')),
      'WEFT_BAD_NDARRAY',
    );
    assert.equal(
      code(() => NdArray.fromBytes(new Uint8Array(8), [2], '<c8')),
      'WEFT_BAD_NDARRAY',
    );
    assert.equal(
      code(() => new NdArray(new Float32Array(4), [3])),
      'WEFT_BAD_NDARRAY',
    );
    assert.equal(
      code(() => new NdArray(new Float32Array(4), [4], '<f8')),
      'WEFT_BAD_NDARRAY',
    );
    assert.equal(
      code(() => new NdArray([[1, 2], [3]])),
      'WEFT_BAD_NDARRAY',
    );
    assert.equal(
      code(() => new NdArray(['a'] as unknown as number[])),
      'WEFT_BAD_NDARRAY',
    );
    assert.match(
      (() => {
        try {
          NdArray.fromBytes(new Uint8Array(8), [3], '<f4');
        } catch (e) {
          return (e as Error).message;
        }
        return '';
      })(),
      /shape \[3\] needs 3 elements but the buffer holds 8 bytes/,
    );
  });

  it('reads half floats (<f2, kept as raw bits) as the numbers they stand for', () => {
    const bits = new Uint16Array([0x3c00, 0xc000, 0x3800, 0x0001, 0x7c00, 0xfc00, 0x7e00, 0x8000]);
    const a = new NdArray(bits, [2, 4], '<f2');
    assert.deepEqual(a.toList(), [
      [1, -2, 0.5, 2 ** -24],
      [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, -0],
    ]);
    assert.equal(a.get(2), 0.5);
    assert.deepEqual(Array.from(bits, halfToFloat).slice(0, 3), [1, -2, 0.5]);
  });

  it('row() views a row of a 2-d array', () => {
    const a = new NdArray(new Float32Array([1, 2, 3, 4, 5, 6]), [3, 2]);
    const r = a.row(1);
    assert.deepEqual(Array.from(r.data as Float32Array), [3, 4]);
    assert.equal(r.data.buffer, a.data.buffer);
  });

  it('clone and equals', () => {
    const a = new NdArray(new Float32Array([1, 2]), [2]);
    const b = a.clone();
    assert.notEqual(b.data.buffer, a.data.buffer);
    assert.ok(a.equals(b));
    (b.data as Float32Array)[0] = 9;
    assert.ok(!a.equals(b));
  });
});
