import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WeftError } from '../errors/index.js';
import { seededRandom } from '../testing/index.js';
import { Document } from './document.js';
import { DocumentArray } from './document-array.js';
import { type Metric, matchArrays } from './match.js';
import { NdArray } from './ndarray.js';

const METRICS: Metric[] = ['cosine', 'euclidean', 'sqeuclidean', 'dot'];
const TOL = 1e-5;

function randomDocs(
  n: number,
  d: number,
  seed: number,
  prefix: string,
  Ctor: Float32ArrayConstructor | Float64ArrayConstructor = Float32Array,
): DocumentArray {
  const rnd = seededRandom(seed);
  const da = new DocumentArray();
  for (let i = 0; i < n; i++) {
    const e = new Ctor(d);
    for (let j = 0; j < d; j++) e[j] = rnd() * 2 - 1;
    da.push({ id: `${prefix}${i}`, embedding: e, tags: { i } });
  }
  return da;
}

/** Independent reference: per pair, in float64 over number[], full sort, slice. */
function reference(query: number[], index: number[][], metric: Metric, limit: number): { i: number; v: number }[] {
  const scored = index.map((x, i) => {
    let dot = 0;
    let qq = 0;
    let xx = 0;
    let sq = 0;
    for (let j = 0; j < x.length; j++) {
      const a = query[j] as number;
      const b = x[j] as number;
      dot += a * b;
      qq += a * a;
      xx += b * b;
      sq += (a - b) ** 2;
    }
    const denom = Math.sqrt(qq) * Math.sqrt(xx);
    const v =
      metric === 'cosine'
        ? denom === 0
          ? 1
          : 1 - dot / denom
        : metric === 'dot'
          ? dot
          : metric === 'euclidean'
            ? Math.sqrt(sq)
            : sq;
    return { i, v };
  });
  scored.sort((p, q) => (metric === 'dot' ? q.v - p.v : p.v - q.v) || p.i - q.i);
  return scored.slice(0, limit);
}

const vec = (d: Document): number[] => Array.from(d.embedding?.data as Float32Array);

function checkAgainstReference(queries: DocumentArray, index: DocumentArray, metric: Metric, limit: number): void {
  const rows = index.map(vec);
  queries.forEach((q) => {
    const want = reference(vec(q), rows, metric, limit);
    const got = q.matches;
    assert.equal(got.length, want.length);
    assert.deepEqual(
      got.ids,
      want.map((w) => `x${w.i}`),
      `${metric}: order for ${q.id}`,
    );
    got.forEach((m, k) => {
      const value = m.scores[metric]?.value as number;
      assert.ok(Math.abs(value - (want[k]?.v as number)) < TOL, `${metric}: ${value} vs ${want[k]?.v}`);
    });
  });
}

function assertBadArgument(fn: () => unknown, mentions: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof WeftError, `expected a WeftError, got ${String(err)}`);
    assert.equal(err.code, 'WEFT_BAD_ARGUMENT');
    assert.match(err.message, mentions);
    return true;
  });
}

describe('match', () => {
  for (const metric of METRICS) {
    it(`${metric}: same order and values as a float64 reference`, () => {
      // 13 queries (not a multiple of 4), 157 rows (odd), d = 37 (not a multiple of 4)
      const queries = randomDocs(13, 37, 1, 'q');
      const index = randomDocs(157, 37, 2, 'x');
      matchArrays(queries, index, { metric, limit: 7 });
      checkAgainstReference(queries, index, metric, 7);
      // bigger rows: several index tiles, each with an odd number of rows
      const q2 = randomDocs(6, 300, 3, 'q');
      const x2 = randomDocs(500, 300, 4, 'x');
      q2.match(x2, { metric, limit: 12 });
      checkAgainstReference(q2, x2, metric, 12);
    });
  }

  it('defaults to cosine and 20 matches; a limit above the index size returns all', () => {
    const queries = randomDocs(3, 8, 5, 'q');
    const index = randomDocs(50, 8, 6, 'x');
    queries.match(index);
    checkAgainstReference(queries, index, 'cosine', 20);
    assert.deepEqual(Object.keys(queries.at(0)?.matches.at(0)?.scores ?? {}), ['cosine']);
    queries.match(index.slice(0, 5), { limit: 100 });
    assert.equal(queries.at(0)?.matches.length, 5);
    queries.match(index, { limit: 1, metric: 'euclidean' });
    checkAgainstReference(queries, index, 'euclidean', 1);
  });

  it('dot ranks by descending inner product', () => {
    const queries = new DocumentArray([{ embedding: [1, 2] }]);
    const index = new DocumentArray([
      { id: 'x0', embedding: [1, 0] },
      { id: 'x1', embedding: [3, 3] },
      { id: 'x2', embedding: [-1, -1] },
      { id: 'x3', embedding: [0, 2] },
    ]);
    queries.match(index, { metric: 'dot' });
    const m = queries.at(0)?.matches as DocumentArray;
    assert.deepEqual(m.ids, ['x1', 'x3', 'x0', 'x2']);
    assert.deepEqual(
      m.map((d) => d.scores.dot?.value),
      [9, 4, 1, -3],
    );
  });

  it('excludeSelf drops index documents with the query id and still fills the limit', () => {
    const da = randomDocs(30, 16, 7, 'x');
    da.match(da, { metric: 'euclidean', limit: 5 });
    da.forEach((d) => {
      assert.equal(d.matches.at(0)?.id, d.id);
      assert.equal(d.matches.at(0)?.scores.euclidean?.value, 0);
    });
    da.match(da, { metric: 'cosine', limit: 5, excludeSelf: true });
    da.forEach((d) => {
      assert.equal(d.matches.length, 5);
      assert.ok(!d.matches.has(d.id));
    });
    // the other documents, in the same order as without the query itself
    const rest = da.filter((d) => d.id !== 'x0');
    const q = new DocumentArray([da.at(0) as Document]);
    const alone = new DocumentArray([new Document({ embedding: vec(da.at(0) as Document) })]);
    alone.match(rest, { limit: 5 });
    assert.deepEqual(q.at(0)?.matches.ids, alone.at(0)?.matches.ids);
  });

  it('zero vectors have cosine distance 1, not NaN', () => {
    const queries = new DocumentArray([
      { id: 'zero', embedding: [0, 0, 0] },
      { id: 'q', embedding: [1, 0, 0] },
    ]);
    const index = new DocumentArray([
      { id: 'z', embedding: [0, 0, 0] },
      { id: 'a', embedding: [2, 0, 0] },
      { id: 'b', embedding: [0, 1, 0] },
    ]);
    queries.match(index);
    assert.deepEqual(
      queries.at(0)?.matches.map((d) => d.scores.cosine?.value),
      [1, 1, 1],
    );
    const m = queries.at(1)?.matches as DocumentArray;
    assert.deepEqual(m.ids, ['a', 'z', 'b']);
    assert.deepEqual(
      m.map((d) => d.scores.cosine?.value),
      [0, 1, 1],
    );
  });

  it('keeps float64 precision for f8 embeddings', () => {
    const queries = new DocumentArray([{ embedding: new Float64Array([1, 0]) }]);
    const index = new DocumentArray([
      { id: 'far', embedding: new Float64Array([1 + 2e-9, 0]) },
      { id: 'near', embedding: new Float64Array([1 + 1e-9, 0]) },
      { id: 'f4', embedding: new Float32Array([2, 0]) }, // mixed dtypes: all packed as float64
    ]);
    queries.match(index, { metric: 'euclidean' });
    const m = queries.at(0)?.matches as DocumentArray;
    assert.deepEqual(m.ids, ['near', 'far', 'f4']); // float32 would round both to 1 and tie
    assert.ok(Math.abs((m.at(0)?.scores.euclidean?.value as number) - 1e-9) < 1e-15);
    // random f8 data against the reference too
    const q8 = randomDocs(5, 21, 8, 'q', Float64Array);
    const x8 = randomDocs(40, 21, 9, 'x', Float64Array);
    q8.match(x8, { metric: 'sqeuclidean', limit: 10 });
    checkAgainstReference(q8, x8, 'sqeuclidean', 10);
  });

  it('reads half-float and integer embeddings by value', () => {
    const half = new NdArray(new Uint16Array([0x3c00, 0x4000, 0xb800]), [3], '<f2'); // 1, 2, -0.5
    const queries = new DocumentArray([{ embedding: half }]);
    const index = new DocumentArray([
      { id: 'o', embedding: [0, 0, 0] },
      { id: 'i', embedding: new Int32Array([16777217, 0, 0]) },
    ]);
    queries.match(index, { metric: 'sqeuclidean' });
    assert.deepEqual(
      queries.at(0)?.matches.map((d) => d.scores.sqeuclidean?.value),
      [5.25, 16777216 ** 2 + 4.25],
    );
  });

  it('writes shallow copies with scores and replaces earlier matches', () => {
    const index = new DocumentArray([
      { id: 'a', embedding: [1, 0], tags: { k: 1 }, scores: { own: 7 } },
      { id: 'b', embedding: [0, 1], text: 'b' },
    ]);
    const query = new Document({ embedding: [1, 0.1], matches: [{ id: 'old' }] });
    new DocumentArray([query]).match(index, { metric: 'euclidean' });
    const [m0, m1] = query.matches.toArray() as [Document, Document];
    assert.deepEqual(query.matches.ids, ['a', 'b']);
    const a = index.get('a') as Document;
    assert.notEqual(m0, a);
    assert.equal(m0.tags, a.tags); // shared field values
    assert.equal(m0.embedding, a.embedding);
    assert.equal(m1.text, 'b');
    assert.deepEqual(m0.scores, { own: { value: 7 }, euclidean: { value: m0.scores.euclidean?.value as number } });
    assert.deepEqual(a.scores, { own: { value: 7 } }); // the index document is untouched
    assert.deepEqual(index.get('b')?.scores, {});
    assert.equal(m0.matchCount, 0);
    assert.equal(m0.adjacency, 1); // docarray's MatchArray: query adjacency + 1
    assert.equal(a.adjacency, undefined);
    query.adjacency = 2;
    new DocumentArray([query]).match(index);
    assert.equal(query.matches.at(0)?.adjacency, 3);
  });

  it('handles empty inputs', () => {
    const queries = new DocumentArray([{ embedding: [1, 2], matches: [{ id: 'old' }] }]);
    queries.match(new DocumentArray());
    assert.equal(queries.at(0)?.matches.length, 0);
    new DocumentArray().match(queries);
    assert.equal(queries.find([1, 2]).length, 1);
    assert.equal(new DocumentArray().find([1, 2]).length, 0);
  });

  it('rejects bad arguments with WEFT_BAD_ARGUMENT', () => {
    const q = new DocumentArray([{ embedding: [1, 2, 3] }]);
    const x = new DocumentArray([{ embedding: [1, 2, 3] }, { id: 'bare' }]);
    assertBadArgument(() => q.match(x), /index document 1 \(id 'bare'\) has no embedding/);
    assertBadArgument(() => x.match(q), /query document 1 \(id 'bare'\) has no embedding/);
    assertBadArgument(
      () => q.match(new DocumentArray([{ embedding: [1, 2, 3, 4] }])),
      /query embeddings have 3 dimensions but index embeddings have 4/,
    );
    assertBadArgument(
      () => q.match(new DocumentArray([{ embedding: [1, 2, 3] }, { id: 'odd', embedding: [1, 2] }])),
      /index document 1 \(id 'odd'\) has an embedding of 2 values but index document 0 has 3/,
    );
    assertBadArgument(
      () => q.match(q, { metric: 'manhattan' as Metric }),
      /unknown metric 'manhattan'; use one of cosine, euclidean, sqeuclidean, dot/,
    );
    assertBadArgument(() => q.match(q, { limit: 0 }), /limit must be a positive integer, got 0/);
    assertBadArgument(() => q.match(q, { limit: -3 }), /limit must be a positive integer, got -3/);
    assertBadArgument(() => q.match(q, { limit: 2.5 }), /limit must be a positive integer/);
    assertBadArgument(() => q.find([1, 2, 3], { limit: 0 }), /find: limit must be a positive integer/);
    assertBadArgument(() => q.find([1, 2]), /query embeddings have 2 dimensions but index embeddings have 3/);
  });
});
