// Sharded search, simulated in one process: two indexers with different shardIds stand for the shards, the
// DocumentArray reduce stands for the head's polling-ALL merge. (The multi-process version through weft's
// Deployment belongs in test/integration once Deployment lands.)
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Document, DocumentArray } from 'weft';
import { clustered, docsOf, type Opened, openIndexer, tempWorkspace } from '../test/fixtures/indexer-fixtures.js';
import { mergeShardMatches, shardOf } from './index.js';

const ws = tempWorkspace();
after(ws.cleanup);

const vectors = clustered(1200, 12, 21);
const queries = clustered(25, 12, 22);
const all = new DocumentArray(docsOf(vectors));

/** Send the same /search to every shard (each gets its own copy of the request), reduce like the head does. */
async function searchAll(shards: Opened[], parameters: Record<string, unknown>): Promise<DocumentArray> {
  const answers: DocumentArray[] = [];
  for (const s of shards) {
    const docs = new DocumentArray(queries.map((embedding, i) => ({ id: `q${i}`, embedding })));
    answers.push((await s.call('/search', docs, parameters as never)).docs);
  }
  const [first, ...rest] = answers as [DocumentArray, ...DocumentArray[]];
  return first.reduceAll(rest);
}

describe('sharded VectorIndexer', () => {
  for (const metric of ['cosine', 'l2', 'ip'] as const) {
    it(`${metric}: each shard returns its own top-limit; sorting and truncating the merge gives the global top-limit`, async () => {
      const base = `${ws.dir}/${metric}`;
      const shards = [openIndexer(base, { metric, shardId: 0 }), openIndexer(base, { metric, shardId: 1 })];
      const single = openIndexer(`${base}-single`, { metric });
      // polling ANY: every document lands on one shard
      await shards[0]?.call(
        '/index',
        all.filter((_, i) => i % 3 !== 0),
      );
      await shards[1]?.call(
        '/index',
        all.filter((_, i) => i % 3 === 0),
      );
      await single.call('/index', all);
      const counts = await Promise.all(shards.map(async (s) => (await s.call('/count')).results?.count));
      assert.deepEqual(counts, [800, 400]);

      const merged = await searchAll(shards, { limit: 10 });
      const reference = new DocumentArray(queries.map((embedding, i) => ({ id: `q${i}`, embedding })));
      await single.call('/search', reference, { limit: 10 });
      for (const q of merged) {
        assert.equal(q.matches.length, 20, 'the head concatenates: 10 per shard');
        assert.equal(new Set(q.matches.ids).size, 20, 'shards are disjoint');
      }
      const unsorted = merged.map((q, i) => q.matches.ids.slice(0, 10).join() === reference.at(i)?.matches.ids.join());
      assert.ok(unsorted.includes(false), 'without a re-sort the merge is not the global top-10');

      mergeShardMatches(merged, { metric, limit: 10 });
      merged.forEach((q, i) => {
        const want = reference.at(i) as Document;
        assert.deepEqual(q.matches.ids, want.matches.ids, `query ${i}`);
        q.matches.forEach((m, j) => {
          assert.equal(m.scores[metric]?.value, want.matches.at(j)?.scores[metric]?.value, 'comparable scores');
        });
      });
      await Promise.all([...shards, single].map((s) => s.close()));
    });
  }

  it("partition 'id-hash': every shard sees every write (polling ALL) and keeps only its own ids", async () => {
    const base = `${ws.dir}/hash`;
    const shards = [0, 1, 2].map((shardId) => openIndexer(base, { partition: 'id-hash', shardId, shards: 3 }));
    for (const s of shards) await s.call('/index', all);
    const counts = await Promise.all(shards.map(async (s) => (await s.call('/count')).results?.count as number));
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      all.length,
    );
    counts.forEach((c, shard) => {
      assert.equal(c, all.filter((d) => shardOf(d.id, 3) === shard).length);
    });
    // re-indexing (upsert) lands on the owner again: no duplicates across shards
    const changed = all.slice(0, 50).map((d) => {
      const c = d.clone();
      c.tags = { rewritten: true };
      return c;
    });
    for (const s of shards) await s.call('/index', changed);
    const after = await Promise.all(shards.map(async (s) => (await s.call('/count')).results?.count as number));
    assert.deepEqual(after, counts);
    const filled = await Promise.all(
      shards.map(async (s) => {
        const docs = new DocumentArray([{ id: 'doc7' }]);
        await s.call('/fill', docs);
        return docs.at(0)?.tags ?? {};
      }),
    );
    assert.deepEqual(filled[shardOf('doc7', 3)], { rewritten: true });
    // update polled on ALL shards: owners update, the others report nothing missing of their own
    const results = await Promise.all(shards.map(async (s) => (await s.call('/update', changed)).results));
    const updated = results.reduce((sum, r) => sum + (r?.updated as number), 0);
    assert.equal(updated, 50);
    for (const r of results) assert.deepEqual(r?.missing, []);
    await Promise.all(shards.map((s) => s.close()));
  });

  it('mergeShardMatches sorts similarities descending and puts unscored matches last', () => {
    const q = new Document({
      matches: [{ id: 'a', scores: { ip: 1 } }, { id: 'b' }, { id: 'c', scores: { ip: 5 } }],
    });
    mergeShardMatches(new DocumentArray([q]), { metric: 'ip', limit: 2 });
    assert.deepEqual(q.matches.ids, ['c', 'a']);
  });
});
