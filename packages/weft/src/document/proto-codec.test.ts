import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Document } from './document.js';
import { DocumentArray } from './document-array.js';
import { NdArray } from './ndarray.js';
import { decodeDocument, decodeDocumentArray, encodeDocument, encodeDocumentArray } from './proto-codec.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Decode, then check re-encoding gives the very same bytes. */
function roundTrip(doc: Document): Document {
  const bytes = encodeDocument(doc);
  const back = decodeDocument(bytes);
  assert.equal(hex(encodeDocument(back)), hex(bytes), 'bytes -> doc -> bytes must be byte-identical');
  return back;
}

function leaf(id: string, depth: number): Document {
  const d = new Document({ id, text: `${id} at depth ${depth}` });
  if (depth < 3) {
    d.chunks = [leaf(`${id}.c0`, depth + 1), leaf(`${id}.c1`, depth + 1)];
    d.matches = [leaf(`${id}.m0`, depth + 1)];
    d.granularity = depth;
    d.adjacency = depth;
    d.parentId = id.split('.').slice(0, -1).join('.') || undefined;
  }
  return d;
}

function fullDocument(): Document {
  return new Document({
    id: 'doc-1',
    text: 'héllo wörld 🎉',
    embedding: new Float32Array([0.5, -1.25, 3, 1e-3]),
    uri: 'https://example.com/a.txt',
    mimeType: 'text/plain',
    modality: 'text',
    tags: {
      price: 12.5,
      count: 3,
      negative: -7,
      ok: true,
      off: false,
      nothing: null,
      name: 'x',
      nested: { list: [1, 'two', null, [true, { deep: 'yes' }]], empty: {} },
      emptyList: [],
    },
    chunks: [leaf('c', 1)],
    matches: [leaf('m', 1)],
    scores: {
      cosine: { value: 0.75, opName: 'cosine', description: 'similarity', refId: 'query-1' },
      zero: { value: 0 },
      euclid: { value: 2.5, opName: 'euclidean' },
    },
    evaluations: { precision: { value: 0.25, opName: 'precision@10', description: 'top 10', refId: 'gt' } },
    parentId: 'parent-9',
    granularity: 1,
    adjacency: 4294967295,
    weight: 0.5,
    offset: 3,
    location: [1, 2.5, -3, 0],
    metadata: { _source: 'test', version: 2 },
  });
}

describe('proto codec: round trips', () => {
  it('keeps every Document field', () => {
    const doc = fullDocument();
    const back = roundTrip(doc);
    assert.equal(back.id, 'doc-1');
    assert.equal(back.text, 'héllo wörld 🎉');
    assert.equal(back.contentType, 'text');
    assert.equal(back.uri, doc.uri);
    assert.equal(back.mimeType, 'text/plain');
    assert.equal(back.modality, 'text');
    assert.equal(back.parentId, 'parent-9');
    assert.equal(back.granularity, 1);
    assert.equal(back.adjacency, 4294967295);
    assert.equal(back.weight, 0.5);
    assert.equal(back.offset, 3);
    assert.deepEqual(back.location, [1, 2.5, -3, 0]);
    assert.deepEqual(back.tags, doc.tags);
    assert.deepEqual(Object.keys(back.tags), Object.keys(doc.tags));
    assert.deepEqual(back.metadata, { _source: 'test', version: 2 });
    assert.deepEqual(back.scores, {
      cosine: { value: 0.75, opName: 'cosine', description: 'similarity', refId: 'query-1' },
      zero: { value: 0 },
      euclid: { value: 2.5, opName: 'euclidean' },
    });
    assert.deepEqual(Object.keys(back.scores), ['cosine', 'zero', 'euclid']);
    assert.deepEqual(back.evaluations, doc.evaluations);
    assert.ok(back.embedding?.equals(doc.embedding as NdArray));
    assert.deepEqual([...(back.embedding?.data ?? [])], [0.5, -1.25, 3, Math.fround(1e-3)]);
  });

  it('keeps chunks and matches nested three levels deep', () => {
    const doc = leaf('root', 0);
    const back = roundTrip(doc);
    const walk = (a: Document, b: Document): void => {
      assert.equal(b.id, a.id);
      assert.equal(b.text, a.text);
      assert.equal(b.parentId, a.parentId);
      assert.equal(b.granularity, a.granularity || undefined);
      assert.equal(b.chunkCount, a.chunkCount);
      assert.equal(b.matchCount, a.matchCount);
      for (let i = 0; i < a.chunkCount; i++) walk(a.chunks.at(i) as Document, b.chunks.at(i) as Document);
      for (let i = 0; i < a.matchCount; i++) walk(a.matches.at(i) as Document, b.matches.at(i) as Document);
    };
    walk(doc, back);
    assert.equal(back.chunks.at(1)?.matches.at(0)?.chunks.at(0)?.id, 'root.c1.m0.c0');
  });

  it('round-trips blob content, empty content included (a set oneof member is always written)', () => {
    const blob = roundTrip(new Document({ id: 'b', blob: new Uint8Array([0, 1, 2, 255]) }));
    assert.deepEqual([...(blob.blob ?? [])], [0, 1, 2, 255]);
    assert.equal(blob.contentType, 'blob');
    assert.equal(hex(encodeDocument(new Document({ id: 'e', text: '' }))), '0a01652200');
    assert.equal(roundTrip(new Document({ id: 'e', text: '' })).text, '');
    assert.equal(roundTrip(new Document({ id: 'e', blob: new Uint8Array(0) })).blob?.length, 0);
  });

  it('leaves proto3 defaults out', () => {
    const doc = new Document({
      id: 'x',
      weight: 0,
      offset: 0,
      granularity: 0,
      uri: '',
      location: [],
      tags: {},
      metadata: {},
    });
    assert.equal(hex(encodeDocument(doc)), '0a0178');
    const back = decodeDocument(encodeDocument(doc));
    assert.equal(back.weight, undefined);
    assert.equal(back.hasTags, false);
    assert.equal(back.metadata, undefined);
    assert.equal(back.contentType, undefined);
    assert.equal(hex(encodeDocument(new Document({ id: '' }))), '');
    assert.equal(decodeDocument(new Uint8Array(0)).id, '');
  });

  it('stores weight, offset, location and score values as 32-bit floats', () => {
    const back = roundTrip(new Document({ id: 'f', weight: 0.1, offset: 1 / 3, location: [0.2], scores: { s: 0.3 } }));
    assert.equal(back.weight, Math.fround(0.1));
    assert.equal(back.offset, Math.fround(1 / 3));
    assert.deepEqual(back.location, [Math.fround(0.2)]);
    assert.equal(back.scores.s?.value, Math.fround(0.3));
  });

  it('round-trips tensors of many dtypes and shapes', () => {
    const arrays: [NdArray, string][] = [
      [new NdArray(new Float32Array([1.5, -2, 3, 4, 5, 6]), [2, 3]), '<f4'],
      [
        new NdArray(
          new Float64Array(24).map((_, i) => i / 7),
          [2, 3, 4],
        ),
        '<f8',
      ],
      [new NdArray(new Uint8Array([0, 127, 255, 1]), [2, 2]), '|u1'],
      [new NdArray(new BigInt64Array([-(2n ** 62n), 0n, 42n]), [3]), '<i8'],
      [new NdArray(new Int32Array([-1, 2, -3, 4]), [1, 4]), '<i4'],
      [new NdArray(new Uint16Array([65535, 1]), [2]), '<u2'],
      [new NdArray(new Int8Array([-128, 127]), [2, 1]), '|i1'],
      [new NdArray(new Float32Array(0), [0, 3]), '<f4'],
      [new NdArray(new Float64Array([7]), []), '<f8'],
    ];
    for (const [nd, dtype] of arrays) {
      const back = roundTrip(new Document({ id: 't', tensor: nd, embedding: nd }));
      for (const got of [back.tensor, back.embedding]) {
        assert.ok(got, dtype);
        assert.equal(got.dtype, dtype);
        assert.deepEqual(got.shape, nd.shape);
        assert.equal(got.data.constructor, nd.data.constructor);
        assert.deepEqual(
          [...(got.data as ArrayLike<unknown> as unknown[])],
          [...(nd.data as ArrayLike<unknown> as unknown[])],
        );
      }
      assert.equal(back.contentType, 'tensor');
    }
  });

  it('views aligned array bytes of the input without copying, and copies unaligned ones', () => {
    const embedding = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const encoded = encodeDocument(new Document({ id: 'z', embedding }));
    const raw = new Uint8Array(embedding.buffer);
    const at = Buffer.from(encoded).indexOf(Buffer.from(raw));
    assert.ok(at > 0);
    for (const shift of [0, 1, 2, 3]) {
      const backing = new ArrayBuffer(encoded.length + 8);
      const start = shift + ((4 - ((at + shift) % 4)) % 4);
      const input = new Uint8Array(backing, start, encoded.length);
      input.set(encoded);
      const e = decodeDocument(input).embedding as NdArray<Float32Array>;
      assert.deepEqual([...e.data], [...embedding]);
      assert.equal(e.data.buffer, backing, 'aligned float bytes are a view of the input');
      assert.equal(e.data.byteOffset, start + at);
      const unaligned = new Uint8Array(new ArrayBuffer(encoded.length + 8), start + 1, encoded.length);
      unaligned.set(encoded);
      const copied = decodeDocument(unaligned).embedding as NdArray<Float32Array>;
      assert.notEqual(copied.data.buffer, unaligned.buffer);
      assert.deepEqual([...copied.data], [...embedding]);
    }
  });

  it('decodes from Node Buffers at any offset, handing out plain Uint8Array views', () => {
    const da = new DocumentArray(
      [0, 1, 2, 3, 4, 5].map((i) => ({ id: 'x'.repeat(i), embedding: new Float64Array([i, -i, 0.5]), tags: { i } })),
    );
    da.push(new Document({ id: 'blob', blob: new Uint8Array([4, 5, 6]) }));
    const encoded = encodeDocumentArray(da);
    for (let shift = 0; shift < 8; shift++) {
      const pool = Buffer.alloc(encoded.length + 16);
      const input = pool.subarray(shift, shift + encoded.length);
      input.set(encoded);
      const back = decodeDocumentArray(input);
      for (let i = 0; i < 6; i++) assert.deepEqual([...(back.at(i)?.embedding?.data ?? [])], [i, -i, 0.5]);
      const blob = back.at(6)?.blob as Uint8Array;
      assert.equal(blob.constructor, Uint8Array);
      assert.equal(blob.buffer, pool.buffer, 'blob is a view of the input');
      assert.equal(hex(encodeDocumentArray(back)), hex(encoded));
    }
  });

  it('round-trips DocumentArrays, empty ones included', () => {
    const da = new DocumentArray([
      fullDocument(),
      new Document({ id: 'two', blob: new Uint8Array([9]) }),
      new Document({ id: '3' }),
    ]);
    const bytes = encodeDocumentArray(da);
    const back = decodeDocumentArray(bytes);
    assert.deepEqual(back.ids, ['doc-1', 'two', '3']);
    assert.equal(hex(encodeDocumentArray(back)), hex(bytes));
    assert.equal(back.at(1)?.blob?.[0], 9);
    assert.equal(da.toBytes().length, bytes.length);
    assert.equal(DocumentArray.fromBytes(bytes).length, 3);
    assert.equal(encodeDocumentArray(new DocumentArray()).length, 0);
    assert.equal(decodeDocumentArray(new Uint8Array(0)).length, 0);
  });

  it('writes fields in field-number order with the documented tags', () => {
    const doc = new Document({
      id: 'a',
      text: 'b',
      granularity: 1,
      weight: 1,
      embedding: new Uint8Array([7]),
      tags: { k: true },
    });
    // id=1 'a', text=4 'b', granularity=5 1, weight=8 1.0f, embedding=16 {dense{buffer,shape,dtype}, cls_name}, tags=17
    assert.equal(
      hex(encodeDocument(doc)),
      '0a0161' +
        '220162' +
        '2801' +
        '450000803f' +
        '820114' +
        '0a0b' +
        '0a0107' +
        '120101' +
        '1a037c7531' +
        '1a056e756d7079' +
        '8a0109' +
        '0a07' +
        '0a016b' +
        '12022001',
    );
  });
});
