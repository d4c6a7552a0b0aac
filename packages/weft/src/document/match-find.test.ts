import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WeftError } from '../errors/index.js';
import { seededRandom } from '../testing/index.js';
import { Document } from './document.js';
import { DocumentArray } from './document-array.js';
import { findByVector, type Metric } from './match.js';
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

function assertBadArgument(fn: () => unknown, mentions: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof WeftError, `expected a WeftError, got ${String(err)}`);
    assert.equal(err.code, 'WEFT_BAD_ARGUMENT');
    assert.match(err.message, mentions);
    return true;
  });
}

describe('find by vector', () => {
  const index = randomDocs(64, 10, 11, 'x');
  const query = randomDocs(1, 10, 12, 'q').at(0) as Document;
  const f32 = query.embedding?.data as Float32Array;
  const expected = reference(Array.from(f32), index.map(vec), 'cosine', 5).map((w) => `x${w.i}`);

  it('accepts a typed array, number[], NdArray, [1, d] array, Document and DocumentArray of one', () => {
    const forms = [
      f32,
      Array.from(f32),
      new NdArray(f32),
      new NdArray(f32, [1, 10]),
      [Array.from(f32)],
      query,
      new DocumentArray([query]),
    ];
    for (const form of forms) {
      const out = index.find(form as Float32Array, { limit: 5 });
      assert.ok(out instanceof DocumentArray);
      assert.deepEqual(out.ids, expected);
      assert.ok(typeof out.at(0)?.scores.cosine?.value === 'number');
    }
  });

  it('supports every metric and returns shallow copies', () => {
    for (const metric of METRICS) {
      const out = findByVector(index, f32, { metric, limit: 4 });
      const want = reference(Array.from(f32), index.map(vec), metric, 4);
      assert.deepEqual(
        out.ids,
        want.map((w) => `x${w.i}`),
      );
      out.forEach((d, k) => {
        assert.ok(Math.abs((d.scores[metric]?.value as number) - (want[k]?.v as number)) < TOL);
      });
      assert.notEqual(out.at(0), index.get(out.at(0)?.id as string));
    }
    assert.deepEqual(index.at(0)?.scores, {});
    assert.equal(index.find(f32).length, 20); // default limit
  });

  it('find() dispatches vectors to vector search and objects to filters', () => {
    assert.deepEqual(index.find(f32, { limit: 5 }).ids, expected);
    assert.deepEqual(index.find({ tags__i: { $lt: 3 } }).ids, ['x0', 'x1', 'x2']);
  });

  it('rejects several query vectors and queries without an embedding', () => {
    assertBadArgument(
      () => index.find(new NdArray(new Float32Array(20), [2, 10])),
      /\[2, 10\] array of 2 vectors; use queries\.match\(index\)/,
    );
    assertBadArgument(
      () => index.find(new DocumentArray([query, query])),
      /DocumentArray of 2 documents; use queries\.match\(index\)/,
    );
    assertBadArgument(() => index.find(new Document({ id: 'nope' })), /query Document \(id 'nope'\) has no embedding/);
    assertBadArgument(() => index.find(new NdArray(new Float32Array(10), [1, 1, 10])), /must be 1-d/);
  });
});
