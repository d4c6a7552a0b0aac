/**
 * Scoring kernels for vector matching. Queries and index rows live in contiguous row-major typed arrays; each
 * kernel scans index tiles (sized to stay in cache) against blocks of 4 queries x 2 rows, so every loaded value
 * feeds several multiply-adds, and offers each pair's ranking key to a `TopK` list without allocating.
 * Products and sums are computed in float64 whatever the storage type.
 */
import type { TopK } from './top-k.js';

/** Row-major storage of packed vectors. */
export type Vectors = Float32Array | Float64Array;

/** Bytes of index rows scanned per tile before moving on to the next tile. */
const TILE_BYTES = 128 * 1024;

/**
 * For every query row q of `Q` (`m` x `d`) and index row r of `X` (`n` x `d`), offer the key
 * `-(Q[q] . X[r]) * scale[r]` to list q of `top`. With `scale` = inverse row norms this ranks by cosine
 * similarity; with all ones, by inner product.
 * @example scanDot(queries, 2, rows, 100, 64, invNorms, new TopK(2, 10))
 */
export function scanDot(Q: Vectors, m: number, X: Vectors, n: number, d: number, scale: Float64Array, top: TopK): void {
  const worst = top.worst;
  const step = tileRows(d, X.BYTES_PER_ELEMENT);
  const m4 = m - (m % 4);
  for (let r0 = 0; r0 < n; r0 += step) {
    const r1 = Math.min(n, r0 + step);
    const rEven = r0 + ((r1 - r0) & ~1);
    for (let q = 0; q < m4; q += 4) {
      const a0 = q * d;
      const a1 = a0 + d;
      const a2 = a1 + d;
      const a3 = a2 + d;
      for (let r = r0; r < rEven; r += 2) {
        const x0 = r * d;
        const x1 = x0 + d;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0,
          t0 = 0,
          t1 = 0,
          t2 = 0,
          t3 = 0;
        for (let j = 0; j < d; j++) {
          const v = X[x0 + j] as number;
          const w = X[x1 + j] as number;
          const p0 = Q[a0 + j] as number;
          const p1 = Q[a1 + j] as number;
          const p2 = Q[a2 + j] as number;
          const p3 = Q[a3 + j] as number;
          s0 += p0 * v;
          s1 += p1 * v;
          s2 += p2 * v;
          s3 += p3 * v;
          t0 += p0 * w;
          t1 += p1 * w;
          t2 += p2 * w;
          t3 += p3 * w;
        }
        const c = -(scale[r] as number);
        const e = -(scale[r + 1] as number);
        let k = s0 * c;
        if (k < (worst[q] as number)) top.insert(q, k, r);
        k = t0 * e;
        if (k < (worst[q] as number)) top.insert(q, k, r + 1);
        k = s1 * c;
        if (k < (worst[q + 1] as number)) top.insert(q + 1, k, r);
        k = t1 * e;
        if (k < (worst[q + 1] as number)) top.insert(q + 1, k, r + 1);
        k = s2 * c;
        if (k < (worst[q + 2] as number)) top.insert(q + 2, k, r);
        k = t2 * e;
        if (k < (worst[q + 2] as number)) top.insert(q + 2, k, r + 1);
        k = s3 * c;
        if (k < (worst[q + 3] as number)) top.insert(q + 3, k, r);
        k = t3 * e;
        if (k < (worst[q + 3] as number)) top.insert(q + 3, k, r + 1);
      }
      if (rEven < r1) scanDotOne(Q, q, q + 4, X, rEven, r1, d, scale, top);
    }
    if (m4 < m) scanDotOne(Q, m4, m, X, r0, r1, d, scale, top);
  }
}

/**
 * For every query row q and index row r, offer the squared L2 distance `|Q[q] - X[r]|^2` to list q of `top`
 * (computed from the differences, so a vector's distance to itself is exactly 0).
 * @example scanSqDist(queries, 2, rows, 100, 64, new TopK(2, 10))
 */
export function scanSqDist(Q: Vectors, m: number, X: Vectors, n: number, d: number, top: TopK): void {
  const worst = top.worst;
  const step = tileRows(d, X.BYTES_PER_ELEMENT);
  const m4 = m - (m % 4);
  for (let r0 = 0; r0 < n; r0 += step) {
    const r1 = Math.min(n, r0 + step);
    const rEven = r0 + ((r1 - r0) & ~1);
    for (let q = 0; q < m4; q += 4) {
      const a0 = q * d;
      const a1 = a0 + d;
      const a2 = a1 + d;
      const a3 = a2 + d;
      for (let r = r0; r < rEven; r += 2) {
        const x0 = r * d;
        const x1 = x0 + d;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0,
          t0 = 0,
          t1 = 0,
          t2 = 0,
          t3 = 0;
        for (let j = 0; j < d; j++) {
          const v = X[x0 + j] as number;
          const w = X[x1 + j] as number;
          const p0 = Q[a0 + j] as number;
          const p1 = Q[a1 + j] as number;
          const p2 = Q[a2 + j] as number;
          const p3 = Q[a3 + j] as number;
          let u = p0 - v;
          s0 += u * u;
          u = p1 - v;
          s1 += u * u;
          u = p2 - v;
          s2 += u * u;
          u = p3 - v;
          s3 += u * u;
          u = p0 - w;
          t0 += u * u;
          u = p1 - w;
          t1 += u * u;
          u = p2 - w;
          t2 += u * u;
          u = p3 - w;
          t3 += u * u;
        }
        if (s0 < (worst[q] as number)) top.insert(q, s0, r);
        if (t0 < (worst[q] as number)) top.insert(q, t0, r + 1);
        if (s1 < (worst[q + 1] as number)) top.insert(q + 1, s1, r);
        if (t1 < (worst[q + 1] as number)) top.insert(q + 1, t1, r + 1);
        if (s2 < (worst[q + 2] as number)) top.insert(q + 2, s2, r);
        if (t2 < (worst[q + 2] as number)) top.insert(q + 2, t2, r + 1);
        if (s3 < (worst[q + 3] as number)) top.insert(q + 3, s3, r);
        if (t3 < (worst[q + 3] as number)) top.insert(q + 3, t3, r + 1);
      }
      if (rEven < r1) scanSqDistOne(Q, q, q + 4, X, rEven, r1, d, top);
    }
    if (m4 < m) scanSqDistOne(Q, m4, m, X, r0, r1, d, top);
  }
}

/**
 * `1 / |row|` for the first `n` rows of `X`, rows `stride` values apart (0 for a zero row, so its cosine
 * similarity to anything is 0).
 * @example inverseNorms(new Float32Array([3, 4, 0, 0]), 2, 2) // Float64Array [0.2, 0]
 */
export function inverseNorms(X: Vectors, n: number, stride: number): Float64Array {
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const o = r * stride;
    const norm = Math.sqrt(dot(X, o, X, o, stride));
    out[r] = norm > 0 ? 1 / norm : 0;
  }
  return out;
}

/** Inner product of `A[a .. a+d)` and `B[b .. b+d)`, 4-way unrolled. */
export function dot(A: Vectors, a: number, B: Vectors, b: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < d; j += 4) {
    s0 += (A[a + j] as number) * (B[b + j] as number);
    s1 += (A[a + j + 1] as number) * (B[b + j + 1] as number);
    s2 += (A[a + j + 2] as number) * (B[b + j + 2] as number);
    s3 += (A[a + j + 3] as number) * (B[b + j + 3] as number);
  }
  for (; j < d; j++) s0 += (A[a + j] as number) * (B[b + j] as number);
  return s0 + s1 + (s2 + s3);
}

/** Squared L2 distance between `A[a .. a+d)` and `B[b .. b+d)`, 4-way unrolled. */
export function sqDist(A: Vectors, a: number, B: Vectors, b: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < d; j += 4) {
    const u0 = (A[a + j] as number) - (B[b + j] as number);
    const u1 = (A[a + j + 1] as number) - (B[b + j + 1] as number);
    const u2 = (A[a + j + 2] as number) - (B[b + j + 2] as number);
    const u3 = (A[a + j + 3] as number) - (B[b + j + 3] as number);
    s0 += u0 * u0;
    s1 += u1 * u1;
    s2 += u2 * u2;
    s3 += u3 * u3;
  }
  for (; j < d; j++) {
    const u = (A[a + j] as number) - (B[b + j] as number);
    s0 += u * u;
  }
  return s0 + s1 + (s2 + s3);
}

/** Queries `[q0, q1)` against rows `[r0, r1)`, one pair at a time (leftover queries and rows). */
function scanDotOne(
  Q: Vectors,
  q0: number,
  q1: number,
  X: Vectors,
  r0: number,
  r1: number,
  d: number,
  scale: Float64Array,
  top: TopK,
): void {
  const worst = top.worst;
  for (let q = q0; q < q1; q++) {
    const a = q * d;
    for (let r = r0; r < r1; r++) {
      const k = -dot(Q, a, X, r * d, d) * (scale[r] as number);
      if (k < (worst[q] as number)) top.insert(q, k, r);
    }
  }
}

function scanSqDistOne(
  Q: Vectors,
  q0: number,
  q1: number,
  X: Vectors,
  r0: number,
  r1: number,
  d: number,
  top: TopK,
): void {
  const worst = top.worst;
  for (let q = q0; q < q1; q++) {
    const a = q * d;
    for (let r = r0; r < r1; r++) {
      const k = sqDist(Q, a, X, r * d, d);
      if (k < (worst[q] as number)) top.insert(q, k, r);
    }
  }
}

/** Rows per tile: about `TILE_BYTES` of index data, at least 2. */
function tileRows(d: number, bytesPerValue: number): number {
  return Math.max(2, Math.floor(TILE_BYTES / Math.max(1, d * bytesPerValue)));
}
