/**
 * The stored form of a document: an 8-byte header holding the document's current vector key (a usearch key, the
 * sequence number of the write that stored it) followed by docarray `DocumentProto` bytes of the document as
 * kept: embedding, text, tags, uri, mimeType and scalar fields; blob/tensor content and chunks only when asked;
 * never matches or scores. The embedding is written as the last field (protobuf fields may come in any order),
 * so that search can score a match from the raw values and decode the rest without it (`MatchReader`); records
 * written before that (embedding in field order) decode the same way, only without the shortcut.
 */
import { BadArgumentError, Document } from '@weft-ai/weft';

export interface StoreFields {
  storeBlobs: boolean;
  storeChunks: boolean;
}

/** LMDB keys are limited in size; ids longer than this many UTF-8 bytes are refused. */
export const MAX_ID_BYTES = 1024;
/** Bytes before the DocumentProto: the vector key as a little-endian float64. */
export const HEADER = 8;

/** Encode the record for `doc` under vector key `key`. */
export function encodeRecord(doc: Document, key: number, fields: StoreFields): Uint8Array {
  const copy = storedCopy(doc, fields);
  const embedding = copy.embedding;
  copy.embedding = undefined;
  const body = copy.toBytes();
  // the embedding alone: a DocumentProto with no other field set is just its field 16
  const tail = embedding ? Document.fromTrusted({ id: '', embedding }).toBytes() : EMPTY;
  const out = new Uint8Array(HEADER + body.byteLength + tail.byteLength);
  new DataView(out.buffer).setFloat64(0, key, true);
  out.set(body, HEADER);
  out.set(tail, HEADER + body.byteLength);
  return out;
}

const EMPTY = new Uint8Array(0);

/** The vector key a record was stored under. */
export function recordKey(record: Uint8Array): number {
  return new DataView(record.buffer, record.byteOffset, HEADER).getFloat64(0, true);
}

/** The stored Document of a record (its embedding may view `record`'s bytes). */
export function recordDocument(record: Uint8Array): Document {
  return Document.fromBytes(record.subarray(HEADER));
}

/** Refuse ids LMDB cannot hold as keys. */
export function checkId(id: string): void {
  if (id.length === 0) throw new BadArgumentError('VectorIndexer: document ids must not be empty');
  if (Buffer.byteLength(id) > MAX_ID_BYTES) {
    throw new BadArgumentError(
      `VectorIndexer: document id '${id.slice(0, 40)}…' is ${Buffer.byteLength(id)} bytes long; ids up to ${MAX_ID_BYTES} bytes can be stored`,
      { details: { id: id.slice(0, 100) } },
    );
  }
}

/** What the store keeps of `doc`: a shallow copy without matches and scores, content and chunks as configured. */
function storedCopy(doc: Document, fields: StoreFields): Document {
  const copy = doc.shallowCopy();
  copy.scores = {};
  const content = copy.contentType;
  if (!fields.storeBlobs && (content === 'blob' || content === 'tensor')) copy.blob = undefined;
  if (copy.chunkCount > 0) {
    copy.chunks = fields.storeChunks ? doc.chunks.map((c) => storedCopy(c, fields)) : [];
  }
  return copy;
}
