/**
 * Document: weft's one data type, field-for-field docarray v1 (`DocumentProto`). Content is exactly one of
 * `text`, `blob` or `tensor`; `embedding`, `tags`, nested `chunks`/`matches` and `scores` travel with it.
 */
import { randomUUID } from 'node:crypto';
import { BadDocumentError } from '../errors/index.js';
import { assertJsonObject, cloneJson, isPlainObject, type JsonObject } from '../wire/index.js';
import { DocumentArray } from './document-array.js';
import {
  checkBlob,
  checkNumber,
  checkNumberList,
  checkString,
  checkUint32,
  cloneScores,
  normalizeScores,
  SCALAR_FIELDS,
} from './document-fields.js';
import { type DocumentJson, documentFromJson, documentToJson } from './json-codec.js';
import { type ImageTensorOptions, type LoadUriOptions, loadImageTensor, loadUri } from './load-uri.js';
import { NdArray, type NdArrayLike } from './ndarray.js';
import { decodeDocument, encodeDocument } from './proto-codec.js';

/** A named score or evaluation (docarray `NamedScoreProto`). */
export interface NamedScore {
  value: number;
  opName?: string;
  description?: string;
  refId?: string;
}

/** What `new Document(...)` accepts: every field optional, camelCase. */
export interface DocumentInit {
  id?: string;
  text?: string;
  blob?: Uint8Array;
  tensor?: NdArrayLike;
  embedding?: NdArrayLike;
  uri?: string;
  mimeType?: string;
  modality?: string;
  tags?: JsonObject;
  chunks?: Iterable<Document | DocumentInit>;
  matches?: Iterable<Document | DocumentInit>;
  scores?: Record<string, NamedScore | number>;
  evaluations?: Record<string, NamedScore | number>;
  parentId?: string;
  granularity?: number;
  adjacency?: number;
  weight?: number;
  offset?: number;
  location?: number[];
  /** docarray's `_metadata` Struct, kept so it survives a round trip. */
  metadata?: JsonObject;
}

/** Parts for `Document.fromTrusted`: already validated, assigned as they are. */
export interface TrustedDocumentParts {
  id: string;
  text?: string | undefined;
  blob?: Uint8Array | undefined;
  tensor?: NdArray | undefined;
  embedding?: NdArray | undefined;
  tags?: JsonObject | undefined;
  chunks?: DocumentArray | undefined;
  matches?: DocumentArray | undefined;
  uri?: string | undefined;
  mimeType?: string | undefined;
  modality?: string | undefined;
  parentId?: string | undefined;
  granularity?: number | undefined;
  adjacency?: number | undefined;
  weight?: number | undefined;
  offset?: number | undefined;
  location?: number[] | undefined;
  metadata?: JsonObject | undefined;
  scores?: Record<string, NamedScore> | undefined;
  evaluations?: Record<string, NamedScore> | undefined;
}

/** Constructor sentinel for `Document.fromTrusted`: skip validation, the caller assigns every field. */
const TRUSTED: DocumentInit = Object.freeze({});

/** The three mutually exclusive content fields. */
export type ContentField = 'text' | 'blob' | 'tensor';

/** A new random 32-hex-digit id. */
export function newDocumentId(): string {
  return randomUUID().replaceAll('-', '');
}

const CONTENT_FIELDS: readonly ContentField[] = ['text', 'blob', 'tensor'];

export class Document {
  id: string;
  uri?: string;
  mimeType?: string;
  modality?: string;
  parentId?: string;
  granularity?: number;
  adjacency?: number;
  weight?: number;
  offset?: number;
  location?: number[];
  metadata?: JsonObject;
  scores: Record<string, NamedScore>;
  evaluations: Record<string, NamedScore>;

  #text: string | undefined;
  #blob: Uint8Array | undefined;
  #tensor: NdArray | undefined;
  #embedding: NdArray | undefined;
  #tags: JsonObject | undefined;
  #chunks: DocumentArray | undefined;
  #matches: DocumentArray | undefined;

  /**
   * @example
   * new Document({ text: 'hello', tags: { price: 5 } })
   * new Document({ embedding: new Float32Array([0.1, 0.2]) })
   */
  constructor(init: DocumentInit = {}) {
    if (init === TRUSTED) {
      // Document.fromTrusted fills every field itself
      this.id = '';
      this.scores = {};
      this.evaluations = {};
      return;
    }
    if (!isPlainObject(init) && !(init instanceof Object)) {
      throw new BadDocumentError('Document init must be an object', { details: { field: 'init' } });
    }
    const present = CONTENT_FIELDS.filter((f) => init[f] !== undefined && init[f] !== null);
    if (present.length > 1) {
      throw new BadDocumentError(
        `Document content fields are mutually exclusive, but ${present.join(' and ')} were both given; keep one (e.g. put the other in tags or a chunk)`,
        { details: { field: present.join(',') } },
      );
    }
    this.id = init.id === undefined ? newDocumentId() : checkString(init.id, 'id');
    if (init.text !== undefined) this.#text = checkString(init.text, 'text');
    if (init.blob !== undefined) this.#blob = checkBlob(init.blob);
    if (init.tensor !== undefined) this.#tensor = NdArray.from(init.tensor, 'tensor');
    if (init.embedding !== undefined) this.#embedding = NdArray.from(init.embedding, 'embedding');
    if (init.uri !== undefined) this.uri = checkString(init.uri, 'uri');
    if (init.mimeType !== undefined) this.mimeType = checkString(init.mimeType, 'mimeType');
    if (init.modality !== undefined) this.modality = checkString(init.modality, 'modality');
    if (init.parentId !== undefined) this.parentId = checkString(init.parentId, 'parentId');
    if (init.granularity !== undefined) this.granularity = checkUint32(init.granularity, 'granularity');
    if (init.adjacency !== undefined) this.adjacency = checkUint32(init.adjacency, 'adjacency');
    if (init.weight !== undefined) this.weight = checkNumber(init.weight, 'weight');
    if (init.offset !== undefined) this.offset = checkNumber(init.offset, 'offset');
    if (init.location !== undefined) this.location = checkNumberList(init.location, 'location');
    if (init.tags !== undefined) this.tags = init.tags;
    if (init.metadata !== undefined) {
      assertJsonObject(init.metadata, 'metadata');
      this.metadata = init.metadata;
    }
    this.scores = init.scores ? normalizeScores(init.scores, 'scores') : {};
    this.evaluations = init.evaluations ? normalizeScores(init.evaluations, 'evaluations') : {};
    if (init.chunks !== undefined) this.#chunks = DocumentArray.from(init.chunks);
    if (init.matches !== undefined) this.#matches = DocumentArray.from(init.matches);
  }

  /** Text content. Setting it clears `blob` and `tensor` (they share one protobuf oneof). */
  get text(): string | undefined {
    return this.#text;
  }
  set text(value: string | undefined) {
    this.#clearContent();
    this.#text = value === undefined ? undefined : checkString(value, 'text');
  }

  /** Binary content. Setting it clears `text` and `tensor`. */
  get blob(): Uint8Array | undefined {
    return this.#blob;
  }
  set blob(value: Uint8Array | undefined) {
    this.#clearContent();
    this.#blob = value === undefined ? undefined : checkBlob(value);
  }

  /** Tensor content. Accepts typed arrays and (nested) number lists; setting it clears `text` and `blob`. */
  get tensor(): NdArray | undefined {
    return this.#tensor;
  }
  set tensor(value: NdArrayLike | undefined) {
    this.#clearContent();
    this.#tensor = value === undefined ? undefined : NdArray.from(value, 'tensor');
  }

  /** The embedding vector (any shape, usually `[d]`). */
  get embedding(): NdArray | undefined {
    return this.#embedding;
  }
  set embedding(value: NdArrayLike | undefined) {
    this.#embedding = value === undefined ? undefined : NdArray.from(value, 'embedding');
  }

  /** Free-form JSON tags; created empty on first access. */
  get tags(): JsonObject {
    this.#tags ??= {};
    return this.#tags;
  }
  set tags(value: JsonObject) {
    assertJsonObject(value, 'tags');
    this.#tags = value;
  }

  /** Whether `tags` holds at least one key (without allocating). */
  get hasTags(): boolean {
    return this.#tags !== undefined && Object.keys(this.#tags).length > 0;
  }

  /** Nested sub-documents; created empty on first access. */
  get chunks(): DocumentArray {
    this.#chunks ??= new DocumentArray();
    return this.#chunks;
  }
  set chunks(value: Iterable<Document | DocumentInit>) {
    this.#chunks = DocumentArray.from(value);
  }

  /** Search results; created empty on first access. */
  get matches(): DocumentArray {
    this.#matches ??= new DocumentArray();
    return this.#matches;
  }
  set matches(value: Iterable<Document | DocumentInit>) {
    this.#matches = DocumentArray.from(value);
  }

  /** Number of chunks without allocating an empty array. */
  get chunkCount(): number {
    return this.#chunks?.length ?? 0;
  }

  /** Number of matches without allocating an empty array. */
  get matchCount(): number {
    return this.#matches?.length ?? 0;
  }

  /** Which content field is set, if any. */
  get contentType(): ContentField | undefined {
    if (this.#text !== undefined) return 'text';
    if (this.#blob !== undefined) return 'blob';
    if (this.#tensor !== undefined) return 'tensor';
    return undefined;
  }

  /** The content, whichever field holds it. */
  get content(): string | Uint8Array | NdArray | undefined {
    return this.#text ?? this.#blob ?? this.#tensor;
  }

  /**
   * Load the bytes behind `uri` (file:, data:, http(s):) into `blob` and set `mimeType` if it was unset.
   * @example await new Document({ uri: 'photo.jpg' }).loadUriToBlob()
   */
  async loadUriToBlob(options: LoadUriOptions = {}): Promise<this> {
    const { bytes, mimeType } = await loadUri(this.#requireUri('loadUriToBlob'), options);
    this.blob = bytes;
    if (this.mimeType === undefined && mimeType !== undefined) this.mimeType = mimeType;
    return this;
  }

  /**
   * Decode the image in `blob` (or behind `uri`) into an `[H, W, 3]` uint8 `tensor`, optionally resized.
   * Needs the optional package `sharp`.
   * @example await new Document({ uri: 'photo.jpg' }).loadUriToImageTensor({ width: 224, height: 224 })
   */
  async loadUriToImageTensor(options: ImageTensorOptions & LoadUriOptions = {}): Promise<this> {
    const source = this.#blob ?? (await loadUri(this.#requireUri('loadUriToImageTensor'), options)).bytes;
    this.tensor = await loadImageTensor(source, options);
    return this;
  }

  #requireUri(method: string): string {
    if (this.uri === undefined || this.uri === '') {
      throw new BadDocumentError(`Document ${this.id} has no uri to load (${method})`, { details: { field: 'uri' } });
    }
    return this.uri;
  }

  /** docarray v1 `DocumentProto` bytes. */
  toBytes(): Uint8Array {
    return encodeDocument(this);
  }

  /** Decode docarray v1 `DocumentProto` bytes; throws `DecodeError` (WEFT_DECODE) on malformed input. */
  static fromBytes(bytes: Uint8Array): Document {
    return decodeDocument(bytes);
  }

  /** Jina's JSON document shape (snake_case keys, tensors as nested lists, blob as base64). */
  toJSON(): DocumentJson {
    return documentToJson(this);
  }

  /** Build from Jina's JSON document shape (an object or a JSON string; snake_case or camelCase keys). */
  static fromJSON(json: DocumentJson | string): Document {
    return documentFromJson(json);
  }

  /**
   * Build a Document from already-validated parts without re-checking them (decoder fast path; internal).
   * Content fields other than the one given must be absent.
   */
  static fromTrusted(parts: TrustedDocumentParts): Document {
    const d = new Document(TRUSTED);
    d.id = parts.id;
    d.#text = parts.text;
    d.#blob = parts.blob;
    d.#tensor = parts.tensor;
    d.#embedding = parts.embedding;
    d.#tags = parts.tags;
    d.#chunks = parts.chunks;
    d.#matches = parts.matches;
    if (parts.uri !== undefined) d.uri = parts.uri;
    if (parts.mimeType !== undefined) d.mimeType = parts.mimeType;
    if (parts.modality !== undefined) d.modality = parts.modality;
    if (parts.parentId !== undefined) d.parentId = parts.parentId;
    if (parts.granularity !== undefined) d.granularity = parts.granularity;
    if (parts.adjacency !== undefined) d.adjacency = parts.adjacency;
    if (parts.weight !== undefined) d.weight = parts.weight;
    if (parts.offset !== undefined) d.offset = parts.offset;
    if (parts.location !== undefined) d.location = parts.location;
    if (parts.metadata !== undefined) d.metadata = parts.metadata;
    if (parts.scores !== undefined) d.scores = parts.scores;
    if (parts.evaluations !== undefined) d.evaluations = parts.evaluations;
    return d;
  }

  /**
   * A new Document sharing this one's field values (buffers, tags, chunks are the same objects) but with its
   * own `scores` and `evaluations` and no matches: what a match result holds.
   */
  shallowCopy(): Document {
    return Document.fromTrusted({
      id: this.id,
      text: this.#text,
      blob: this.#blob,
      tensor: this.#tensor,
      embedding: this.#embedding,
      tags: this.#tags,
      chunks: this.#chunks,
      uri: this.uri,
      mimeType: this.mimeType,
      modality: this.modality,
      parentId: this.parentId,
      granularity: this.granularity,
      adjacency: this.adjacency,
      weight: this.weight,
      offset: this.offset,
      location: this.location,
      metadata: this.metadata,
      scores: { ...this.scores },
      evaluations: { ...this.evaluations },
    });
  }

  /** A deep copy (new buffers, same id). */
  clone(): Document {
    const d = new Document({ id: this.id });
    if (this.#text !== undefined) d.#text = this.#text;
    if (this.#blob !== undefined) d.#blob = this.#blob.slice();
    if (this.#tensor !== undefined) d.#tensor = this.#tensor.clone();
    if (this.#embedding !== undefined) d.#embedding = this.#embedding.clone();
    if (this.#tags !== undefined) d.#tags = cloneJson(this.#tags);
    if (this.metadata !== undefined) d.metadata = cloneJson(this.metadata);
    for (const key of SCALAR_FIELDS) {
      if (this[key] !== undefined) (d as unknown as Record<string, unknown>)[key] = this[key];
    }
    if (this.location !== undefined) d.location = [...this.location];
    d.scores = cloneScores(this.scores);
    d.evaluations = cloneScores(this.evaluations);
    if (this.#chunks) d.#chunks = this.#chunks.clone();
    if (this.#matches) d.#matches = this.#matches.clone();
    return d;
  }

  #clearContent(): void {
    this.#text = undefined;
    this.#blob = undefined;
    this.#tensor = undefined;
  }
}
