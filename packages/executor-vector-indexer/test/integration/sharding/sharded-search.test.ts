// VectorIndexer behind weft's Deployment with three shards, each its own OS process behind a head: /index polled
// ANY spreads the documents over the shards, /search polled ALL asks every shard and the head merges their
// answers. The merged answer must be what one unsharded index gives: the exact top-`limit` (every shard holds
// 1,000 32-d vectors, under the brute-force threshold, so each shard's answer is exact), best first, with the
// same scores. Checked for a distance (cosine, ascending) and a similarity (ip, descending).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Deployment, type Document, DocumentArray, type JsonObject } from '@weft-ai/weft';
import { clustered, docsOf, type Opened, openIndexer, tempWorkspace } from '../../fixtures/indexer-fixtures.js';

const N = 3000;
const DIM = 32;
const SHARDS = 3;
const vectors = clustered(N, DIM, 601);
const queryVectors = clustered(40, DIM, 602);
const queries = () => new DocumentArray(queryVectors.map((embedding, i) => ({ id: `q${i}`, embedding })));

for (const metric of ['cosine', 'ip'] as const) {
  describe(`VectorIndexer with ${SHARDS} shards (${metric})`, () => {
    const ws = tempWorkspace(`weft-vi-shards-${metric}-`);
    const dep = new Deployment({
      uses: 'VectorIndexer',
      name: 'indexer',
      shards: SHARDS,
      polling: { '/index': 'ANY', '/search': 'ALL', '*': 'ALL' },
      usesWith: { metric },
      workspace: `${ws.dir}/sharded`,
    });
    let single: Opened;
    /** Exact ground truth: weft's own brute-force matcher over every document. */
    const truth = (limit: number) =>
      queries().match(new DocumentArray(docsOf(vectors)), { metric: metric === 'ip' ? 'dot' : 'cosine', limit });

    before(async () => {
      await dep.start();
      single = openIndexer(`${ws.dir}/single`, { metric });
      const all = docsOf(vectors);
      // 30 requests of 100: polling ANY hands them to the shards round robin
      for (let at = 0; at < N; at += 100) await dep.request('/index', all.slice(at, at + 100));
      await single.call('/index', all);
    });
    after(async () => {
      await dep.close();
      await single?.close();
      ws.cleanup();
    });

    it('spreads /index over every shard, and /count polled on ALL adds up', async () => {
      const res = await dep.request('/count');
      const perShard = res.parameters.__results__ as Record<string, { count: number }>;
      assert.deepEqual(Object.keys(perShard).sort(), [
        'indexer/shard-0/rep-0',
        'indexer/shard-1/rep-0',
        'indexer/shard-2/rep-0',
      ]);
      const counts = Object.values(perShard).map((r) => r.count);
      for (const c of counts) assert.ok(c > 0, `every shard holds documents: ${counts}`);
      assert.equal(
        counts.reduce((a, b) => a + b, 0),
        N,
      );
    });

    for (const limit of [10, 37]) {
      it(`/search with limit ${limit} answers the global top-${limit}, best first, as one unsharded index`, async () => {
        const merged = await dep.post('/search', queries(), { parameters: { limit } });
        const reference = queries();
        await single.call('/search', reference, { limit });
        const exact = truth(limit);
        const sign = metric === 'ip' ? -1 : 1;
        assert.equal(merged.length, queryVectors.length);
        merged.forEach((q, i) => {
          const want = reference.at(i) as Document;
          assert.equal(q.id, want.id);
          assert.equal(q.matchCount, limit, `query ${q.id}: limit respected`);
          assert.deepEqual(q.matches.ids, want.matches.ids, `query ${q.id}: same ids as the unsharded index`);
          assert.deepEqual(q.matches.ids, exact.at(i)?.matches.ids, `query ${q.id}: the exact top-${limit}`);
          const scores = q.matches.map((m) => m.scores[metric]?.value as number);
          for (let j = 1; j < scores.length; j++) {
            assert.ok(sign * ((scores[j] as number) - (scores[j - 1] as number)) >= 0, `query ${q.id}: best first`);
          }
          want.matches.forEach((m, j) => {
            // scores cross the wire as NamedScoreProto.value, a float32
            assert.equal(scores[j], Math.fround(m.scores[metric]?.value as number), `query ${q.id}: same score`);
          });
        });
      });
    }

    it('keeps the shards’ matches merged and sorted when no limit is given (the head cannot know the default)', async () => {
      const merged = await dep.post('/search', queries().slice(0, 3));
      const exact = truth(SHARDS * 10);
      merged.forEach((q, i) => {
        assert.equal(q.matchCount, SHARDS * 10, 'each shard answered its default top-10');
        assert.deepEqual(q.matches.ids.slice(0, 10), exact.at(i)?.matches.ids.slice(0, 10));
      });
    });

    it('honours an executor-specific limit and a filter across shards', async () => {
      const parameters: JsonObject = { indexer__limit: 5, filter: { tags__parity: 'even' } };
      const merged = await dep.post('/search', queries().slice(0, 5), { parameters });
      const reference = queries().slice(0, 5);
      await single.call('/search', reference, { limit: 5, filter: { tags__parity: 'even' } });
      merged.forEach((q, i) => {
        assert.deepEqual(q.matches.ids, reference.at(i)?.matches.ids);
        for (const m of q.matches) assert.equal(m.tags.parity, 'even');
      });
    });
  });
}
