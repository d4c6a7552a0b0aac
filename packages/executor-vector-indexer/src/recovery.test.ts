// Reopening a workspace in-process: after a clean close (snapshot, nothing to replay), with a damaged or missing
// snapshot file, with changed index parameters, and the automatic snapshots. Crash recovery (snapshot + replay
// after SIGKILL) is covered by test/integration/durability.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Document } from '@weft-ai/weft';
import { clustered, docsOf, type Opened, openIndexer, tempWorkspace } from '../test/fixtures/indexer-fixtures.js';

const ws = tempWorkspace();
after(ws.cleanup);
let n = 0;
const fresh = (): string => `${ws.dir}/case${n++}`;
const vectors = clustered(1500, 16, 31);
const queries = clustered(20, 16, 32);

async function topIds(ix: Opened): Promise<string[][]> {
  const qs = queries.map((embedding) => new Document({ embedding }));
  await ix.call('/search', qs, { limit: 5 });
  return qs.map((q) => q.matches.ids);
}

const snapshotFiles = (dir: string): string[] =>
  readdirSync(join(dir, 'VectorIndexer', '0')).filter((f) => f.startsWith('hnsw-'));

describe('VectorIndexer reopen', () => {
  it('reloads its snapshot after a clean close, with nothing to replay and the same answers', async () => {
    const dir = fresh();
    const ix = openIndexer(dir, { exactBelow: 0 });
    assert.equal(ix.indexer.recovery.mode, 'empty');
    await ix.call('/index', docsOf(vectors));
    await ix.call('/delete', [], { ids: ['doc1', 'doc2'] });
    const before = await topIds(ix);
    await ix.close();
    const again = openIndexer(dir, { exactBelow: 0 });
    const r = again.indexer.recovery;
    assert.equal(r.mode, 'snapshot');
    assert.equal(r.replayed, 0);
    assert.equal(r.count, 1498);
    assert.deepEqual(await topIds(again), before);
    await again.close();
  });

  it('rebuilds from the store when the snapshot file is damaged or missing, then snapshots again', async () => {
    const dir = fresh();
    const ix = openIndexer(dir, { exactBelow: 0 });
    await ix.call('/index', docsOf(vectors));
    const before = await topIds(ix);
    await ix.close();
    const [file] = snapshotFiles(dir);
    assert.ok(file);
    // one flipped byte, same size: usearch would crash loading it; the checksum catches it first
    const path = join(dir, 'VectorIndexer', '0', file);
    const bytes = readFileSync(path);
    const mid = Math.floor(bytes.length / 2);
    bytes[mid] = (bytes[mid] as number) ^ 0xff;
    writeFileSync(path, bytes);
    const damaged = openIndexer(dir, { exactBelow: 0 });
    assert.equal(damaged.indexer.recovery.mode, 'rebuild');
    assert.match(damaged.indexer.recovery.reason ?? '', /damaged/);
    assert.deepEqual((await damaged.call('/count')).results, { count: 1500 });
    const after = await topIds(damaged);
    let same = 0;
    after.forEach((ids, i) => {
      same += ids.filter((id) => before[i]?.includes(id)).length;
    });
    assert.ok(same >= 0.95 * 100, 'a rebuilt graph answers like the old one');
    await damaged.close();
    writeFileSync(join(dir, 'VectorIndexer', '0', snapshotFiles(dir)[0] as string), 'not an index');
    const garbage = openIndexer(dir, { exactBelow: 0 });
    assert.equal(garbage.indexer.recovery.mode, 'rebuild');
    await garbage.close();
    rmSync(join(dir, 'VectorIndexer', '0', snapshotFiles(dir)[0] as string));
    const missing = openIndexer(dir, { exactBelow: 0 });
    assert.equal(missing.indexer.recovery.mode, 'rebuild');
    await missing.close();
    const healed = openIndexer(dir, { exactBelow: 0 });
    assert.equal(healed.indexer.recovery.mode, 'snapshot', 'the rebuild was snapshotted');
    await healed.close();
  });

  it('rebuilds when M, efConstruction or the metric change, and keeps every document', async () => {
    const dir = fresh();
    const ix = openIndexer(dir, { exactBelow: 0, M: 16 });
    await ix.call('/index', docsOf(vectors.slice(0, 300)));
    await ix.close();
    const changed = openIndexer(dir, { exactBelow: 0, M: 24, metric: 'l2' });
    assert.equal(changed.indexer.recovery.mode, 'rebuild');
    assert.match(changed.indexer.recovery.reason ?? '', /changed/);
    const q = new Document({ embedding: vectors[42] });
    await changed.call('/search', [q], { limit: 1 });
    assert.equal(q.matches.at(0)?.id, 'doc42');
    assert.ok((q.matches.at(0)?.scores.l2?.value as number) < 1e-6);
    await changed.close();
    const same = openIndexer(dir, { exactBelow: 0, M: 24, metric: 'l2' });
    assert.equal(same.indexer.recovery.mode, 'snapshot');
    await same.close();
  });

  it('snapshots on its own every snapshotEvery changes and keeps one snapshot file', async () => {
    const dir = fresh();
    const ix = openIndexer(dir, { exactBelow: 0, snapshotEvery: 200 });
    for (let i = 0; i < 1000; i += 100) await ix.call('/index', docsOf(vectors.slice(i, i + 100), `p${i}-`));
    await ix.indexer.close(); // drains the writer, including queued automatic snapshots
    const files = snapshotFiles(dir);
    assert.equal(files.length, 1);
    const seq = Number(/hnsw-(\d+)/.exec(files[0] as string)?.[1]);
    assert.equal(seq, 1000, 'the last snapshot holds every write');
    const again = openIndexer(dir, { exactBelow: 0 });
    assert.equal(again.indexer.recovery.count, 1000);
    assert.equal(again.indexer.recovery.replayed, 0);
    await again.close();
  });

  it('clear removes the documents and the snapshot; an exact index stays exact after deletes', async () => {
    const dir = fresh();
    const ix = openIndexer(dir, { exactBelow: 100 });
    await ix.call('/index', docsOf(vectors.slice(0, 150))); // above exactBelow: the graph serves
    await ix.call('/delete', [], { filter: { tags__i: { $gte: 40 } } }); // 40 left: exact again
    const q = new Document({ embedding: vectors[7] });
    await ix.call('/search', [q], { limit: 40 });
    assert.equal(q.matches.length, 40);
    assert.equal(q.matches.at(0)?.id, 'doc7');
    await ix.call('/snapshot');
    assert.equal(snapshotFiles(dir).length, 1);
    assert.deepEqual((await ix.call('/clear')).results, { deleted: 40 });
    assert.deepEqual(snapshotFiles(dir), []);
    await ix.close();
    const again = openIndexer(dir);
    assert.equal(again.indexer.recovery.mode, 'empty');
    assert.deepEqual((await again.call('/count')).results, { count: 0 });
    await again.close();
  });
});
