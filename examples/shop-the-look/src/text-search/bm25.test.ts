import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bm25Index, tokenize } from './bm25.js';

describe('Bm25Index', () => {
  it('folds case, accents and plurals', () => {
    assert.deepEqual(tokenize('Red Hats, Crème brûlée & glass'), ['red', 'hat', 'creme', 'brulee', 'glass']);
  });

  it('ranks the texts holding more and rarer query words first', () => {
    const index = new Bm25Index();
    index.set('fedora', 'Red fedora Hats');
    index.set('cap', 'Baseball cap Hats');
    index.set('apple', 'Red apple Food');
    index.set('shoe', 'Red shoe Shoes');
    const hits = index.search('red hat', 10);
    assert.equal(hits[0]?.id, 'fedora');
    assert.deepEqual(new Set(hits.map((h) => h.id)), new Set(['fedora', 'cap', 'apple', 'shoe']));
    assert.deepEqual(index.search('violin', 10), []);
    assert.deepEqual(
      index.search('red', 10, (id) => id !== 'apple').map((h) => h.id),
      ['fedora', 'shoe'],
    );
  });

  it('replaces and deletes texts', () => {
    const index = new Bm25Index();
    index.set('a', 'blue teapot');
    index.set('a', 'green kettle');
    assert.deepEqual(index.search('teapot', 5), []);
    assert.equal(index.search('kettle', 5)[0]?.id, 'a');
    assert.equal(index.delete('a'), true);
    assert.equal(index.size, 0);
    assert.deepEqual(index.search('kettle', 5), []);
  });
});
