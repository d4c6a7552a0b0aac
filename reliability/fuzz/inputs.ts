/**
 * Inputs for the fuzz scenario: fast-check arbitraries for random values, and mutations of valid encodings (bytes
 * flipped, cut, inserted, duplicated), each drawn with a seed so a run replays exactly.
 */
import fc from 'fast-check';

/** `n` values of `arb` for `seed` (the same seed gives the same values). */
export function draw<T>(arb: fc.Arbitrary<T>, n: number, seed: number): T[] {
  return fc.sample(arb, { numRuns: n, seed });
}

/** One edit of a byte string. */
type Edit = { at: number; kind: 'flip' | 'set' | 'cut' | 'insert' | 'dup'; byte: number; len: number };

const edit: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('flip', 'set', 'cut', 'insert', 'dup'),
  byte: fc.integer({ min: 0, max: 255 }),
  len: fc.integer({ min: 1, max: 16 }),
});

/** Apply `edits` to a copy of `base`. */
export function mutate(base: Uint8Array, edits: readonly Edit[]): Uint8Array {
  let b = Buffer.from(base);
  for (const e of edits) {
    const at = b.length === 0 ? 0 : e.at % b.length;
    if (e.kind === 'flip' && b.length > 0) b[at] = (b[at] as number) ^ (1 << (e.byte % 8));
    else if (e.kind === 'set' && b.length > 0) b[at] = e.byte;
    else if (e.kind === 'cut') b = Buffer.concat([b.subarray(0, at), b.subarray(at + e.len)]);
    else if (e.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.alloc(e.len, e.byte), b.subarray(at)]);
    else if (e.kind === 'dup') b = Buffer.concat([b.subarray(0, at + e.len), b.subarray(at)]);
  }
  return new Uint8Array(b);
}

/** Mutations of one of `bases`, mixed with wholly random bytes. */
export function bytesLike(bases: readonly Uint8Array[], maxRandom = 512): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...bases), fc.array(edit, { minLength: 1, maxLength: 6 }))
        .map(([b, e]) => mutate(b, e)),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: maxRandom }) },
  );
}

/** Mutations of one of `bases` as text (edits on its UTF-8 bytes), mixed with random strings. */
export function textLike(bases: readonly string[]): fc.Arbitrary<string> {
  const bytes = bases.map((s) => new Uint8Array(Buffer.from(s)));
  return fc.oneof(
    { weight: 3, arbitrary: bytesLike(bytes, 0).map((b) => Buffer.from(b).toString('utf8')) },
    { weight: 1, arbitrary: fc.string({ maxLength: 300, unit: 'binary' }) },
  );
}

/** Random JSON values, and mutations of the valid ones, as JSON text (sometimes not JSON any more). */
export function jsonTextLike(bases: readonly unknown[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 2, arbitrary: textLike(bases.map((b) => JSON.stringify(b))) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 4 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...bases), fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }))
        .map(([b, k, v]) => JSON.stringify({ ...(b as object), [k]: v })),
    },
  );
}
