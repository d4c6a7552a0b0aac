import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  BadArgumentError,
  BadDocumentError,
  BadFilterError,
  ConfigError,
  Document,
  ExecutorLoadError,
  type NdArray,
  resolveUses,
} from '@weft-ai/weft';
import { clustered, docsOf, openIndexer, tempWorkspace } from '../test/fixtures/indexer-fixtures.js';
import { VectorIndexer } from './index.js';

const ws = tempWorkspace();
const values = (a: NdArray | undefined): number[] => (a ? Array.from({ length: a.size }, (_, i) => a.get(i)) : []);
after(ws.cleanup);
let n = 0;
const fresh = (): string => `${ws.dir}/case${n++}`;

describe('VectorIndexer endpoints', () => {
  it('indexes and searches: matches best first with scores[metric] and the stored fields', async () => {
    const ix = openIndexer(fresh());
    const vectors = clustered(200, 8, 1);
    const docs = docsOf(vectors).map((d, i) => ({ ...d, uri: `file://img${i}.jpg`, mimeType: 'image/jpeg' }));
    assert.deepEqual((await ix.call('/index', docs)).results, { indexed: 200 });
    const q = new Document({ id: 'q', embedding: vectors[7] });
    await ix.call('/search', [q]);
    assert.equal(q.matches.length, 10, 'default limit is 10');
    const top = q.matches.at(0) as Document;
    assert.equal(top.id, 'doc7');
    assert.ok(Math.abs(top.scores.cosine?.value as number) < 1e-9);
    assert.equal(top.text, 'text of doc7');
    assert.equal(top.uri, 'file://img7.jpg');
    assert.equal(top.mimeType, 'image/jpeg');
    assert.deepEqual(top.tags, { i: 7, parity: 'odd', bucket: 7 });
    assert.equal(top.embedding, undefined, 'embeddings are left out unless asked for');
    const scores = q.matches.map((m) => m.scores.cosine?.value as number);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => a - b),
    );
    const q2 = new Document({ embedding: vectors[3] });
    await ix.call('/search', [q2], { limit: 3, includeEmbeddings: true });
    assert.equal(q2.matches.length, 3);
    assert.deepEqual(values(q2.matches.at(0)?.embedding), Array.from(vectors[3] as Float32Array));
    assert.deepEqual((await ix.call('/count')).results, { count: 200 });
    await ix.close();
  });

  it('upserts: re-indexing an id replaces its vector and document; the last copy in a request wins', async () => {
    const ix = openIndexer(fresh());
    const [a, b, c] = clustered(3, 4, 2);
    await ix.call('/index', [
      { id: 'x', embedding: a, tags: { v: 1 }, text: 'first' },
      { id: 'y', embedding: b },
    ]);
    await ix.call('/index', [
      { id: 'x', embedding: b, tags: { v: 2 } },
      { id: 'x', embedding: c, tags: { v: 3 }, text: 'third' },
    ]);
    assert.deepEqual((await ix.call('/count')).results, { count: 2 });
    const q = new Document({ embedding: c });
    await ix.call('/search', [q], { limit: 5 });
    assert.deepEqual(q.matches.ids, ['x', 'y']);
    assert.deepEqual(q.matches.at(0)?.tags, { v: 3 });
    assert.equal(q.matches.at(0)?.text, 'third');
    assert.ok(Math.abs(q.matches.at(0)?.scores.cosine?.value as number) < 1e-9, 'scored with the new vector');
    const old = new Document({ embedding: a });
    await ix.call('/search', [old], { limit: 5 });
    assert.equal(old.matches.length, 2, 'the old vector of x is gone, not an extra match');
    await ix.close();
  });

  it('updates only stored ids: unknown ids are reported, or fail the request with strict', async () => {
    const ix = openIndexer(fresh());
    const [a, b] = clustered(2, 4, 3);
    await ix.call('/index', [{ id: 'x', embedding: a, tags: { v: 1 } }]);
    const r = await ix.call('/update', [
      { id: 'x', embedding: b, tags: { v: 2 } },
      { id: 'ghost', embedding: b },
    ]);
    assert.deepEqual(r.results, { updated: 1, missing: ['ghost'] });
    assert.deepEqual((await ix.call('/count')).results, { count: 1 }, 'update never creates');
    await assert.rejects(
      ix.call(
        '/update',
        [
          { id: 'x', embedding: a, tags: { v: 3 } },
          { id: 'ghost', embedding: a },
        ],
        { strict: true },
      ),
      (e: unknown) => e instanceof BadArgumentError && /ghost/.test(e.message),
    );
    const filled = new Document({ id: 'x' });
    await ix.call('/fill', [filled]);
    assert.deepEqual(filled.tags, { v: 2 }, 'a strict update that failed wrote nothing');
    await ix.close();
  });

  it('deletes by parameters.ids, by the request documents, and by filter', async () => {
    const ix = openIndexer(fresh());
    await ix.call('/index', docsOf(clustered(40, 4, 4)));
    assert.deepEqual((await ix.call('/delete', [], { ids: ['doc0', 'doc1', 'nope'] })).results, { deleted: 2 });
    assert.deepEqual((await ix.call('/delete', [{ id: 'doc2' }])).results, { deleted: 1 });
    const byFilter = await ix.call('/delete', [], { filter: { tags__i: { $gte: 30 } } });
    assert.deepEqual(byFilter.results, { deleted: 10 });
    assert.deepEqual((await ix.call('/count')).results, { count: 27 });
    const q = new Document({ embedding: new Float32Array([1, 1, 1, 1]) });
    await ix.call('/search', [q], { limit: 100 });
    assert.equal(q.matches.length, 27);
    assert.ok(q.matches.ids.every((id) => Number(id.slice(3)) >= 3 && Number(id.slice(3)) < 30));
    await assert.rejects(ix.call('/delete', [], { ids: ['a'], filter: { id: 'a' } }), BadArgumentError);
    await assert.rejects(ix.call('/delete', [], { filter: { tags__i: { $bogus: 1 } } }), BadFilterError);
    await assert.rejects(ix.call('/delete', [], { ids: 'doc3' }), BadArgumentError);
    await ix.close();
  });

  it('fills request documents from the store, keeping what they already have', async () => {
    const ix = openIndexer(fresh());
    const [a] = clustered(1, 4, 5);
    await ix.call('/index', [{ id: 'x', embedding: a, text: 'stored', tags: { s: 1, k: 'stored' }, uri: 'u' }]);
    const d = new Document({ id: 'x', tags: { k: 'mine' } });
    const other = new Document({ id: 'unknown' });
    const r = await ix.call('/fill', [d, other]);
    assert.deepEqual(r.results, { filled: 1, missing: ['unknown'] });
    assert.equal(d.text, 'stored');
    assert.equal(d.uri, 'u');
    assert.deepEqual(d.tags, { s: 1, k: 'mine' });
    assert.deepEqual(values(d.embedding), Array.from(a as Float32Array));
    await ix.close();
  });

  it('infers dim from the first document and rejects other sizes and missing embeddings', async () => {
    const ix = openIndexer(fresh());
    await ix.call('/index', [{ id: 'a', embedding: [1, 2, 3] }]);
    await assert.rejects(
      ix.call('/index', [{ id: 'b', embedding: [1, 2] }]),
      (e: unknown) => e instanceof BadArgumentError && /'b'.*2 values.*3-dimensional/.test(e.message),
    );
    await assert.rejects(ix.call('/index', [{ id: 'c', text: 'no vector' }]), BadDocumentError);
    await assert.rejects(ix.call('/index', [{ id: 'd', embedding: [1, Number.NaN, 3] }]), BadDocumentError);
    await assert.rejects(ix.call('/search', [{ embedding: [1, 2, 3, 4] }]), BadArgumentError);
    assert.deepEqual((await ix.call('/count')).results, { count: 1 }, 'failed requests wrote nothing');
    // clear forgets an inferred dim
    assert.deepEqual((await ix.call('/clear')).results, { deleted: 1 });
    await ix.call('/index', [{ id: 'e', embedding: [1, 2] }]);
    assert.deepEqual((await ix.call('/count')).results, { count: 1 });
    await ix.close();
  });

  it('refuses a configured dim that contradicts the store, and a bad option', async () => {
    const dir = fresh();
    const ix = openIndexer(dir, { dim: 3 });
    await assert.rejects(ix.call('/index', [{ id: 'a', embedding: [1, 2] }]), BadArgumentError);
    await ix.call('/index', [{ id: 'a', embedding: [1, 2, 3] }]);
    await ix.close();
    assert.throws(() => openIndexer(dir, { dim: 4 }), ConfigError);
    const inferred = openIndexer(dir); // the store remembers its dim
    assert.equal(inferred.indexer.recovery.count, 1);
    await assert.rejects(inferred.call('/index', [{ id: 'b', embedding: [1, 2] }]), BadArgumentError);
    await inferred.close();
    assert.throws(
      () => new VectorIndexer({ workspace: fresh(), metric: 'euclidean' as 'l2' }),
      (e: unknown) => e instanceof ConfigError && /'l2'/.test(e.message),
    );
    assert.throws(() => new VectorIndexer({ workspace: fresh(), M: 0 }), ConfigError);
  });

  it('keeps blobs, tensors and chunks only when asked', async () => {
    const plain = openIndexer(fresh());
    const kept = openIndexer(fresh(), { storeBlobs: true, storeChunks: true });
    const doc = () => [
      {
        id: 'b',
        embedding: [1, 0],
        blob: new Uint8Array([1, 2, 3]),
        chunks: [{ id: 'c1', text: 'chunk', tensor: undefined }],
      },
      { id: 't', embedding: [0, 1], tensor: new Float32Array([5, 6]) },
    ];
    await plain.call('/index', doc());
    await kept.call('/index', doc());
    const read = async (ix: typeof plain) => {
      const out = [new Document({ id: 'b' }), new Document({ id: 't' })];
      await ix.call('/fill', out);
      return out;
    };
    const [pb, pt] = await read(plain);
    assert.equal(pb?.blob, undefined);
    assert.equal(pb?.chunkCount, 0);
    assert.equal(pt?.tensor, undefined);
    const [kb, kt] = await read(kept);
    assert.deepEqual(Array.from(kb?.blob ?? []), [1, 2, 3]);
    assert.equal(kb?.chunks.at(0)?.text, 'chunk');
    assert.deepEqual(values(kt?.tensor), [5, 6]);
    await plain.close();
    await kept.close();
  });

  it('locks its workspace while open, and refuses requests once closed', async () => {
    const dir = fresh();
    const ix = openIndexer(dir);
    assert.throws(() => openIndexer(dir), ExecutorLoadError);
    await ix.close();
    await assert.rejects(ix.call('/count'), /closed/);
    const again = openIndexer(dir);
    await again.close();
  });

  it("is what weft's registry resolves `uses: VectorIndexer` to", async () => {
    const resolved = await resolveUses('VectorIndexer');
    assert.equal(resolved.cls, VectorIndexer);
  });
});
