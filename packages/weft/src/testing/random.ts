/** Seeded randomness for tests and benchmarks: the same seed gives the same numbers on every machine. */

/**
 * A fast seeded PRNG (mulberry32) returning floats in [0, 1).
 * @example const rnd = seededRandom(42); rnd(); // 0.6011...
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
