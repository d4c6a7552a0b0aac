// Restart after a crash takes the fast path: the last HNSW snapshot plus a replay of the writes logged after it.
// A child indexes 200 documents, writes a snapshot, deletes 20 of them, upserts 20 others (new vectors), indexes
// 100 more, reports DONE and is killed with SIGKILL (no close, no final snapshot). The reopened index must come
// from that snapshot with exactly those later writes replayed, and agree with the acknowledged state.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Document, DocumentArray } from '@weft-ai/weft';
import { openIndexer, tempWorkspace, vectorFor, WRITER_DIM } from '../../fixtures/indexer-fixtures.js';
import { startWriter } from '../../fixtures/spawn-writer.js';

const ws = tempWorkspace('weft-vi-replay-');
after(ws.cleanup);

describe('VectorIndexer restart: snapshot + replay', () => {
  it('reloads the snapshot, replays later deletes, upserts and inserts, and serves the acknowledged state', async () => {
    let snapshotted = false;
    const run = startWriter([ws.dir, 'phases'], (line, child) => {
      if (line === 'SNAPSHOT') snapshotted = true;
      if (line === 'DONE') child.kill('SIGKILL');
    });
    assert.equal(await run.exited, 'SIGKILL', run.stderr());
    assert.ok(snapshotted);

    const ix = openIndexer(ws.dir, { exactBelow: 0, efSearch: 128 });
    const r = ix.indexer.recovery;
    assert.equal(r.mode, 'snapshot');
    assert.equal(r.snapshotSeq, 200, 'the snapshot holds the first 200 writes');
    // 20 deletes + 20 upserts (a delete of the old key and a put each) + 100 inserts
    assert.equal(r.replayed, 20 + 40 + 100);
    assert.equal(r.count, 280);
    assert.deepEqual((await ix.call('/count')).results, { count: 280 });

    const expected = new Map<string, number>();
    for (let i = 20; i < 200; i++) expected.set(`a${i}`, i < 40 ? 2 : 1);
    for (let i = 0; i < 100; i++) expected.set(`b${i}`, 1);
    const probe = new DocumentArray([...expected.keys(), 'a0', 'a19'].map((id) => ({ id })));
    await ix.call('/fill', probe);
    for (const d of probe) {
      const want = expected.get(d.id);
      if (want === undefined) assert.equal(d.embedding, undefined, `${d.id} was deleted`);
      else assert.equal(d.tags.version, want, d.id);
    }
    const queries = [...expected].map(
      ([id, v]) => new Document({ id: `q:${id}`, embedding: vectorFor(id, v, WRITER_DIM) }),
    );
    await ix.call('/search', queries, { limit: 1 });
    for (const q of queries) assert.deepEqual(q.matches.ids, [q.id.slice(2)], `${q.id.slice(2)} is its own nearest`);
    // the old vectors of upserted documents are gone from the graph
    const stale = Array.from(
      { length: 20 },
      (_, i) => new Document({ embedding: vectorFor(`a${20 + i}`, 1, WRITER_DIM) }),
    );
    await ix.call('/search', stale, { limit: 1 });
    stale.forEach((q, i) => {
      const m = q.matches.at(0);
      assert.ok(m && !(m.id === `a${20 + i}` && (m.scores.cosine?.value as number) < 1e-6), 'an old vector survived');
    });
    await ix.close();

    // closing wrote a fresh snapshot: the next start replays nothing
    const again = openIndexer(ws.dir, { exactBelow: 0 });
    assert.equal(again.indexer.recovery.mode, 'snapshot');
    assert.equal(again.indexer.recovery.replayed, 0);
    assert.equal(again.indexer.recovery.count, 280);
    await again.close();
  });

  it('a kill while a snapshot is being written leaves a complete snapshot in force', async (t) => {
    const dir = join(ws.dir, 'torn');
    let snapshots = 0;
    const run = startWriter([dir, 'torn'], (line, child) => {
      if (line === 'SNAPSHOT') snapshots++;
      if (line === 'BEGIN snapshot') child.kill('SIGKILL');
    });
    assert.equal(await run.exited, 'SIGKILL', run.stderr());
    const ix = openIndexer(dir, { exactBelow: 0 });
    const r = ix.indexer.recovery;
    t.diagnostic(`reopened from the snapshot of seq ${r.snapshotSeq} with ${r.replayed} writes replayed`);
    // either the first snapshot plus the 2000 later writes, or the second snapshot if it completed
    assert.equal(r.mode, 'snapshot');
    assert.ok(r.snapshotSeq === 3000 || r.snapshotSeq === 5000, `snapshot seq ${r.snapshotSeq}`);
    assert.equal(r.replayed, 5000 - r.snapshotSeq);
    assert.equal(r.count, 5000);
    const files = readdirSync(join(dir, 'VectorIndexer', '0')).filter((f) => f.startsWith('hnsw-'));
    assert.deepEqual(files, [`hnsw-${r.snapshotSeq}.usearch`], 'leftovers of the interrupted save are removed');
    const probe = new Document({ embedding: vectorFor('b1999', 1, WRITER_DIM) });
    await ix.call('/search', [probe], { limit: 1 });
    assert.deepEqual(probe.matches.ids, ['b1999']);
    await ix.close();
    assert.ok(snapshots >= 1);
  });
});
