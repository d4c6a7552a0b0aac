/** Fixture documents: text documents and documents with seeded random embeddings, the same on every machine. */
import { Document, DocumentArray } from '../document/index.js';
import { seededRandom } from './random.js';

/**
 * One document per text (ids `0`, `1`, … unless `ids` are given); a number `n` makes `n` documents `doc 0`, ….
 * @example textDocs(['red shoes', 'blue hat'])
 */
export function textDocs(texts: readonly string[] | number, ids?: readonly string[]): DocumentArray {
  const list = typeof texts === 'number' ? Array.from({ length: texts }, (_, i) => `doc ${i}`) : texts;
  return new DocumentArray(list.map((text, i) => new Document({ id: ids?.[i] ?? String(i), text })));
}

/**
 * `n` documents with `dim`-dimensional float32 embeddings drawn from a seeded generator in [-1, 1).
 * @example embeddedDocs(100, 128, 7)
 */
export function embeddedDocs(n: number, dim: number, seed = 1): DocumentArray {
  const rnd = seededRandom(seed);
  const out: Document[] = [];
  for (let i = 0; i < n; i++) {
    const embedding = new Float32Array(dim);
    for (let j = 0; j < dim; j++) embedding[j] = rnd() * 2 - 1;
    out.push(new Document({ id: String(i), embedding }));
  }
  return new DocumentArray(out);
}
