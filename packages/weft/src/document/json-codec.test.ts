import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Document } from './document.js';
import { DocumentArray } from './document-array.js';
import { NdArray } from './ndarray.js';

function fullDocument(): Document {
  return new Document({
    id: 'd1',
    text: 'hello',
    embedding: [0.1, 0.2, 0.3],
    uri: 'file:///x.jpg',
    mimeType: 'image/jpeg',
    modality: 'image',
    tags: { price: 5, nested: { list: [1, 'a', null, true] } },
    chunks: [{ id: 'c1', text: 'chunk', chunks: [{ id: 'cc1', tensor: [[1, 2]] }] }],
    matches: [{ id: 'm1', blob: new Uint8Array([0, 1, 255]), scores: { cosine: 0.25 } }],
    scores: { s: { value: 0.5, opName: 'op', description: 'desc', refId: 'ref' } },
    evaluations: { e: { value: 1, opName: 'eval' } },
    parentId: 'p',
    granularity: 1,
    adjacency: 2,
    weight: 0.1,
    offset: 3.5,
    location: [1, 2.5],
    metadata: { k: 'v' },
  });
}

describe('JSON codec (Jina JSON document shape)', () => {
  it('writes snake_case keys, nested lists and base64 blobs', () => {
    const j = fullDocument().toJSON();
    assert.equal(j.mime_type, 'image/jpeg');
    assert.equal(j.parent_id, 'p');
    assert.deepEqual(j.embedding, [0.1, 0.2, 0.3]);
    assert.deepEqual(j.chunks?.[0]?.chunks?.[0]?.tensor, [[1, 2]]);
    assert.equal(j.matches?.[0]?.blob, 'AAH/');
    assert.deepEqual(j.scores, { s: { value: 0.5, op_name: 'op', description: 'desc', ref_id: 'ref' } });
    assert.deepEqual(j._metadata, { k: 'v' });
  });

  it('round trips every field json → doc → json deterministically', () => {
    const j1 = JSON.parse(JSON.stringify(fullDocument().toJSON()));
    const j2 = Document.fromJSON(j1).toJSON();
    assert.deepEqual(JSON.parse(JSON.stringify(j2)), j1);
    const text = JSON.stringify(j1);
    assert.equal(JSON.stringify(Document.fromJSON(text).toJSON()), text);
  });

  it('keeps float32 values exact (as float64 numbers) and accepts { buffer, shape, dtype }', () => {
    const d = new Document({ embedding: new Float32Array([0.1]) });
    const j = d.toJSON();
    assert.deepEqual(j.embedding, [Math.fround(0.1)]);
    const raw = Buffer.from(new Float32Array([1.5, 2.5]).buffer).toString('base64');
    const back = Document.fromJSON({ embedding: { buffer: raw, shape: [2], dtype: '<f4' } });
    assert.equal(back.embedding?.dtype, '<f4');
    assert.deepEqual(Array.from(back.embedding?.data as Float32Array), [1.5, 2.5]);
  });

  it('accepts camelCase keys and nulls', () => {
    const d = Document.fromJSON({
      mimeType: 'text/plain',
      parentId: 'x',
      text: null,
      scores: { a: { value: 1, opName: 'o' } },
    } as never);
    assert.equal(d.mimeType, 'text/plain');
    assert.equal(d.parentId, 'x');
    assert.equal(d.text, undefined);
    assert.equal(d.scores.a?.opName, 'o');
  });

  it('DocumentArray round trips', () => {
    const da = new DocumentArray([fullDocument(), new Document({ id: 'd2', text: 'two' })]);
    const back = DocumentArray.fromJSON(JSON.stringify(da.toJSON()));
    assert.deepEqual(back.ids, ['d1', 'd2']);
    assert.deepEqual(back.toJSON(), da.toJSON());
  });

  it('names the field in errors', () => {
    const cases: [unknown, RegExp, string][] = [
      [[{ text: 1 }], /docs\[0\].*text/, 'WEFT_BAD_DOCUMENT'],
      [[{ blob: '@@' }], /docs\[0\]\.blob must be a base64 string/, 'WEFT_BAD_DOCUMENT'],
      [[{}, { tensor: [[1], [2, 3]] }], /docs\[1\]\.tensor.*ragged/, 'WEFT_BAD_DOCUMENT'],
      [
        [{ chunks: [{ colour: 'red' }] }],
        /docs\[0\]\.chunks\[0\]\.colour is not a Document field/,
        'WEFT_BAD_DOCUMENT',
      ],
      [[{ text: 'a', tensor: [1] }], /docs\[0\].*mutually exclusive/, 'WEFT_BAD_DOCUMENT'],
      [{ not: 'a list' }, /docs must be a list/, 'WEFT_BAD_DOCUMENT'],
      [[{ embedding: { buffer: 'AAAA', shape: [2], dtype: '<f4' } }], /docs\[0\]\.embedding/, 'WEFT_BAD_DOCUMENT'],
    ];
    for (const [input, message, code] of cases) {
      assert.throws(
        () => DocumentArray.fromJSON(input as never),
        (e: { code: string; message: string }) => e.code === code && message.test(e.message),
        `${JSON.stringify(input)} should fail with ${message}`,
      );
    }
    assert.throws(() => DocumentArray.fromJSON('[{'), { code: 'WEFT_DECODE' });
  });

  it('ignores private keys for forward compatibility', () => {
    assert.equal(Document.fromJSON({ text: 'a', _future: 1 }).text, 'a');
    assert.ok(new NdArray([1]).equals(Document.fromJSON({ tensor: [1] }).tensor as NdArray));
  });
});
