import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Document } from './document.js';
import { DocumentArray } from './document-array.js';
import { decodeDocument, decodeDocumentArray, encodeDocument } from './proto-codec.js';

// Hand-built protobuf bytes, independent of the codec under test.
type Bytes = number[];
function varint(n: number): Bytes {
  const out: Bytes = [];
  while (n > 127) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const key = (field: number, wireType: number): Bytes => varint(field * 8 + wireType);
const vi = (field: number, n: number): Bytes => [...key(field, 0), ...varint(n)];
const ld = (field: number, ...body: Bytes[]): Bytes => {
  const flat = body.flat();
  return [...key(field, 2), ...varint(flat.length), ...flat];
};
const str = (field: number, s: string): Bytes => ld(field, [...Buffer.from(s)]);
const f32 = (field: number, v: number): Bytes => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(v);
  return [...key(field, 5), ...b];
};
const f32be = (values: number[]): Bytes => {
  const b = Buffer.alloc(4 * values.length);
  for (let i = 0; i < values.length; i++) b.writeFloatBE(values[i] as number, 4 * i);
  return [...b];
};
const bytes = (...parts: Bytes[]): Uint8Array => new Uint8Array(parts.flat());
const dense = (buffer: Bytes, shape: number[], dtype: string): Bytes =>
  ld(1, ld(1, buffer), ld(2, shape.flatMap(varint)), str(3, dtype));

/** Unknown fields of every wire type, under field numbers no message here uses. */
const UNKNOWN: Bytes = [
  ...vi(99, 123456),
  ...key(98, 1),
  1,
  2,
  3,
  4,
  5,
  6,
  7,
  8,
  ...str(97, 'future'),
  ...key(96, 3),
  ...vi(1, 5),
  ...str(2, 'in a group'),
  ...key(96, 4),
  ...f32(95, 1.5),
];

function errorOf(fn: () => unknown): { code?: string; message: string; details?: Record<string, unknown> } {
  try {
    fn();
  } catch (err) {
    return err as { code?: string; message: string };
  }
  assert.fail('expected an error');
}

describe('proto codec: foreign input', () => {
  it('skips unknown fields of every wire type at every level', () => {
    const input = bytes(
      UNKNOWN,
      str(1, 'u1'),
      UNKNOWN,
      ld(3, UNKNOWN, dense([...Buffer.from(new Float32Array([1, 2]).buffer)], [2], '<f4'), UNKNOWN, str(3, 'torch')),
      ld(18, UNKNOWN, str(1, 'score'), UNKNOWN, ld(2, UNKNOWN, f32(1, 0.5), str(2, 'op'), UNKNOWN)),
      ld(17, UNKNOWN, ld(1, str(1, 'k'), UNKNOWN, ld(2, UNKNOWN, str(3, 'v')))),
      ld(14, UNKNOWN, str(1, 'chunk'), UNKNOWN),
      UNKNOWN,
    );
    const doc = decodeDocument(input);
    assert.equal(doc.id, 'u1');
    assert.deepEqual([...(doc.tensor?.data ?? [])], [1, 2]);
    assert.deepEqual(doc.scores, { score: { value: 0.5, opName: 'op' } });
    assert.deepEqual(doc.tags, { k: 'v' });
    assert.equal(doc.chunks.at(0)?.id, 'chunk');
    const da = decodeDocumentArray(bytes(UNKNOWN, ld(1, str(1, 'a')), UNKNOWN, ld(1, str(1, 'b'))));
    assert.deepEqual(da.ids, ['a', 'b']);
  });

  it('reads big-endian arrays, unpacked shapes and unpacked locations', () => {
    const be = decodeDocument(bytes(ld(3, ld(1, ld(1, f32be([1.5, -2, 3, 4])), vi(2, 2), vi(2, 2), str(3, '>f4')))));
    assert.equal(be.tensor?.dtype, '<f4');
    assert.deepEqual(be.tensor?.shape, [2, 2]);
    assert.deepEqual([...(be.tensor?.data ?? [])], [1.5, -2, 3, 4]);
    const loc = decodeDocument(bytes(f32(13, 1), f32(13, 2), ld(13, [...f32(0, 3).slice(1), ...f32(0, 4).slice(1)])));
    assert.deepEqual(loc.location, [1, 2, 3, 4]);
    // re-encoding writes the canonical form: little-endian, packed
    const again = decodeDocument(encodeDocument(be));
    assert.deepEqual([...(again.tensor?.data ?? [])], [1.5, -2, 3, 4]);
  });

  it('lets the last content field win, as a oneof does', () => {
    const doc = decodeDocument(bytes(str(4, 'text first'), ld(2, [1, 2])));
    assert.equal(doc.contentType, 'blob');
    assert.equal(doc.text, undefined);
  });

  it('throws WEFT_DECODE for every cut of a valid encoding that ends inside a field', () => {
    const doc = new Document({
      id: 'cut',
      text: 'some text',
      embedding: new Float32Array([1, 2, 3]),
      tags: { a: [1, { b: null }] },
      scores: { s: { value: 1, opName: 'o' } },
      chunks: [{ id: 'c', text: 'chunk' }],
      location: [1, 2],
    });
    const full = encodeDocument(doc);
    const boundaries = new Set<number>([0]);
    // top-level field boundaries, from a walk over the keys
    for (let pos = 0; pos < full.length; ) {
      const k = full[pos] as number;
      const keyLen = k >= 0x80 ? 2 : 1;
      const wt = k & 7;
      let p = pos + keyLen;
      if (wt === 5) p += 4;
      else if (wt === 0) while ((full[p++] as number) >= 0x80);
      else {
        let len = 0;
        let shift = 0;
        for (;;) {
          const b = full[p++] as number;
          len += (b & 0x7f) * 2 ** shift;
          shift += 7;
          if (b < 0x80) break;
        }
        p += len;
      }
      pos = p;
      boundaries.add(pos);
    }
    for (let cut = 0; cut < full.length; cut++) {
      const prefix = full.subarray(0, cut);
      if (boundaries.has(cut)) {
        decodeDocument(prefix);
        continue;
      }
      const err = errorOf(() => decodeDocument(prefix));
      assert.equal(err.code, 'WEFT_DECODE', `cut at ${cut}: ${err.message}`);
      assert.match(err.message, /at byte \d+/);
      assert.equal(typeof err.details?.offset, 'number');
    }
  });

  const malformed: [string, Uint8Array, RegExp][] = [
    [
      'a varint longer than 10 bytes',
      bytes(key(5, 0), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
      /DocumentProto\.granularity: varint longer than 10 bytes at byte 1/,
    ],
    ['a truncated varint', bytes(key(6, 0), [0x80, 0x80]), /DocumentProto\.adjacency: truncated varint at byte 1/],
    [
      'a length past the end',
      bytes(key(4, 2), varint(1000), [0x61]),
      /DocumentProto\.text: length 1000 runs past the end/,
    ],
    ['a nested length past its parent', bytes(ld(3, ld(1, [...key(1, 2), 50])), [0, 0]), /runs past the end/],
    ['a truncated float', bytes(key(8, 5), [0, 0]), /DocumentProto\.weight: truncated 4-byte value/],
    [
      'id as a varint',
      bytes(vi(1, 3)),
      /DocumentProto\.id \(field 1\) has wire type varint, expected length-delimited at byte 0/,
    ],
    [
      'weight as a varint',
      bytes(str(1, 'x'), vi(8, 3)),
      /DocumentProto\.weight \(field 8\) has wire type varint, expected fixed32 at byte 3/,
    ],
    ['chunks as fixed32', bytes(f32(14, 1)), /DocumentProto\.chunks.*fixed32, expected length-delimited/],
    ['embedding as fixed64', bytes(key(16, 1), [0, 0, 0, 0, 0, 0, 0, 0]), /DocumentProto\.embedding.*fixed64/],
    ['shape as fixed32', bytes(ld(16, ld(1, f32(2, 1)))), /DenseNdArrayProto\.shape.*fixed32/],
    [
      'score value as a varint',
      bytes(ld(18, str(1, 's'), ld(2, vi(1, 1)))),
      /NamedScoreProto\.value.*varint, expected fixed32/,
    ],
    [
      'a tag value as a varint',
      bytes(ld(17, ld(1, str(1, 'k'), ld(2, vi(3, 1))))),
      /DocumentProto\.tags: Value\.string_value/,
    ],
    ['invalid wire type 6', bytes(str(1, 'x'), key(40, 6)), /invalid wire type 6 \(field 40\) at byte 3/],
    ['invalid wire type 7', bytes(key(40, 7)), /invalid wire type 7/],
    ['field number 0', bytes([0x02, 0x00]), /invalid field number 0/],
    ['docs as a varint in an array', bytes(vi(1, 1)), /DocumentProto\.id/],
  ];
  for (const [name, input, message] of malformed) {
    it(`throws WEFT_DECODE for ${name}`, () => {
      const err = errorOf(() => decodeDocument(input));
      assert.equal(err.code, 'WEFT_DECODE');
      assert.match(err.message, message);
    });
  }

  it('names DocumentArrayProto problems', () => {
    const err = errorOf(() => decodeDocumentArray(bytes(ld(1, str(1, 'ok')), vi(1, 1))));
    assert.equal(err.code, 'WEFT_DECODE');
    assert.match(err.message, /DocumentArrayProto\.docs \(field 1\) has wire type varint/);
    const inner = errorOf(() => DocumentArray.fromBytes(bytes(ld(1, str(1, 'ok')), ld(1, vi(4, 1)))));
    assert.match(inner.message, /DocumentProto\.text/);
  });

  it('refuses runaway nesting', () => {
    let nested: Bytes = str(1, 'bottom');
    for (let i = 0; i < 120; i++) nested = ld(14, nested);
    assert.equal(errorOf(() => decodeDocument(bytes(nested))).code, 'WEFT_DECODE');
  });
});

describe('proto codec: bad arrays and documents', () => {
  const tensor = (buffer: Bytes, shape: number[], dtype: string): Uint8Array =>
    bytes(ld(3, dense(buffer, shape, dtype)));
  const cases: [string, Uint8Array, RegExp][] = [
    ['an unknown dtype', tensor([0, 0, 0, 0], [1], '<x9'), /dtype '<x9' is not supported/],
    ['a buffer that is not whole items', tensor([0, 0, 0, 0, 0], [1], '<f4'), /5 bytes is not a whole number/],
    [
      'a shape that does not match the buffer',
      tensor([0, 0, 0, 0, 0, 0, 0, 0], [3], '<f4'),
      /shape \[3\] needs 3 elements/,
    ],
    ['a sparse array', bytes(ld(16, ld(2, ld(1, [])))), /sparse arrays .* are not supported/],
  ];
  for (const [name, input, message] of cases) {
    it(`throws WEFT_BAD_NDARRAY for ${name}`, () => {
      const err = errorOf(() => decodeDocument(input));
      assert.equal(err.code, 'WEFT_BAD_NDARRAY');
      assert.match(err.message, message);
    });
  }

  it('throws WEFT_BAD_DOCUMENT naming the path of a non-JSON tag or metadata value', () => {
    const values: [unknown, string][] = [
      [() => 1, 'tags.nested.fn'],
      [10n, 'tags.nested.fn'],
      [undefined, 'tags.nested.fn'],
      [Number.NaN, 'tags.nested.fn'],
      [new Date(), 'tags.nested.fn'],
    ];
    for (const [value, path] of values) {
      const doc = new Document({ id: 'x', tags: { ok: 1, nested: { list: [1, 2] } } });
      (doc.tags.nested as Record<string, unknown>).fn = value;
      const err = errorOf(() => encodeDocument(doc));
      assert.equal(err.code, 'WEFT_BAD_DOCUMENT');
      assert.equal(err.details?.field, path);
      assert.match(err.message, /^tags\.nested\.fn is /);
    }
    const listDoc = new Document({ id: 'y', tags: { list: [1] } });
    (listDoc.tags.list as unknown[]).push(Symbol('s'));
    assert.equal(errorOf(() => listDoc.toBytes()).details?.field, 'tags.list[1]');
    const meta = new Document({ id: 'z', metadata: { a: 1 } });
    (meta.metadata as Record<string, unknown>).b = Number.POSITIVE_INFINITY;
    assert.equal(errorOf(() => meta.toBytes()).details?.field, 'metadata.b');
    const chunked = new Document({ id: 'p', chunks: [{ id: 'c', tags: { a: 1 } }] });
    (chunked.chunks.at(0)?.tags as Record<string, unknown>).a = () => 0;
    assert.equal(errorOf(() => chunked.toBytes()).code, 'WEFT_BAD_DOCUMENT');
  });

  it('refuses documents that contain themselves', () => {
    const doc = new Document({ id: 'loop' });
    doc.chunks.push(doc);
    assert.equal(errorOf(() => doc.toBytes()).code, 'WEFT_BAD_DOCUMENT');
  });
});
