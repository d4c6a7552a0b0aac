import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Document } from './document.js';
import { DocumentArray } from './document-array.js';
import { NdArray } from './ndarray.js';

describe('DocumentArray', () => {
  it('is iterable and indexable', () => {
    const da = new DocumentArray([{ id: 'a', text: 'x' }, { id: 'b', text: 'y' }, new Document({ id: 'c' })]);
    assert.equal(da.length, 3);
    assert.deepEqual(
      [...da].map((d) => d.id),
      ['a', 'b', 'c'],
    );
    assert.equal(da.at(0)?.id, 'a');
    assert.equal(da.at(-1)?.id, 'c');
    assert.equal(da.get('b')?.text, 'y');
    assert.equal(da.get('zzz'), undefined);
    assert.deepEqual(da.ids, ['a', 'b', 'c']);
    assert.deepEqual(da.slice(1).ids, ['b', 'c']);
    assert.deepEqual(da.filter((d) => d.text !== undefined).ids, ['a', 'b']);
    assert.deepEqual(
      da.map((d) => d.id.toUpperCase()),
      ['A', 'B', 'C'],
    );
  });

  it('keeps its id index right through pushes, removals and id changes', () => {
    const da = DocumentArray.empty(3);
    assert.equal(da.length, 3);
    const first = da.at(0) as Document;
    assert.equal(da.indexOf(first.id), 0);
    da.push({ id: 'new' });
    assert.equal(da.indexOf('new'), 3);
    first.id = 'renamed';
    assert.equal(da.indexOf('renamed'), 0);
    assert.ok(da.remove('renamed'));
    assert.equal(da.indexOf('new'), 2);
    da.set(0, { id: 'zero' });
    assert.equal(da.get('zero')?.id, 'zero');
  });

  it('has bulk texts and embeddings views', () => {
    const da = new DocumentArray([
      { text: 'a', embedding: new Float32Array([1, 2]) },
      { text: 'b', embedding: new Float32Array([3, 4]) },
    ]);
    assert.deepEqual(da.texts, ['a', 'b']);
    da.texts = ['x', 'y'];
    assert.deepEqual(da.texts, ['x', 'y']);
    const e = da.embeddings;
    assert.deepEqual(e.shape, [2, 2]);
    assert.equal(e.dtype, '<f4');
    assert.deepEqual(Array.from(e.data as Float32Array), [1, 2, 3, 4]);
    da.embeddings = new NdArray(new Float32Array([5, 6, 7, 8]), [2, 2]);
    assert.deepEqual(Array.from(da.at(1)?.embedding?.data as Float32Array), [7, 8]);
    assert.throws(
      () => new DocumentArray([{ embedding: [1] }, {}]).embeddings,
      (e: { code: string; message: string }) => e.code === 'WEFT_BAD_ARGUMENT' && /document 1/.test(e.message),
    );
    assert.throws(() => (da.texts = ['one']), { code: 'WEFT_BAD_ARGUMENT' });
  });

  it('batches', () => {
    const da = DocumentArray.empty(7);
    const sizes = [...da.batch(3)].map((b) => b.length);
    assert.deepEqual(sizes, [3, 3, 1]);
    assert.throws(() => [...da.batch(0)], { code: 'WEFT_BAD_ARGUMENT' });
  });

  it('rejects non-iterables', () => {
    assert.throws(() => DocumentArray.from(5 as never), { code: 'WEFT_BAD_DOCUMENT' });
  });
});
