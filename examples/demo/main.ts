/**
 * `npm start` until the shop-the-look app lands: a small, real tour of what weft has today.
 * A product catalogue becomes Documents with tags and embeddings (hashed character trigrams, a real if simple
 * text featurizer), a query is matched against it, results are filtered Mongo-style, and the whole array goes
 * through the Jina-compatible protobuf and JSON codecs and back.
 */
import { Document, DocumentArray } from 'weft';

const CATALOGUE: [title: string, category: string, price: number][] = [
  ['red cotton summer dress', 'dresses', 49],
  ['blue denim jacket', 'jackets', 89],
  ['black leather ankle boots', 'shoes', 129],
  ['white canvas sneakers', 'shoes', 59],
  ['floral print maxi dress', 'dresses', 79],
  ['navy wool winter coat', 'jackets', 199],
  ['red silk evening dress', 'dresses', 159],
  ['brown suede loafers', 'shoes', 99],
  ['grey hooded sweatshirt', 'tops', 39],
  ['striped linen shirt', 'tops', 45],
];

const DIM = 256;

/** Hash character trigrams into a DIM-d vector, L2-normalised. */
function embed(text: string): Float32Array {
  const v = new Float32Array(DIM);
  const s = `  ${text.toLowerCase()}  `;
  for (let i = 0; i + 3 <= s.length; i++) {
    let h = 2166136261;
    for (let j = i; j < i + 3; j++) h = Math.imul(h ^ s.charCodeAt(j), 16777619);
    const k = (h >>> 0) % DIM;
    v[k] = (v[k] as number) + 1;
  }
  const norm = Math.hypot(...v) || 1;
  for (let i = 0; i < DIM; i++) v[i] = (v[i] as number) / norm;
  return v;
}

const index = new DocumentArray(
  CATALOGUE.map(([title, category, price]) => ({ text: title, tags: { category, price }, embedding: embed(title) })),
);
console.log(`indexed ${index.length} products, embeddings ${index.embeddings.shape.join('×')}`);

const query = new DocumentArray([{ text: 'red dress', embedding: embed('red dress') }]);
query.match(index, { metric: 'cosine', limit: 3 });
console.log('\nquery "red dress", top 3 by cosine distance:');
for (const m of query.at(0)?.matches ?? []) {
  console.log(`  ${m.scores.cosine?.value.toFixed(3)}  ${m.text}  (${m.tags.price} €)`);
}

const cheapShoes = index.find({ $and: [{ tags__category: { $eq: 'shoes' } }, { tags__price: { $lt: 100 } }] });
console.log(`\nshoes under 100 €: ${cheapShoes.texts.join(', ')}`);

const bytes = index.toBytes();
const back = DocumentArray.fromBytes(bytes);
const json = JSON.stringify(index.toJSON());
console.log(
  `\nprotobuf (docarray v1): ${bytes.byteLength} bytes; JSON: ${json.length} chars; round trip kept ${back.length} docs, first: "${back.at(0)?.text}"`,
);
console.log(`a single Document as JSON: ${JSON.stringify(new Document({ text: 'hello', tags: { k: 1 } }).toJSON())}`);
