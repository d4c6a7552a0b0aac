// Sharding by id hash, simulated in one process: three indexers with different shardIds stand for the shards.
// Sharded search (polling ALL, the head ranking the merged matches) runs through weft's Deployment in
// test/integration/sharding.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DocumentArray } from '@weft-ai/weft';
import { clustered, docsOf, openIndexer, tempWorkspace } from '../test/fixtures/indexer-fixtures.js';
import { shardOf } from './index.js';

const ws = tempWorkspace();
after(ws.cleanup);

const all = new DocumentArray(docsOf(clustered(1200, 12, 21)));

describe('sharded VectorIndexer', () => {
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
});
