/**
 * `DataRequestProto` and `DataRequestListProto` <-> DataRequest. Documents that were never decoded are written back
 * as the bytes that arrived (no re-encode on routing hops); `data` stays the last field, as Jina expects.
 */
import { type DocumentArray, readDocumentArray, sizeDocumentArray, writeDocumentArray } from '../document/index.js';
import { BadRequestError, DecodeError } from '../errors/index.js';
import {
  delimitedSize,
  encodeMessage,
  ProtoReader,
  ProtoWriter,
  readStruct,
  reserveSize,
  type SizeList,
  sizeStruct,
  withDecodeContext,
  writeStruct,
} from '../wire/index.js';
import { DataRequest } from './data-request.js';
import { readHeader, readRoute, sizeHeader, sizeRoute, writeHeader, writeRoute } from './envelope-codec.js';

/** Serialize a DataRequest as `DataRequestProto` bytes. */
export function encodeDataRequest(req: DataRequest): Uint8Array {
  return encodeMessage(req, sizeDataRequest, writeDataRequest);
}

/** Documents forwarded as they arrived from this size on are not copied by `encodeDataRequestParts`. */
const SPLIT_BYTES = 4096;

/**
 * `DataRequestProto` bytes in pieces to be sent one after the other: when the documents are the bytes that arrived
 * (a routing hop never decoded them) and not tiny, everything before them is encoded and those bytes follow as
 * they are, so forwarding a request copies only its envelope. Otherwise one piece, as `encodeDataRequest`.
 */
export function encodeDataRequestParts(req: DataRequest): Uint8Array[] {
  const tail = req.docsDecoded ? undefined : (req.opaqueDocs ?? req.rawDocs);
  if (tail === undefined || tail.byteLength < SPLIT_BYTES) return [encodeDataRequest(req)];
  const sizes: SizeList = [];
  const n = sizeDataRequest(req, sizes);
  const w = new ProtoWriter(n - tail.byteLength, sizes);
  writeDataRequest(w, req, 0, true);
  return [w.finish(), tail];
}

/** Parse `DataRequestProto` bytes; documents stay undecoded until `req.docs` is read. */
export function decodeDataRequest(bytes: Uint8Array): DataRequest {
  const r = new ProtoReader(bytes);
  return readDataRequest(r, r.len);
}

/** Serialize several requests as `DataRequestListProto` (used for unreduced joins). */
export function encodeDataRequestList(reqs: readonly DataRequest[]): Uint8Array {
  return encodeMessage(reqs, sizeDataRequestList, writeDataRequestList);
}

export function decodeDataRequestList(bytes: Uint8Array): DataRequest[] {
  const r = new ProtoReader(bytes);
  const out: DataRequest[] = [];
  while (r.pos < r.len) {
    const tag = r.tag();
    if (tag === 0x0a) out.push(readDataRequest(r, r.ldelim()));
    else if (tag >>> 3 === 1) r.wrongType('DataRequestListProto', 'requests', tag, 2);
    else r.skipTag(tag);
  }
  return out;
}

function sizeDataRequestList(reqs: readonly DataRequest[], sizes: SizeList): number {
  const slot = reserveSize(sizes);
  let n = 0;
  for (const req of reqs) n += delimitedSize(1, sizeDataRequest(req, sizes));
  sizes[slot] = n;
  return n;
}

function writeDataRequestList(w: ProtoWriter, reqs: readonly DataRequest[], field: number): void {
  const n = w.nextSize();
  if (field > 0) {
    w.tag(field, 2);
    w.uint32(n);
  }
  for (const req of reqs) writeDataRequest(w, req, 1);
}

/** Sizing pass for a DataRequestProto body. */
export function sizeDataRequest(req: DataRequest, sizes: SizeList): number {
  const slot = reserveSize(sizes);
  let n = delimitedSize(1, sizeHeader(req.header, sizes));
  if (Object.keys(req.parameters).length > 0) n += delimitedSize(2, sizeStruct(req.parameters, sizes, 'parameters'));
  for (const route of req.routes) n += delimitedSize(3, sizeRoute(route, sizes));
  n += delimitedSize(4, sizeData(req, sizes));
  sizes[slot] = n;
  return n;
}

function sizeData(req: DataRequest, sizes: SizeList): number {
  const slot = reserveSize(sizes);
  let n: number;
  const opaque = req.opaqueDocs;
  const raw = req.rawDocs;
  if (opaque !== undefined && !req.docsDecoded) n = delimitedSize(2, opaque.byteLength);
  else if (raw !== undefined) n = delimitedSize(1, raw.byteLength);
  else n = delimitedSize(1, sizeDocumentArray(req.docs as DocumentArray, sizes));
  sizes[slot] = n;
  return n;
}

/**
 * Write pass for a DataRequestProto (tag and length when `field > 0`); with `withoutDocBytes`, the undecoded
 * documents' bytes are left out after their tag and length (the caller sends them next).
 */
export function writeDataRequest(w: ProtoWriter, req: DataRequest, field: number, withoutDocBytes = false): void {
  const n = w.nextSize();
  if (field > 0) {
    w.tag(field, 2);
    w.uint32(n);
  }
  writeHeader(w, req.header, 1);
  if (Object.keys(req.parameters).length > 0) writeStruct(w, req.parameters, 2);
  for (const route of req.routes) writeRoute(w, route, 3);
  w.messageHeader(4);
  const opaque = req.opaqueDocs;
  const raw = req.rawDocs;
  if (opaque !== undefined && !req.docsDecoded) bytesField(w, 2, opaque, withoutDocBytes);
  else if (raw !== undefined) bytesField(w, 1, raw, withoutDocBytes);
  else writeDocumentArray(w, req.docs, 1);
}

function bytesField(w: ProtoWriter, field: number, bytes: Uint8Array, lengthOnly: boolean): void {
  if (!lengthOnly) {
    w.bytesField(field, bytes);
    return;
  }
  w.tag(field, 2);
  w.uint32(bytes.byteLength);
}

/** Read a DataRequestProto body ending at `end`. */
export function readDataRequest(r: ProtoReader, end: number): DataRequest {
  const req = new DataRequest({ header: { requestId: '' } });
  let field = 'header';
  try {
    while (r.pos < end) {
      const tag = r.tag();
      switch (tag) {
        case 0x0a:
          field = 'header';
          req.header = readHeader(r, r.ldelim());
          break;
        case 0x12:
          field = 'parameters';
          req.parameters = readStruct(r, r.ldelim());
          break;
        case 0x1a:
          field = `routes[${req.routes.length}]`;
          req.routes.push(readRoute(r, r.ldelim()));
          break;
        case 0x22:
          field = 'data';
          readData(r, r.ldelim(), req);
          break;
        default: {
          const f = tag >>> 3;
          if (f <= 4)
            r.wrongType('DataRequestProto', ['', 'header', 'parameters', 'routes', 'data'][f] as string, tag, 2);
          r.skipTag(tag);
        }
      }
    }
    r.expectEnd(end, 'DataRequestProto');
  } catch (err) {
    throw withDecodeContext(err, 'DataRequestProto', field);
  }
  return req;
}

function readData(r: ProtoReader, end: number, req: DataRequest): void {
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 0x0a) req.setRawDocs(r.bytes());
    else if (tag === 0x12) req.setRawDocs(undefined, r.bytes());
    else if (tag >>> 3 <= 2) r.wrongType('DataContentProto', tag >>> 3 === 1 ? 'docs' : 'docs_bytes', tag, 2);
    else r.skipTag(tag);
  }
  r.expectEnd(end, 'DataContentProto');
}

/** Decode the documents of a request now, turning a decode failure into a request-level error. */
export function decodeDocsEagerly(req: DataRequest): DocumentArray {
  try {
    return req.docs;
  } catch (err) {
    if (err instanceof DecodeError || err instanceof BadRequestError) throw err;
    throw new DecodeError(`cannot decode the documents of request ${req.header.requestId}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Read documents embedded in another message (exported for the single-document codec). */
export { readDocumentArray };
