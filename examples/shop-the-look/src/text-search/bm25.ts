/**
 * A small in-memory BM25 index (Okapi BM25, k1 1.2, b 0.75) over short texts such as product titles and
 * categories: words are lower-cased, accents folded, and a trailing plural `s` dropped, so "Red Hats" finds
 * "red hat". Enough for a catalogue of thousands of products; no stemming dictionary, no fuzzy matching.
 */

const K1 = 1.2;
const B = 0.75;

/** The words of `text` as the index sees them. */
export function tokenize(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0)
    .map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));
}

export interface Bm25Hit {
  id: string;
  score: number;
}

export class Bm25Index {
  /** id -> term frequencies and length of its text. */
  readonly #docs = new Map<string, { tf: Map<string, number>; length: number }>();
  /** term -> ids of the texts holding it. */
  readonly #postings = new Map<string, Set<string>>();
  #totalLength = 0;

  get size(): number {
    return this.#docs.size;
  }

  has(id: string): boolean {
    return this.#docs.has(id);
  }

  /** Add or replace the text of `id`. */
  set(id: string, text: string): void {
    this.delete(id);
    const words = tokenize(text);
    const tf = new Map<string, number>();
    for (const w of words) tf.set(w, (tf.get(w) ?? 0) + 1);
    this.#docs.set(id, { tf, length: words.length });
    this.#totalLength += words.length;
    for (const w of tf.keys()) {
      let ids = this.#postings.get(w);
      if (!ids) this.#postings.set(w, (ids = new Set()));
      ids.add(id);
    }
  }

  delete(id: string): boolean {
    const doc = this.#docs.get(id);
    if (!doc) return false;
    this.#docs.delete(id);
    this.#totalLength -= doc.length;
    for (const w of doc.tf.keys()) {
      const ids = this.#postings.get(w);
      ids?.delete(id);
      if (ids?.size === 0) this.#postings.delete(w);
    }
    return true;
  }

  clear(): void {
    this.#docs.clear();
    this.#postings.clear();
    this.#totalLength = 0;
  }

  /**
   * The texts holding at least one word of `query`, best first (ties by id), those `accept` refuses left out.
   * @example index.search('red hat', 5) // [{ id: 'red-fedora', score: 3.1 }, …]
   */
  search(query: string, limit: number, accept: (id: string) => boolean = () => true): Bm25Hit[] {
    const n = this.#docs.size;
    if (n === 0) return [];
    const avg = this.#totalLength / n || 1;
    const scores = new Map<string, number>();
    for (const w of new Set(tokenize(query))) {
      const ids = this.#postings.get(w);
      if (!ids) continue;
      const idf = Math.log(1 + (n - ids.size + 0.5) / (ids.size + 0.5));
      for (const id of ids) {
        const doc = this.#docs.get(id) as { tf: Map<string, number>; length: number };
        const f = doc.tf.get(w) as number;
        const s = (idf * f * (K1 + 1)) / (f + K1 * (1 - B + (B * doc.length) / avg));
        scores.set(id, (scores.get(id) ?? 0) + s);
      }
    }
    return [...scores]
      .filter(([id]) => accept(id))
      .map(([id, score]) => ({ id, score }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, limit);
  }
}
