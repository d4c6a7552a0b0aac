import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Document, NdArray } from '@weft-ai/weft';
import { MatchReader } from './match-reader.js';
import { encodeRecord, HEADER, recordDocument } from './record.js';
import { recordLayout } from './record-layout.js';

const fields = { storeBlobs: true, storeChunks: true };
const doc = (init: ConstructorParameters<typeof Document>[0]): Document =>
  new Document({ id: 'a', text: 'hello', tags: { color: 'red', n: 3 }, uri: 'file://a.jpg', ...init });

/** A record as LMDB hands it to search: inside a longer buffer that the next read overwrites. */
function reused(record: Uint8Array): { bytes: Uint8Array; overwrite: () => void } {
  const buf = new Uint8Array(record.byteLength + 13);
  buf.set(record, 5);
  const bytes = buf.subarray(5);
  return { bytes, overwrite: () => buf.fill(0xee) };
}

/** The record layout before the embedding went last: header + the document's bytes in field order. */
function oldRecord(d: Document, key: number): Uint8Array {
  const body = d.toBytes();
  const out = new Uint8Array(HEADER + body.byteLength);
  new DataView(out.buffer).setFloat64(0, key, true);
  out.set(body, HEADER);
  return out;
}

const valuesOf = (m: { values: ArrayLike<number>; at: number }, n: number): number[] =>
  Array.from({ length: n }, (_, i) => m.values[m.at + i] as number);

describe('MatchReader', () => {
  it('reads a float32 record without decoding its embedding, and keeps nothing of the reused buffer', () => {
    const e = new Float32Array([0.5, -1.25, 3, 1e-3]);
    const record = encodeRecord(doc({ embedding: e }), 42, fields);
    const layout = recordLayout(record, record.byteLength, HEADER);
    assert.ok(layout && layout.bodyEnd > HEADER, 'the embedding is the last field');
    assert.equal(layout.dtype, '<f4');
    const { bytes, overwrite } = reused(record);
    const reader = new MatchReader();
    assert.equal(reader.key(bytes), 42);
    const m = reader.read(bytes, record.byteLength);
    overwrite();
    assert.equal(m.doc.embedding, undefined);
    assert.deepEqual(valuesOf(m, 4), Array.from(e));
    assert.equal(m.doc.id, 'a');
    assert.equal(m.doc.text, 'hello');
    assert.deepEqual(m.doc.tags, { color: 'red', n: 3 });
    assert.equal(m.doc.uri, 'file://a.jpg');
    // the full decode of the new layout is the document as stored, embedding included
    assert.deepEqual(Array.from((recordDocument(record).embedding?.data ?? []) as Float32Array), Array.from(e));
  });

  it('reads float64 values raw, and decodes other dtypes in full', () => {
    const f8 = encodeRecord(doc({ embedding: new NdArray(new Float64Array([1.5, 2.25]), [2]) }), 1, fields);
    const r8 = new MatchReader().read(f8, f8.byteLength);
    assert.deepEqual(valuesOf(r8, 2), [1.5, 2.25]);
    assert.equal(r8.doc.embedding, undefined);
    const f2 = encodeRecord(
      doc({ embedding: NdArray.fromBytes(new Uint8Array([0, 0x3c, 0, 0xc0]), [2], '<f2') }),
      1,
      fields,
    );
    const r2 = new MatchReader().read(f2, f2.byteLength);
    assert.deepEqual(valuesOf(r2, 2), [1, -2]);
  });

  it('decodes records of the older layout, and records with stored blobs or chunks, from a copy', () => {
    const e = new Float32Array([1, 2, 3]);
    for (const [name, record] of [
      ['older layout', oldRecord(doc({ embedding: e }), 7)],
      ['blob', encodeRecord(doc({ text: undefined, blob: new Uint8Array([9, 8, 7]), embedding: e }), 7, fields)],
      ['chunks', encodeRecord(doc({ embedding: e, chunks: [{ id: 'c', text: 'chunk', embedding: e }] }), 7, fields)],
    ] as const) {
      const { bytes, overwrite } = reused(record);
      const reader = new MatchReader();
      assert.equal(reader.key(bytes), 7, name);
      const m = reader.read(bytes, record.byteLength);
      overwrite();
      assert.deepEqual(valuesOf(m, 3), [1, 2, 3], name);
      assert.deepEqual(m.doc.tags, { color: 'red', n: 3 }, name);
      if (name === 'blob') assert.deepEqual(Array.from(m.doc.blob ?? []), [9, 8, 7]);
      if (name === 'chunks') assert.equal(m.doc.chunks.at(0)?.text, 'chunk');
    }
  });

  it('decodes embeddings when asked for them', () => {
    const e = new Float32Array([4, 5]);
    const record = encodeRecord(doc({ embedding: e }), 3, fields);
    const { bytes, overwrite } = reused(record);
    const m = new MatchReader().read(bytes, record.byteLength, true);
    overwrite();
    assert.deepEqual(Array.from((m.doc.embedding?.data ?? []) as Float32Array), [4, 5]);
    assert.deepEqual(valuesOf(m, 2), [4, 5]);
  });

  it('keeps values of earlier matches when its arena fills up', () => {
    const reader = new MatchReader();
    const reads = Array.from({ length: 3000 }, (_, i) => {
      const record = encodeRecord(doc({ embedding: new Float32Array([i, -i, i / 2]) }), i, fields);
      return reader.read(record, record.byteLength);
    });
    for (const [i, m] of reads.entries()) assert.deepEqual(valuesOf(m, 3), [i, -i, i / 2]);
  });

  it('reuses its arena after reset()', () => {
    const reader = new MatchReader();
    const read = (v: number) => {
      const record = encodeRecord(doc({ embedding: new Float32Array([v, v]) }), 1, fields);
      return reader.read(record, record.byteLength);
    };
    const first = read(1);
    reader.reset();
    const second = read(2);
    assert.equal(second.values, first.values);
    assert.equal(second.at, first.at);
    assert.deepEqual(valuesOf(second, 2), [2, 2]);
  });

  it('finds no layout in bytes that are not a record (the reader then decodes, and reports the damage)', () => {
    const junk = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0x82, 0x01, 0x7f]);
    assert.equal(recordLayout(junk, junk.byteLength, HEADER), undefined);
    assert.throws(() => new MatchReader().read(junk, junk.byteLength), { code: 'WEFT_DECODE' });
  });
});
