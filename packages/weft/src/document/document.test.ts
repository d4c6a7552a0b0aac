import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Document } from './document.js';
import { DocumentArray } from './document-array.js';
import { NdArray } from './ndarray.js';

function errorOf(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { code?: string; message: string };
  }
  assert.fail('expected an error');
}

describe('Document', () => {
  it('gets a random 32-hex id by default', () => {
    const a = new Document();
    const b = new Document();
    assert.match(a.id, /^[0-9a-f]{32}$/);
    assert.notEqual(a.id, b.id);
  });

  it('accepts typed arrays, number lists and NdArrays for embedding and tensor', () => {
    assert.equal(new Document({ embedding: new Float32Array([1, 2]) }).embedding?.dtype, '<f4');
    assert.equal(new Document({ embedding: [1, 2] }).embedding?.dtype, '<f8');
    assert.equal(new Document({ embedding: new Int32Array([1, 2]) }).embedding?.dtype, '<i4');
    const nd = new NdArray(new Uint8Array(12), [2, 2, 3]);
    assert.equal(new Document({ tensor: nd }).tensor, nd);
    assert.deepEqual(new Document({ tensor: [[1], [2]] }).tensor?.shape, [2, 1]);
  });

  it('holds exactly one content field', () => {
    const e = errorOf(() => new Document({ text: 'a', blob: new Uint8Array(1) }));
    assert.equal(e.code, 'WEFT_BAD_DOCUMENT');
    assert.match(e.message, /text and blob/);
    const d = new Document({ text: 'hi' });
    assert.equal(d.contentType, 'text');
    d.blob = new Uint8Array([1]);
    assert.equal(d.text, undefined);
    assert.equal(d.contentType, 'blob');
    d.tensor = [1, 2];
    assert.equal(d.blob, undefined);
    assert.equal(d.contentType, 'tensor');
    assert.ok(d.content instanceof NdArray);
  });

  it('rejects non-JSON tag values naming the field', () => {
    for (const bad of [() => 1, 10n, undefined, Number.NaN, new Date(), new Map(), Symbol('x')]) {
      const e = errorOf(() => new Document({ tags: { nested: { bad } } as never }));
      assert.equal(e.code, 'WEFT_BAD_DOCUMENT');
      assert.match(e.message, /tags\.nested\.bad/);
    }
    const ok = new Document({ tags: { a: [1, 'x', null, true, { b: 2 }] } });
    assert.deepEqual(ok.tags, { a: [1, 'x', null, true, { b: 2 }] });
  });

  it('validates scalar fields', () => {
    assert.equal(errorOf(() => new Document({ granularity: -1 })).code, 'WEFT_BAD_DOCUMENT');
    assert.equal(errorOf(() => new Document({ weight: Number.POSITIVE_INFINITY })).code, 'WEFT_BAD_DOCUMENT');
    assert.equal(errorOf(() => new Document({ id: 5 as unknown as string })).code, 'WEFT_BAD_DOCUMENT');
    assert.equal(errorOf(() => new Document({ blob: 'x' as unknown as Uint8Array })).code, 'WEFT_BAD_DOCUMENT');
    assert.equal(errorOf(() => new Document({ location: [1, 'a' as unknown as number] })).code, 'WEFT_BAD_DOCUMENT');
    assert.equal(errorOf(() => new Document({ scores: { s: 'x' as unknown as number } })).code, 'WEFT_BAD_DOCUMENT');
  });

  it('normalises scores and nests chunks and matches', () => {
    const d = new Document({
      scores: { cosine: 0.5, rank: { value: 1, opName: 'rank', description: 'd', refId: 'r' } },
      chunks: [{ text: 'c1', chunks: [{ text: 'cc' }] }],
      matches: [new Document({ text: 'm' })],
    });
    assert.deepEqual(d.scores.cosine, { value: 0.5 });
    assert.deepEqual(d.scores.rank, { value: 1, opName: 'rank', description: 'd', refId: 'r' });
    assert.ok(d.chunks instanceof DocumentArray);
    assert.equal(d.chunks.at(0)?.chunks.at(0)?.text, 'cc');
    assert.equal(d.matches.at(0)?.text, 'm');
  });

  it('clone is deep, shallowCopy shares buffers but not scores', () => {
    const d = new Document({ tensor: new Float32Array([1]), tags: { a: { b: 1 } }, scores: { s: 1 }, chunks: [{}] });
    const c = d.clone();
    assert.equal(c.id, d.id);
    assert.notEqual(c.tensor?.data.buffer, d.tensor?.data.buffer);
    (c.tags.a as { b: number }).b = 2;
    assert.equal((d.tags.a as { b: number }).b, 1);
    const s = d.shallowCopy();
    assert.equal(s.tensor, d.tensor);
    s.scores.x = { value: 2 };
    assert.equal(d.scores.x, undefined);
  });
});
