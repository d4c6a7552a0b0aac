import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Document, DocumentArray, type Filter } from '@weft-ai/weft';
import { clustered, docsOf, type Opened, openIndexer, tempWorkspace } from '../test/fixtures/indexer-fixtures.js';
import type { IndexMetric } from './index.js';

const ws = tempWorkspace();
after(ws.cleanup);
let n = 0;
const fresh = (): string => `${ws.dir}/case${n++}`;

const D = 16;
const N = 3000;
/** weft's own metric name for each indexer metric (DocumentArray.match is the brute-force reference). */
const REFERENCE = { cosine: 'cosine', l2: 'euclidean', ip: 'dot' } as const;

const vectors = clustered(N, D, 11);
const queryVectors = clustered(40, D, 12);
const all = new DocumentArray(docsOf(vectors));

/** Brute force with weft's exact matcher: the expected ids and scores per query. */
function reference(metric: IndexMetric, limit: number, filter?: Filter): { ids: string[]; scores: number[] }[] {
  const pool = filter ? all.find(filter) : all;
  const queries = new DocumentArray(queryVectors.map((embedding) => ({ embedding })));
  queries.match(pool, { metric: REFERENCE[metric], limit });
  return queries.map((q) => ({
    ids: q.matches.ids,
    scores: q.matches.map((m) => m.scores[REFERENCE[metric]]?.value as number),
  }));
}

async function search(ix: Opened, parameters: Record<string, unknown>): Promise<Document[]> {
  const queries = queryVectors.map((embedding) => new Document({ embedding }));
  await ix.call('/search', queries, parameters as never);
  return queries;
}

/** Check every match's score against the brute-force score of the same document, and the sort order. */
function assertScoresExact(metric: IndexMetric, got: Document[], limit: number): void {
  const byId = new Map(all.map((d) => [d.id, d]));
  got.forEach((q) => {
    const want = new DocumentArray([{ embedding: q.embedding }]);
    const values: number[] = [];
    for (const m of q.matches) {
      const one = new DocumentArray([byId.get(m.id) as Document]);
      want.match(one, { metric: REFERENCE[metric], limit: 1 });
      const expected = want.at(0)?.matches.at(0)?.scores[REFERENCE[metric]]?.value as number;
      const value = m.scores[metric]?.value as number;
      assert.ok(Math.abs(value - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${metric} ${m.id}`);
      values.push(value);
    }
    const sorted = [...values].sort((a, b) => (metric === 'ip' ? b - a : a - b));
    assert.deepEqual(values, sorted, `${metric}: best first`);
    assert.ok(q.matches.length <= limit);
  });
}

function recall(got: Document[], want: { ids: string[] }[]): number {
  let hit = 0;
  let total = 0;
  got.forEach((q, i) => {
    const w = new Set(want[i]?.ids);
    total += w.size;
    for (const id of q.matches.ids) if (w.has(id)) hit++;
  });
  return hit / total;
}

for (const metric of ['cosine', 'l2', 'ip'] as const) {
  describe(`search with metric ${metric}`, () => {
    let exact: Opened;
    let graph: Opened;
    before(async () => {
      exact = openIndexer(fresh(), { metric }); // 3000 x 16 is below the default exactBelow
      graph = openIndexer(fresh(), { metric, exactBelow: 0, efSearch: 64 });
      for (const batch of all.batch(500)) {
        await exact.call('/index', batch);
        await graph.call('/index', batch);
      }
    });
    after(async () => {
      await exact.close();
      await graph.close();
    });

    it('small collections are searched exactly: same ids, same order, same scores as brute force', async () => {
      const got = await search(exact, { limit: 10 });
      const want = reference(metric, 10);
      got.forEach((q, i) => {
        assert.deepEqual(q.matches.ids, want[i]?.ids, `query ${i}`);
        q.matches.forEach((m, j) => {
          const w = want[i]?.scores[j] as number;
          assert.ok(Math.abs((m.scores[metric]?.value as number) - w) <= 1e-9 * Math.max(1, Math.abs(w)));
        });
      });
    });

    it('the HNSW graph finds nearly all true neighbours and scores them exactly', async () => {
      const got = await search(graph, { limit: 10 });
      // inner product is not a metric: graph search over unnormalised vectors finds fewer true neighbours
      assert.ok(recall(got, reference(metric, 10)) >= (metric === 'ip' ? 0.9 : 0.95));
      assertScoresExact(metric, got, 10);
      const exactScan = await search(graph, { limit: 10, exact: true });
      const want = reference(metric, 10);
      exactScan.forEach((q, i) => {
        assert.deepEqual(q.matches.ids, want[i]?.ids, 'exact: true is brute force');
      });
    });

    it('returns limit matches under a very selective filter (0.3% of the documents pass)', async () => {
      const filter = { tags__bucket: { $in: [3, 42, 77] } }; // 90 of 3000 documents; 10 at most are near
      for (const ix of [graph, exact]) {
        const got = await search(ix, { limit: 10, filter: { $and: [filter, { tags__i: { $lt: 1000 } }] } });
        const want = reference(metric, 10, { $and: [filter, { tags__i: { $lt: 1000 } }] });
        got.forEach((q, i) => {
          assert.equal(q.matches.length, 10);
          assert.deepEqual(q.matches.ids, want[i]?.ids, 'a scanned filter is exact');
          for (const m of q.matches) assert.ok([3, 42, 77].includes(m.tags.bucket as number));
        });
        assertScoresExact(metric, got, 10);
      }
    });

    it('filters of moderate selectivity come back full and close to brute force', async () => {
      const filter = { tags__parity: 'even', tags__bucket: { $lt: 20 } }; // 10% pass
      const got = await search(graph, { limit: 10, filter });
      for (const q of got) {
        assert.equal(q.matches.length, 10);
        for (const m of q.matches) assert.ok(m.tags.parity === 'even' && (m.tags.bucket as number) < 20);
      }
      assert.ok(recall(got, reference(metric, 10, filter)) >= 0.9);
    });

    it('returns every passing document when fewer than limit pass', async () => {
      const got = await search(graph, { limit: 10, filter: { tags__i: { $in: [5, 6, 7] } } });
      for (const q of got) assert.deepEqual([...q.matches.ids].sort(), ['doc5', 'doc6', 'doc7']);
      const none = await search(graph, { limit: 10, filter: { tags__i: -1 } });
      for (const q of none) assert.equal(q.matches.length, 0);
    });
  });
}

describe('search parameters and concurrency', () => {
  it('honours limit and efSearch, and rejects bad values', async () => {
    const ix = openIndexer(fresh(), { exactBelow: 0 });
    await ix.call('/index', all.slice(0, 1000));
    const q = new Document({ embedding: queryVectors[0] });
    await ix.call('/search', [q], { limit: 37, efSearch: 200 });
    assert.equal(q.matches.length, 37);
    await assert.rejects(ix.call('/search', [q], { limit: 0 }), /limit must be a positive integer/);
    await assert.rejects(ix.call('/search', [q], { efSearch: 'x' }), /efSearch/);
    await assert.rejects(ix.call('/search', [q], { filter: 'tags__a' }), /filter must be/);
    await ix.close();
  });

  it('calibrates scores (option and per-request override) and drops the query embedding when asked', async () => {
    const ix = openIndexer(fresh(), { calibration: { threshold: 0.9, width: 0.02 } });
    await ix.call('/index', [
      { id: 'same', embedding: [1, 0, 0] },
      { id: 'near', embedding: [0.95, 0.312, 0] },
      { id: 'far', embedding: [0, 1, 0] },
    ]);
    const q = new Document({ embedding: [1, 0, 0] });
    await ix.call('/search', [q], { limit: 3 });
    assert.deepEqual(q.matches.ids, ['same', 'near', 'far']);
    const cal = q.matches.map((m) => m.scores.calibrated?.value as number);
    assert.deepEqual(
      q.matches.map((m) => m.scores.match?.value),
      [1, 1, 0],
    );
    assert.ok((cal[0] as number) > 0.99 && (cal[2] as number) < 0.01 && (cal[1] as number) > 0.5, String(cal));
    assert.ok(q.embedding, 'the query keeps its embedding by default');
    const strict = new Document({ embedding: [1, 0, 0] });
    await ix.call('/search', [strict], {
      limit: 3,
      calibration: { threshold: 0.99, width: 0.01 },
      dropQueryEmbedding: true,
    });
    assert.deepEqual(
      strict.matches.map((m) => m.scores.match?.value),
      [1, 0, 0],
    );
    assert.equal(strict.embedding, undefined);
    await assert.rejects(ix.call('/search', [q], { calibration: { threshold: 0.5 } }), /calibration must be/);
    await ix.close();
    assert.throws(() => openIndexer(fresh(), { calibration: { threshold: 1, width: 0 } }), /calibration must be/);
  });

  it('serves consistent searches while writes interleave', async () => {
    const ix = openIndexer(fresh(), { exactBelow: 0, snapshotEvery: 400 });
    const writes: Promise<unknown>[] = [];
    const searches: Promise<unknown>[] = [];
    let batchNo = 0;
    for (const batch of all.batch(100)) {
      const b = batchNo++;
      writes.push(ix.call('/index', batch));
      // upsert some of the previous batch with changed tags while others read
      if (b > 0)
        writes.push(
          ix.call(
            '/index',
            all.slice((b - 1) * 100, (b - 1) * 100 + 20).map((d) => {
              const c = d.clone();
              c.tags = { ...c.tags, rewritten: b };
              return c;
            }),
          ),
        );
      searches.push(search(ix, { limit: 10, includeEmbeddings: true }));
    }
    await Promise.all(writes);
    const results = (await Promise.all(searches)) as Document[][];
    for (const got of results) assertScoresExact('cosine', got, 10);
    assert.deepEqual((await ix.call('/count')).results, { count: N });
    const final = await search(ix, { limit: 10 });
    assert.ok(recall(final, reference('cosine', 10)) >= 0.95);
    await ix.close();
  });
});
