import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Document } from './document.js';
import { DocumentArray } from './document-array.js';

describe('reduce (Jina join rules)', () => {
  it('keeps the first array order and appends unknown documents', () => {
    const left = new DocumentArray([{ id: 'a' }, { id: 'b' }]);
    const right = new DocumentArray([{ id: 'c' }, { id: 'b' }, { id: 'd' }]);
    left.reduce(right);
    assert.deepEqual(left.ids, ['a', 'b', 'c', 'd']);
  });

  it('unions matches and chunks by id, recursively', () => {
    const d1 = new Document({
      id: 'r',
      matches: [{ id: 'm0', tags: { from: 'left' } }, { id: 'm2' }],
      chunks: [{ id: 'c0', matches: [{ id: 'cm0' }] }, { id: 'c1' }],
    });
    const d2 = new Document({
      id: 'r',
      matches: [{ id: 'm0', tags: { from: 'right' } }, { id: 'm1' }],
      chunks: [{ id: 'c0', matches: [{ id: 'cm1' }] }, { id: 'c2' }],
    });
    const left = new DocumentArray([d1]);
    left.reduce(new DocumentArray([d2]));
    const r = left.get('r') as Document;
    assert.deepEqual(r.matches.ids, ['m0', 'm2', 'm1']);
    assert.deepEqual(r.matches.get('m0')?.tags, { from: 'left' });
    assert.deepEqual(r.chunks.ids, ['c0', 'c1', 'c2']);
    assert.deepEqual(r.chunks.get('c0')?.matches.ids, ['cm0', 'cm1']);
  });

  it('fills empty fields from the right, the left wins when set', () => {
    const left = new DocumentArray([{ id: 'x', text: 'left', tags: { a: 1 }, weight: 2 }]);
    const right = new DocumentArray([
      {
        id: 'x',
        blob: new Uint8Array([1]),
        embedding: [1, 2],
        tags: { b: 2 },
        weight: 5,
        uri: 'u',
        mimeType: 'text/plain',
        scores: { s: 1 },
        parentId: 'p',
        location: [1],
        offset: 3,
      },
    ]);
    left.reduce(right);
    const d = left.get('x') as Document;
    assert.equal(d.text, 'left');
    assert.equal(d.blob, undefined);
    assert.deepEqual(d.tags, { a: 1 });
    assert.equal(d.weight, 2);
    assert.deepEqual(Array.from(d.embedding?.data as Float64Array), [1, 2]);
    assert.equal(d.uri, 'u');
    assert.equal(d.mimeType, 'text/plain');
    assert.deepEqual(d.scores, { s: { value: 1 } });
    assert.equal(d.parentId, undefined);
    assert.deepEqual(d.location, [1]);
    assert.equal(d.offset, 3);
  });

  it('takes content from the right when the left has none', () => {
    const left = new DocumentArray([{ id: 'x' }]);
    left.reduce(new DocumentArray([{ id: 'x', tensor: [1] }]));
    assert.equal(left.get('x')?.contentType, 'tensor');
  });

  it('reduceAll merges several arrays left to right', () => {
    const base = new DocumentArray([{ id: 'q', matches: [{ id: 's0-1' }] }]);
    base.reduceAll([
      new DocumentArray([{ id: 'q', matches: [{ id: 's1-1' }] }]),
      new DocumentArray([{ id: 'q', matches: [{ id: 's2-1' }] }, { id: 'other' }]),
    ]);
    assert.deepEqual(base.get('q')?.matches.ids, ['s0-1', 's1-1', 's2-1']);
    assert.deepEqual(base.ids, ['q', 'other']);
  });
});
