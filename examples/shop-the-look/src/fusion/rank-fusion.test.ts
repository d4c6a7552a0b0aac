import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Document } from '@weft-ai/weft';
import { reciprocalRankFusion } from './rank-fusion.js';

const list = (key: string, ids: string[]) =>
  ids.map((id, i) => new Document({ id, tags: { title: id }, scores: { [key]: { value: 1 - i / 10 } } }));

describe('reciprocalRankFusion', () => {
  it('puts what both lists rank high first and keeps both scores', () => {
    const image = list('cosine', ['cap', 'fedora', 'apple']);
    const text = list('bm25', ['fedora', 'sombrero', 'cap']);
    const fused = reciprocalRankFusion([image, text]);
    assert.deepEqual(
      fused.map((d) => d.id),
      ['fedora', 'cap', 'sombrero', 'apple'],
    );
    const fedora = fused[0] as Document;
    assert.ok(fedora.scores.cosine && fedora.scores.bm25 && fedora.scores.rrf);
    assert.equal(fedora.tags.title, 'fedora');
  });

  it('keeps the order of a single list', () => {
    assert.deepEqual(
      reciprocalRankFusion([list('cosine', ['b', 'a', 'c'])]).map((d) => d.id),
      ['b', 'a', 'c'],
    );
    assert.deepEqual(reciprocalRankFusion([]), []);
  });
});
