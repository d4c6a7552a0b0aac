import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../testing/index.js';
import { dot, inverseNorms, scanDot, scanSqDist, sqDist } from './metrics.js';
import { simdWorkspace } from './simd-kernels.js';
import { TopK } from './top-k.js';

function randomRows(count: number, d: number, rnd: () => number): Float32Array {
  const out = new Float32Array(count * d);
  for (let i = 0; i < out.length; i++) out[i] = rnd() * 2 - 1;
  return out;
}

type Kind = 'cosine' | 'dot' | 'sqdist';

/** Reference keys per query (what the kernels offer), sorted by (key, row), cut to `k`. */
function reference(Q: Float32Array, m: number, X: Float32Array, n: number, d: number, kind: Kind, k: number) {
  return Array.from({ length: m }, (_, q) => {
    const qv = Array.from(Q.subarray(q * d, (q + 1) * d));
    const all = Array.from({ length: n }, (_, r) => {
      const x = Array.from(X.subarray(r * d, (r + 1) * d));
      let s = 0;
      let xx = 0;
      for (let j = 0; j < d; j++) {
        s += kind === 'sqdist' ? ((qv[j] as number) - (x[j] as number)) ** 2 : (qv[j] as number) * (x[j] as number);
        xx += (x[j] as number) ** 2;
      }
      const key = kind === 'sqdist' ? s : kind === 'dot' ? -s : xx === 0 ? -0 : -s / Math.sqrt(xx);
      return { r, key };
    });
    return all.sort((a, b) => a.key - b.key || a.r - b.r).slice(0, k);
  });
}

function lists(top: TopK, m: number) {
  return Array.from({ length: m }, (_, q) => {
    const count = top.finish(q);
    return Array.from({ length: count }, (_, i) => ({
      r: top.ids[q * top.cap + i] as number,
      key: top.keys[q * top.cap + i] as number,
    }));
  });
}

function assertSame(got: { r: number; key: number }[][], want: { r: number; key: number }[][], label: string): void {
  assert.equal(got.length, want.length);
  got.forEach((list, q) => {
    assert.deepEqual(
      list.map((e) => e.r),
      want[q]?.map((e) => e.r),
      `${label}: rows of query ${q}`,
    );
    list.forEach((e, i) => {
      assert.ok(Math.abs(e.key - (want[q]?.[i]?.key as number)) < 1e-9, `${label}: key`);
    });
  });
}

// shapes chosen to hit every remainder: queries not a multiple of 4, rows not a multiple of 2 or 8, odd d
const SHAPES: [m: number, n: number, d: number, k: number][] = [
  [13, 157, 37, 7],
  [1, 1, 1, 3],
  [4, 8, 2, 8],
  [5, 9, 3, 4],
  [3, 300, 130, 10], // several tiles in the SIMD path
  [2, 17, 5, 17],
];

describe('match kernels', () => {
  for (const kind of ['cosine', 'dot', 'sqdist'] as const) {
    it(`${kind}: JS and SIMD kernels select the same rows as a reference`, () => {
      const rnd = seededRandom(kind.length);
      for (const [m, n, d, k] of SHAPES) {
        const Q = randomRows(m, d, rnd);
        const X = randomRows(n, d, rnd);
        if (n > 2) X.fill(0, d, 2 * d); // a zero row
        const want = reference(Q, m, X, n, d, kind, k);
        const label = `${kind} ${m}x${n}x${d}`;

        const jsTop = new TopK(m, Math.min(k, n));
        if (kind === 'sqdist') scanSqDist(Q, m, X, n, d, jsTop);
        else scanDot(Q, m, X, n, d, kind === 'dot' ? new Float64Array(n).fill(1) : inverseNorms(X, n, d), jsTop);
        assertSame(lists(jsTop, m), want, `js ${label}`);

        const ws = simdWorkspace(m, n, d);
        assert.ok(ws, 'this Node has WebAssembly SIMD');
        for (let i = 0; i < m; i++) {
          ws.Q.set(Q.subarray(i * d, (i + 1) * d), i * ws.stride);
          ws.Q.fill(0, i * ws.stride + d, (i + 1) * ws.stride);
        }
        for (let i = 0; i < n; i++) {
          ws.X.set(X.subarray(i * d, (i + 1) * d), i * ws.stride);
          ws.X.fill(0, i * ws.stride + d, (i + 1) * ws.stride);
        }
        const simdTop = new TopK(m, Math.min(k, n));
        const norms = ws.inverseRowNorms();
        inverseNorms(X, n, d).forEach((v, i) => {
          assert.ok(Math.abs(v - (norms[i] as number)) < 1e-12);
        });
        ws.scan(kind === 'sqdist' ? 'sqdist' : 'dot', kind === 'cosine' ? norms : undefined, simdTop);
        assertSame(lists(simdTop, m), want, `simd ${label}`);
      }
    });
  }

  it('dot and sqDist agree with plain loops, including the unrolled remainder', () => {
    const rnd = seededRandom(3);
    for (const d of [0, 1, 3, 4, 5, 8, 31]) {
      const a = randomRows(1, d, rnd);
      const b = new Float64Array(randomRows(1, d, rnd));
      let s = 0;
      let e = 0;
      for (let j = 0; j < d; j++) {
        s += (a[j] as number) * (b[j] as number);
        e += ((a[j] as number) - (b[j] as number)) ** 2;
      }
      assert.ok(Math.abs(dot(a, 0, b, 0, d) - s) < 1e-12);
      assert.ok(Math.abs(sqDist(a, 0, b, 0, d) - e) < 1e-12);
    }
  });
});

describe('TopK', () => {
  it('keeps the k smallest keys, sorted, ties to the smaller id', () => {
    for (const [seed, cap, distinct] of [
      [13, 25, 50],
      [14, 7, 5],
      [15, 64, 3],
      [16, 1, 4],
      [17, 600, 40],
    ] as const) {
      const rnd = seededRandom(seed);
      const keys = Array.from({ length: 500 }, () => Math.floor(rnd() * distinct)); // many ties
      const top = new TopK(2, cap);
      keys.forEach((k, id) => {
        if (k < (top.worst[1] as number)) top.insert(1, k, id);
      });
      const n = top.finish(1);
      const want = keys
        .map((k, id) => ({ k, id }))
        .sort((a, b) => a.k - b.k || a.id - b.id)
        .slice(0, cap);
      assert.equal(n, want.length);
      assert.deepEqual(
        Array.from(top.ids.subarray(cap, cap + n)),
        want.map((w) => w.id),
      );
      assert.deepEqual(
        Array.from(top.keys.subarray(cap, cap + n)),
        want.map((w) => w.k),
      );
      assert.equal(top.finish(0), 0);
    }
  });
});
