/**
 * DocumentArray: an ordered, id-indexed collection of Documents with bulk views (`texts`, `embeddings`, `ids`),
 * batching, vector matching, Mongo-style filtering and Jina's reduce-by-id.
 */
import { BadArgumentError, BadDocumentError } from '../errors/index.js';
import { Document, type DocumentInit } from './document.js';
import type { TypedArray } from './dtype.js';
import { type Filter, filterDocs } from './filter.js';
import { type DocumentJson, documentArrayFromJson, documentArrayToJson } from './json-codec.js';
import { type FindOptions, findByVector, type MatchOptions, matchArrays, type VectorQuery } from './match.js';
import { NdArray } from './ndarray.js';
import { decodeDocumentArray, encodeDocumentArray } from './proto-codec.js';
import { reduceArrays } from './reduce.js';

export class DocumentArray implements Iterable<Document> {
  #docs: Document[];
  #byId: Map<string, number> | undefined;

  /**
   * @example
   * const da = new DocumentArray([{ text: 'a' }, { text: 'b' }]);
   * da.texts; // ['a', 'b']
   */
  constructor(docs: Iterable<Document | DocumentInit> = []) {
    this.#docs = [];
    for (const d of docs) this.#docs.push(toDocument(d));
  }

  /** Wrap any iterable of documents (returns a DocumentArray as is). */
  static from(docs: Iterable<Document | DocumentInit> | DocumentArray): DocumentArray {
    if (docs instanceof DocumentArray) return docs;
    if (
      typeof docs !== 'object' ||
      docs === null ||
      typeof (docs as Iterable<unknown>)[Symbol.iterator] !== 'function'
    ) {
      throw new BadDocumentError('Expected an iterable of Documents', { details: { field: 'docs' } });
    }
    return new DocumentArray(docs);
  }

  /** `n` new empty Documents (each with a fresh id). */
  static empty(n: number): DocumentArray {
    const da = new DocumentArray();
    for (let i = 0; i < n; i++) da.#docs.push(new Document());
    return da;
  }

  /** Adopt an array of Documents without copying or validating it (internal fast path). */
  static wrap(docs: Document[]): DocumentArray {
    const da = new DocumentArray();
    da.#docs = docs;
    return da;
  }

  get length(): number {
    return this.#docs.length;
  }

  [Symbol.iterator](): Iterator<Document> {
    return this.#docs[Symbol.iterator]();
  }

  /** The document at `index` (negative counts from the end). */
  at(index: number): Document | undefined {
    return this.#docs.at(index);
  }

  /** The document with this id. */
  get(id: string): Document | undefined {
    const i = this.indexOf(id);
    return i < 0 ? undefined : this.#docs[i];
  }

  has(id: string): boolean {
    return this.indexOf(id) >= 0;
  }

  /** Position of the document with this id, or -1. */
  indexOf(id: string): number {
    if (!this.#byId) this.#reindex();
    const i = this.#byId?.get(id);
    if (i !== undefined && this.#docs[i]?.id === id) return i;
    // ids may have been changed in place since the index was built: rebuild once
    this.#reindex();
    return this.#byId?.get(id) ?? -1;
  }

  /** Append documents; returns the new length. */
  push(...docs: (Document | DocumentInit)[]): number {
    for (const d of docs) this.#add(toDocument(d));
    return this.#docs.length;
  }

  /** Append every document of an iterable. */
  extend(docs: Iterable<Document | DocumentInit>): this {
    for (const d of docs) this.#add(toDocument(d));
    return this;
  }

  /** Replace the document at `index`. */
  set(index: number, doc: Document | DocumentInit): void {
    const i = index < 0 ? this.#docs.length + index : index;
    if (i < 0 || i >= this.#docs.length) {
      throw new BadArgumentError(`index ${index} is out of range for a DocumentArray of length ${this.#docs.length}`);
    }
    this.#docs[i] = toDocument(doc);
    this.#byId = undefined;
  }

  /** Remove the document with this id; returns whether one was removed. */
  remove(id: string): boolean {
    const i = this.indexOf(id);
    if (i < 0) return false;
    this.#docs.splice(i, 1);
    this.#byId = undefined;
    return true;
  }

  /** Remove every document. */
  clear(): void {
    this.#docs = [];
    this.#byId = undefined;
  }

  /** A new DocumentArray with the documents in `[start, end)` (same Document objects). */
  slice(start?: number, end?: number): DocumentArray {
    return DocumentArray.wrap(this.#docs.slice(start, end));
  }

  map<T>(fn: (doc: Document, index: number) => T): T[] {
    return this.#docs.map(fn);
  }

  forEach(fn: (doc: Document, index: number) => void): void {
    this.#docs.forEach(fn);
  }

  /** Documents for which `fn` is true, as a new DocumentArray. */
  filter(fn: (doc: Document, index: number) => boolean): DocumentArray {
    return DocumentArray.wrap(this.#docs.filter(fn));
  }

  /** A plain array of the documents (a copy of the list, same Document objects). */
  toArray(): Document[] {
    return [...this.#docs];
  }

  /** Deep copy. */
  clone(): DocumentArray {
    return DocumentArray.wrap(this.#docs.map((d) => d.clone()));
  }

  /** The ids in order. */
  get ids(): string[] {
    return this.#docs.map((d) => d.id);
  }

  /** The texts in order (`undefined` where a document has none). */
  get texts(): (string | undefined)[] {
    return this.#docs.map((d) => d.text);
  }
  set texts(values: readonly (string | undefined)[]) {
    this.#checkLength(values.length, 'texts');
    values.forEach((t, i) => {
      (this.#docs[i] as Document).text = t;
    });
  }

  /**
   * All embeddings as one `[n, d]` NdArray (one contiguous copy, dtype of the first embedding).
   * Throws `BadArgumentError` when a document has no embedding or the sizes differ.
   */
  get embeddings(): NdArray {
    const n = this.#docs.length;
    if (n === 0) return new NdArray(new Float32Array(0), [0, 0]);
    const first = this.#docs[0]?.embedding;
    if (!first) throw missingEmbedding(0);
    const d = first.size;
    const Ctor = first.data.constructor as new (n: number) => TypedArray;
    const out = new Ctor(n * d);
    for (let i = 0; i < n; i++) {
      const e = (this.#docs[i] as Document).embedding;
      if (!e) throw missingEmbedding(i);
      if (e.size !== d) {
        throw new BadArgumentError(
          `embeddings differ in size: document 0 has ${d} values, document ${i} has ${e.size}`,
        );
      }
      if (e.data.constructor === Ctor) (out as Float32Array).set(e.data as Float32Array, i * d);
      else for (let j = 0; j < d; j++) (out as Float32Array)[i * d + j] = e.get(j);
    }
    return new NdArray(out, [n, d], first.dtype);
  }
  /** Set each document's embedding to a row of an `[n, d]` array (rows are views, not copies). */
  set embeddings(matrix: NdArray) {
    if (matrix.shape.length !== 2) {
      throw new BadArgumentError(`embeddings must be a 2-d [n, d] array, got shape [${matrix.shape.join(', ')}]`);
    }
    this.#checkLength(matrix.shape[0] as number, 'embeddings');
    this.#docs.forEach((doc, i) => {
      doc.embedding = matrix.row(i);
    });
  }

  /** Split into consecutive DocumentArrays of at most `size` documents. */
  *batch(size: number): Generator<DocumentArray> {
    if (!Number.isInteger(size) || size < 1)
      throw new BadArgumentError(`batch size must be a positive integer, got ${size}`);
    for (let i = 0; i < this.#docs.length; i += size) yield this.slice(i, i + size);
  }

  /**
   * For each document here, find the nearest documents of `other` by embedding and write them to `matches`
   * with `scores[metric]`, best first.
   * @example da.match(index, { metric: 'cosine', limit: 10 })
   */
  match(other: DocumentArray, options: MatchOptions = {}): this {
    matchArrays(this, other, options);
    return this;
  }

  /**
   * Vector search (`find(vector, { limit, metric })`, returning the nearest documents with scores) or
   * Mongo-style filtering (`find({ tags__price: { $lt: 10 } })`).
   */
  find(query: VectorQuery, options?: FindOptions): DocumentArray;
  find(filter: Filter): DocumentArray;
  find(query: VectorQuery | Filter, options: FindOptions = {}): DocumentArray {
    if (isVectorQuery(query)) return findByVector(this, query, options);
    return filterDocs(this, query as Filter);
  }

  /** Merge `other` into this array by document id, the way Jina joins do. Returns `this`. */
  reduce(other: DocumentArray): this {
    reduceArrays(this, other);
    return this;
  }

  /** Reduce several arrays into this one, left to right. */
  reduceAll(others: Iterable<DocumentArray>): this {
    for (const o of others) reduceArrays(this, o);
    return this;
  }

  /** docarray v1 `DocumentArrayProto` bytes. */
  toBytes(): Uint8Array {
    return encodeDocumentArray(this);
  }

  /** Decode docarray v1 `DocumentArrayProto` bytes; throws `DecodeError` (WEFT_DECODE) on malformed input. */
  static fromBytes(bytes: Uint8Array): DocumentArray {
    return decodeDocumentArray(bytes);
  }

  /** A list of documents in Jina's JSON shape. */
  toJSON(): DocumentJson[] {
    return documentArrayToJson(this);
  }

  /** Build from a list of JSON documents (or a JSON string of one). */
  static fromJSON(json: DocumentJson[] | string): DocumentArray {
    return documentArrayFromJson(json);
  }

  #add(doc: Document): void {
    this.#docs.push(doc);
    this.#byId?.set(doc.id, this.#docs.length - 1);
  }

  #reindex(): void {
    const m = new Map<string, number>();
    this.#docs.forEach((d, i) => {
      if (!m.has(d.id)) m.set(d.id, i);
    });
    this.#byId = m;
  }

  #checkLength(n: number, field: string): void {
    if (n !== this.#docs.length) {
      throw new BadArgumentError(
        `${field} has ${n} entries but the DocumentArray holds ${this.#docs.length} documents`,
      );
    }
  }
}

function toDocument(d: Document | DocumentInit): Document {
  return d instanceof Document ? d : new Document(d);
}

function missingEmbedding(i: number): BadArgumentError {
  return new BadArgumentError(`document ${i} has no embedding; every document needs one for a bulk embeddings view`);
}

function isVectorQuery(q: unknown): q is VectorQuery {
  return (
    q instanceof NdArray ||
    q instanceof Document ||
    q instanceof DocumentArray ||
    ArrayBuffer.isView(q) ||
    (Array.isArray(q) && (q.length === 0 || typeof q[0] === 'number' || Array.isArray(q[0])))
  );
}
