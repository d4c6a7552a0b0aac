/**
 * weft's hand-written codec for docarray v1 `DocumentProto` / `DocumentArrayProto` (proto/docarray.proto), the
 * hot path of every request. Encoding sizes the whole tree first and writes one exactly-sized buffer (array
 * bytes copied once); decoding reads fields straight into `Document.fromTrusted` and views array bytes of the
 * input without copying when they are aligned.
 *
 * Public face: `encodeDocument` / `decodeDocument` / `encodeDocumentArray` / `decodeDocumentArray`. To embed
 * documents in a bigger message (e.g. Jina's `DataRequestProto`), use the two-pass pieces with the convention
 * of wire/proto-writer.ts: `sizeDocumentArray(da, sizes)` in the sizing pass, `writeDocumentArray(w, da, field)`
 * in the write pass, and `readDocumentArray(r, r.ldelim())` when decoding (likewise for a single Document).
 *
 * The DocumentProto message itself (field order, defaults, oneof) is in proto-document.ts, arrays in
 * proto-ndarray.ts, score maps in proto-scores.ts, Struct in wire/struct.ts.
 */
import {
  delimitedSize,
  encodeMessage,
  ProtoReader,
  type ProtoWriter,
  reserveSize,
  type SizeList,
  withDecodeContext,
} from '../wire/index.js';
import type { Document } from './document.js';
import { DocumentArray } from './document-array.js';
import { readDocument, sizeDocument, writeDocument } from './proto-document.js';

export { MAX_DOCUMENT_DEPTH, readDocument, sizeDocument, writeDocument } from './proto-document.js';

/** docarray v1 `DocumentProto` bytes of a Document. */
export function encodeDocument(doc: Document): Uint8Array {
  return encodeMessage(doc, sizeDocument, writeDocument);
}

/** A Document from docarray v1 `DocumentProto` bytes; throws `DecodeError` (WEFT_DECODE) on malformed input. */
export function decodeDocument(bytes: Uint8Array): Document {
  const r = new ProtoReader(bytes);
  return readDocument(r, r.len);
}

/** docarray v1 `DocumentArrayProto` bytes of a DocumentArray. */
export function encodeDocumentArray(da: DocumentArray): Uint8Array {
  return encodeMessage(da, sizeDocumentArray, writeDocumentArray);
}

/** A DocumentArray from docarray v1 `DocumentArrayProto` bytes; throws `DecodeError` on malformed input. */
export function decodeDocumentArray(bytes: Uint8Array): DocumentArray {
  const r = new ProtoReader(bytes);
  return readDocumentArray(r, r.len);
}

/** Sizing pass for a DocumentArrayProto: records nested sizes, returns the body size. */
export function sizeDocumentArray(da: DocumentArray, sizes: SizeList): number {
  const slot = reserveSize(sizes);
  let n = 0;
  for (const doc of da) n += delimitedSize(1, sizeDocument(doc, sizes));
  sizes[slot] = n;
  return n;
}

/** Write pass for a DocumentArrayProto: tag and length prefix when `field > 0`, then `docs = 1` entries. */
export function writeDocumentArray(w: ProtoWriter, da: DocumentArray, field: number): void {
  const n = w.nextSize();
  if (field > 0) {
    w.tag(field, 2);
    w.uint32(n);
  }
  for (const doc of da) writeDocument(w, doc, 1);
}

/** Read a DocumentArrayProto body ending at `end`. */
export function readDocumentArray(r: ProtoReader, end: number): DocumentArray {
  const docs: Document[] = [];
  try {
    while (r.pos < end) {
      const tag = r.tag();
      if (tag === 0x0a) docs.push(readDocument(r, r.ldelim()));
      else if (tag >>> 3 === 1) r.wrongType('DocumentArrayProto', 'docs', tag, 2);
      else r.skipTag(tag);
    }
    r.expectEnd(end, 'DocumentArrayProto');
  } catch (err) {
    throw withDecodeContext(err, 'DocumentArrayProto', `docs[${docs.length}]`);
  }
  return DocumentArray.wrap(docs);
}
