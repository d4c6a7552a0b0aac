/**
 * One shopper's search as the Flow's `/search` request, and its answer as the page needs it. A query is a photo,
 * words, or both (the Flow ranks the two branches' matches together), or "more like" a product (its stored
 * embedding); a category narrows it. The answer carries the matches only: `dropImage` and `dropQueryEmbedding`
 * keep the uploaded photo and its embedding out of it.
 */
import { Document, DocumentArray, type Gateway, type JsonObject } from '@weft-ai/weft';

export interface ShopQuery {
  image?: { bytes: Uint8Array; mimeType?: string };
  text?: string;
  /** The id of a product whose look to search for ("more like this"). */
  like?: string;
  category?: string;
  limit: number;
  /** Ids still in the catalogue: a product removed from it since it was indexed is not shown. */
  known?: ReadonlySet<string>;
}

export interface ShopMatch {
  id: string;
  title: string;
  category: string;
  price?: number;
  image: string;
  scores: {
    /** Cosine similarity of the images (1 − cosine distance). */
    image?: number;
    /** The calibrated image score in [0, 1] and whether it counts as the same product. */
    calibrated?: number;
    match?: boolean;
    /** BM25 score of the words. */
    text?: number;
    /** The fused rank score. */
    rrf?: number;
  };
}

export interface ShopAnswer {
  matches: ShopMatch[];
  /** For a photo: whether some match is close enough to be the same product (the calibrated score says so). */
  closeMatch?: boolean;
}

export class UnknownProductError extends Error {
  override name = 'UnknownProductError';
}

export async function runSearch(gateway: Gateway, q: ShopQuery): Promise<ShopAnswer> {
  const doc = new Document({ id: 'query' });
  const text = q.text?.trim() || undefined;
  if (q.image) {
    doc.blob = q.image.bytes;
    if (q.image.mimeType) doc.mimeType = q.image.mimeType;
    if (text) doc.tags = { text };
  } else if (q.like !== undefined) {
    const [stored] = await gateway.post('/fill', new DocumentArray([{ id: q.like }]), { targetExecutor: '^indexer$' });
    if (!stored?.embedding) throw new UnknownProductError(`no product '${q.like}' in the index`);
    doc.embedding = stored.embedding;
    if (text) doc.tags = { text };
  } else if (text) doc.text = text;
  const parameters: JsonObject = {
    limit: q.like !== undefined ? q.limit + 1 : q.limit,
    dropImage: true,
    dropQueryEmbedding: true,
  };
  if (q.category) parameters.filter = { tags__category: { $eq: q.category } };
  const [answer] = await gateway.post('/search', new DocumentArray([doc]), { parameters });
  const matches = (answer?.matches.toArray() ?? [])
    .filter((m) => m.id !== q.like && (q.known?.has(m.id) ?? true))
    .slice(0, q.limit)
    .map(toMatch);
  const visual = q.image !== undefined || q.like !== undefined;
  return {
    matches,
    ...(visual && matches.some((m) => m.scores.image !== undefined)
      ? { closeMatch: matches.some((m) => m.scores.match === true) }
      : {}),
  };
}

function toMatch(m: Document): ShopMatch {
  const s = m.scores;
  const t = m.tags;
  const scores: ShopMatch['scores'] = {};
  if (s.cosine) scores.image = 1 - s.cosine.value;
  if (s.calibrated) scores.calibrated = s.calibrated.value;
  if (s.match) scores.match = s.match.value === 1;
  if (s.bm25) scores.text = s.bm25.value;
  if (s.rrf) scores.rrf = s.rrf.value;
  return {
    id: m.id,
    title: String(t.title ?? m.id),
    category: String(t.category ?? ''),
    ...(typeof t.price === 'number' ? { price: t.price } : {}),
    image: String(t.image ?? ''),
    scores,
  };
}
