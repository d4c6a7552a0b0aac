/**
 * docarray v1 `DocumentProto` <-> Document, in the two-pass style of wire/proto-writer.ts (used by
 * proto-codec.ts). Encoding writes fields in field-number order and leaves proto3 defaults out (empty strings,
 * zero numbers, missing or empty tags/metadata/location); the content field (text/blob/tensor) is a oneof and is
 * written whenever set, even when empty. Decoding skips unknown fields and builds the Document with
 * `Document.fromTrusted`; when a message field repeats, the last one wins.
 */
import { BadDocumentError } from '../errors/index.js';
import {
  delimitedSize,
  type JsonObject,
  type ProtoReader,
  type ProtoWriter,
  readStruct,
  reserveSize,
  type SizeList,
  sizeStruct,
  stringFieldSize,
  varintSize,
  withDecodeContext,
  writeStruct,
} from '../wire/index.js';
import { Document, type NamedScore } from './document.js';
import { DocumentArray } from './document-array.js';
import type { NdArray } from './ndarray.js';
import { readNdArray, sizeNdArray, writeNdArray } from './proto-ndarray.js';
import { readNamedScoreEntry, sizeScores, writeScores } from './proto-scores.js';

/** Deepest chunk/match nesting written (a guard against cycles; well inside the reader's limit). */
export const MAX_DOCUMENT_DEPTH = 32;

/** Sizing pass for a DocumentProto: records nested sizes, returns the body size. */
export function sizeDocument(doc: Document, sizes: SizeList, depth = 0): number {
  if (depth > MAX_DOCUMENT_DEPTH) {
    throw new BadDocumentError(
      `chunks/matches are nested deeper than ${MAX_DOCUMENT_DEPTH} levels (does a document contain itself?)`,
      {
        details: { field: 'chunks' },
      },
    );
  }
  const slot = reserveSize(sizes);
  let n = doc.id ? stringFieldSize(1, doc.id) : 0;
  const blob = doc.blob;
  const tensor = doc.tensor;
  const text = doc.text;
  if (blob !== undefined) n += delimitedSize(2, blob.byteLength);
  else if (tensor !== undefined) n += delimitedSize(3, sizeNdArray(tensor, sizes));
  else if (text !== undefined) n += stringFieldSize(4, text);
  if (doc.granularity) n += 1 + varintSize(doc.granularity >>> 0);
  if (doc.adjacency) n += 1 + varintSize(doc.adjacency >>> 0);
  if (doc.parentId) n += stringFieldSize(7, doc.parentId);
  if (doc.weight) n += 5;
  if (doc.uri) n += stringFieldSize(9, doc.uri);
  if (doc.modality) n += stringFieldSize(10, doc.modality);
  if (doc.mimeType) n += stringFieldSize(11, doc.mimeType);
  if (doc.offset) n += 5;
  const location = doc.location;
  if (location !== undefined && location.length > 0) n += delimitedSize(13, 4 * location.length);
  if (doc.chunkCount > 0) for (const c of doc.chunks) n += delimitedSize(14, sizeDocument(c, sizes, depth + 1));
  if (doc.matchCount > 0) for (const m of doc.matches) n += delimitedSize(15, sizeDocument(m, sizes, depth + 1));
  const embedding = doc.embedding;
  if (embedding !== undefined) n += delimitedSize(16, sizeNdArray(embedding, sizes));
  if (doc.hasTags) n += delimitedSize(17, sizeStruct(doc.tags, sizes, 'tags'));
  n += sizeScores(doc.scores, 18, sizes) + sizeScores(doc.evaluations, 19, sizes);
  const metadata = doc.metadata;
  if (metadata !== undefined && hasKeys(metadata)) n += delimitedSize(20, sizeStruct(metadata, sizes, 'metadata'));
  sizes[slot] = n;
  return n;
}

/** Write pass for a DocumentProto (mirrors `sizeDocument` field by field). */
export function writeDocument(w: ProtoWriter, doc: Document, field: number): void {
  const n = w.nextSize();
  if (field > 0) {
    w.tag(field, 2);
    w.uint32(n);
  }
  if (doc.id) w.stringField(1, doc.id);
  const blob = doc.blob;
  const tensor = doc.tensor;
  const text = doc.text;
  if (blob !== undefined) w.bytesField(2, blob);
  else if (tensor !== undefined) writeNdArray(w, tensor, 3);
  else if (text !== undefined) w.stringField(4, text);
  if (doc.granularity) {
    w.buf[w.pos++] = 0x28;
    w.uint32(doc.granularity >>> 0);
  }
  if (doc.adjacency) {
    w.buf[w.pos++] = 0x30;
    w.uint32(doc.adjacency >>> 0);
  }
  if (doc.parentId) w.stringField(7, doc.parentId);
  if (doc.weight) {
    w.buf[w.pos++] = 0x45;
    w.float(doc.weight);
  }
  if (doc.uri) w.stringField(9, doc.uri);
  if (doc.modality) w.stringField(10, doc.modality);
  if (doc.mimeType) w.stringField(11, doc.mimeType);
  if (doc.offset) {
    w.buf[w.pos++] = 0x65;
    w.float(doc.offset);
  }
  const location = doc.location;
  if (location !== undefined && location.length > 0) {
    w.buf[w.pos++] = 0x6a;
    w.uint32(4 * location.length);
    for (let i = 0; i < location.length; i++) w.float(location[i] as number);
  }
  if (doc.chunkCount > 0) for (const c of doc.chunks) writeDocument(w, c, 14);
  if (doc.matchCount > 0) for (const m of doc.matches) writeDocument(w, m, 15);
  const embedding = doc.embedding;
  if (embedding !== undefined) writeNdArray(w, embedding, 16);
  if (doc.hasTags) writeStruct(w, doc.tags, 17);
  writeScores(w, doc.scores, 18);
  writeScores(w, doc.evaluations, 19);
  const metadata = doc.metadata;
  if (metadata !== undefined && hasKeys(metadata)) writeStruct(w, metadata, 20);
}

/** Field names of DocumentProto by number, for error messages. */
const DOC_FIELDS = (
  ' id blob tensor text granularity adjacency parent_id weight uri modality mime_type offset location chunks matches' +
  ' embedding tags scores evaluations _metadata'
).split(' ');
/** Wire type each DocumentProto field must have (location also accepts unpacked fixed32). */
const DOC_WIRE_TYPES = [0, 2, 2, 2, 2, 0, 0, 2, 5, 2, 2, 2, 5, 2, 2, 2, 2, 2, 2, 2, 2];

/** Read a DocumentProto body ending at `end`. */
export function readDocument(r: ProtoReader, end: number): Document {
  let id = '';
  let text: string | undefined;
  let blob: Uint8Array | undefined;
  let tensor: NdArray | undefined;
  let embedding: NdArray | undefined;
  let tags: JsonObject | undefined;
  let metadata: JsonObject | undefined;
  let chunks: Document[] | undefined;
  let matches: Document[] | undefined;
  let uri: string | undefined;
  let mimeType: string | undefined;
  let modality: string | undefined;
  let parentId: string | undefined;
  let granularity: number | undefined;
  let adjacency: number | undefined;
  let weight: number | undefined;
  let offset: number | undefined;
  let location: number[] | undefined;
  let scores: Record<string, NamedScore> | undefined;
  let evaluations: Record<string, NamedScore> | undefined;
  let field = 0;
  try {
    r.enter();
    while (r.pos < end) {
      const tag = r.tag();
      field = tag >>> 3;
      switch (tag) {
        case 0x0a:
          id = r.string();
          break;
        case 0x12: // oneof content: the last one given wins
          blob = r.bytes();
          text = tensor = undefined;
          break;
        case 0x1a:
          tensor = readNdArray(r, r.ldelim());
          text = blob = undefined;
          break;
        case 0x22:
          text = r.string();
          blob = tensor = undefined;
          break;
        case 0x28:
          granularity = r.uint32();
          break;
        case 0x30:
          adjacency = r.uint32();
          break;
        case 0x3a:
          parentId = r.string();
          break;
        case 0x45:
          weight = r.float();
          break;
        case 0x4a:
          uri = r.string();
          break;
        case 0x52:
          modality = r.string();
          break;
        case 0x5a:
          mimeType = r.string();
          break;
        case 0x65:
          offset = r.float();
          break;
        case 0x6a: {
          const locEnd = r.ldelim();
          location ??= [];
          while (r.pos < locEnd) location.push(r.float());
          r.expectEnd(locEnd, 'DocumentProto.location');
          break;
        }
        case 0x6d:
          (location ??= []).push(r.float());
          break;
        case 0x72:
          (chunks ??= []).push(readDocument(r, r.ldelim()));
          break;
        case 0x7a:
          (matches ??= []).push(readDocument(r, r.ldelim()));
          break;
        case 0x82:
          embedding = readNdArray(r, r.ldelim());
          break;
        case 0x8a:
          tags = readStruct(r, r.ldelim());
          break;
        case 0x92:
          readNamedScoreEntry(r, r.ldelim(), (scores ??= {}));
          break;
        case 0x9a:
          readNamedScoreEntry(r, r.ldelim(), (evaluations ??= {}));
          break;
        case 0xa2:
          metadata = readStruct(r, r.ldelim());
          break;
        default:
          if (field <= 20)
            r.wrongType('DocumentProto', DOC_FIELDS[field] as string, tag, DOC_WIRE_TYPES[field] as number);
          r.skipTag(tag);
      }
    }
    r.expectEnd(end, 'DocumentProto');
    r.leave();
  } catch (err) {
    throw withDecodeContext(err, 'DocumentProto', DOC_FIELDS[field] || field);
  }
  return Document.fromTrusted({
    id,
    text,
    blob,
    tensor,
    embedding,
    tags: tags !== undefined && hasKeys(tags) ? tags : undefined,
    chunks: chunks && DocumentArray.wrap(chunks),
    matches: matches && DocumentArray.wrap(matches),
    uri,
    mimeType,
    modality,
    parentId,
    granularity,
    adjacency,
    weight,
    offset,
    location,
    metadata: metadata !== undefined && hasKeys(metadata) ? metadata : undefined,
    scores,
    evaluations,
  });
}

function hasKeys(obj: object): boolean {
  for (const key in obj) if (Object.hasOwn(obj, key)) return true;
  return false;
}
