/**
 * Codecs for the remaining `jina.proto` messages a runtime answers with: `EndpointsProto`, `JinaInfoProto`,
 * `StatusProto` (dry run), `SingleDocumentRequestProto` (streaming endpoints) and `google.protobuf.Empty`.
 */

import type { JsonObject } from '../document/index.js';
import { type Document, readDocument, sizeDocument, writeDocument } from '../document/index.js';
import { BadRequestError, type Status } from '../errors/index.js';
import {
  delimitedSize,
  encodeMessage,
  ProtoReader,
  type ProtoWriter,
  readStruct,
  reserveSize,
  type SizeList,
  sizeStruct,
  stringFieldSize,
  writeStruct,
} from '../wire/index.js';
import {
  readHeader,
  readRoute,
  readStatus,
  sizeHeader,
  sizeRoute,
  sizeStatus,
  writeHeader,
  writeRoute,
  writeStatus,
} from './envelope-codec.js';
import type { Header, Route } from './types.js';

const EMPTY = new Uint8Array(0);

/** `google.protobuf.Empty`. */
export function encodeEmpty(): Uint8Array {
  return EMPTY;
}

export function decodeEmpty(_bytes: Uint8Array): Record<string, never> {
  return {};
}

// ---- EndpointsProto { repeated endpoints = 1; repeated write_endpoints = 2; Struct schemas = 3; }

export interface Endpoints {
  endpoints: string[];
  writeEndpoints: string[];
  schemas?: JsonObject;
}

export function encodeEndpoints(e: Endpoints): Uint8Array {
  return encodeMessage(
    e,
    (v, sizes) => {
      const slot = reserveSize(sizes);
      let n = 0;
      for (const s of v.endpoints) n += stringFieldSize(1, s);
      for (const s of v.writeEndpoints) n += stringFieldSize(2, s);
      if (v.schemas && Object.keys(v.schemas).length > 0)
        n += delimitedSize(3, sizeStruct(v.schemas, sizes, 'schemas'));
      sizes[slot] = n;
      return n;
    },
    (w, v) => {
      w.nextSize();
      for (const s of v.endpoints) w.stringField(1, s);
      for (const s of v.writeEndpoints) w.stringField(2, s);
      if (v.schemas && Object.keys(v.schemas).length > 0) writeStruct(w, v.schemas, 3);
    },
  );
}

export function decodeEndpoints(bytes: Uint8Array): Endpoints {
  const r = new ProtoReader(bytes);
  const e: Endpoints = { endpoints: [], writeEndpoints: [] };
  while (r.pos < r.len) {
    const tag = r.tag();
    if (tag === 0x0a) e.endpoints.push(r.string());
    else if (tag === 0x12) e.writeEndpoints.push(r.string());
    else if (tag === 0x1a) e.schemas = readStruct(r, r.ldelim());
    else if (tag >>> 3 <= 3)
      r.wrongType('EndpointsProto', ['', 'endpoints', 'write_endpoints', 'schemas'][tag >>> 3] as string, tag, 2);
    else r.skipTag(tag);
  }
  return e;
}

// ---- JinaInfoProto { map<string,string> jina = 1; map<string,string> envs = 2; }

export interface JinaInfo {
  jina: Record<string, string>;
  envs: Record<string, string>;
}

function mapEntrySize(k: string, v: string): number {
  return stringFieldSize(1, k) + stringFieldSize(2, v);
}

export function encodeJinaInfo(info: JinaInfo): Uint8Array {
  return encodeMessage(
    info,
    (v, sizes) => {
      const slot = reserveSize(sizes);
      let n = 0;
      for (const [k, val] of Object.entries(v.jina)) n += delimitedSize(1, mapEntrySize(k, val));
      for (const [k, val] of Object.entries(v.envs)) n += delimitedSize(2, mapEntrySize(k, val));
      sizes[slot] = n;
      return n;
    },
    (w, v) => {
      w.nextSize();
      for (const [field, map] of [
        [1, v.jina],
        [2, v.envs],
      ] as const) {
        for (const [k, val] of Object.entries(map)) {
          w.tag(field, 2);
          w.uint32(mapEntrySize(k, val));
          w.stringField(1, k);
          w.stringField(2, val);
        }
      }
    },
  );
}

export function decodeJinaInfo(bytes: Uint8Array): JinaInfo {
  const r = new ProtoReader(bytes);
  const info: JinaInfo = { jina: {}, envs: {} };
  while (r.pos < r.len) {
    const tag = r.tag();
    if (tag === 0x0a || tag === 0x12) {
      const end = r.ldelim();
      let k = '';
      let v = '';
      while (r.pos < end) {
        const t = r.tag();
        if (t === 0x0a) k = r.string();
        else if (t === 0x12) v = r.string();
        else r.skipTag(t);
      }
      (tag === 0x0a ? info.jina : info.envs)[k] = v;
    } else r.skipTag(tag);
  }
  return info;
}

// ---- StatusProto as a top-level message (JinaGatewayDryRunRPC/dry_run)

export function encodeStatus(s: Status): Uint8Array {
  return encodeMessage(s, sizeStatus, writeStatus);
}

export function decodeStatus(bytes: Uint8Array): Status {
  const r = new ProtoReader(bytes);
  return readStatus(r, r.len);
}

// ---- SingleDocumentRequestProto { header = 1; parameters = 2; routes = 3; document = 4; }

export interface SingleDocumentRequest {
  header: Header;
  parameters: JsonObject;
  routes: Route[];
  document?: Document;
}

export function encodeSingleDocumentRequest(req: SingleDocumentRequest): Uint8Array {
  return encodeMessage(
    req,
    (v, sizes: SizeList) => {
      const slot = reserveSize(sizes);
      let n = delimitedSize(1, sizeHeader(v.header, sizes));
      if (Object.keys(v.parameters).length > 0) n += delimitedSize(2, sizeStruct(v.parameters, sizes, 'parameters'));
      for (const route of v.routes) n += delimitedSize(3, sizeRoute(route, sizes));
      if (v.document) n += delimitedSize(4, sizeDocument(v.document, sizes));
      sizes[slot] = n;
      return n;
    },
    (w: ProtoWriter, v) => {
      w.nextSize();
      writeHeader(w, v.header, 1);
      if (Object.keys(v.parameters).length > 0) writeStruct(w, v.parameters, 2);
      for (const route of v.routes) writeRoute(w, route, 3);
      if (v.document) writeDocument(w, v.document, 4);
    },
  );
}

export function decodeSingleDocumentRequest(bytes: Uint8Array): SingleDocumentRequest {
  const r = new ProtoReader(bytes);
  const out: SingleDocumentRequest = { header: { requestId: '' }, parameters: {}, routes: [] };
  while (r.pos < r.len) {
    const tag = r.tag();
    if (tag === 0x0a) out.header = readHeader(r, r.ldelim());
    else if (tag === 0x12) out.parameters = readStruct(r, r.ldelim());
    else if (tag === 0x1a) out.routes.push(readRoute(r, r.ldelim()));
    else if (tag === 0x22) out.document = readDocument(r, r.ldelim());
    else if (tag >>> 3 <= 4) r.wrongType('SingleDocumentRequestProto', 'field', tag, 2);
    else r.skipTag(tag);
  }
  return out;
}

/**
 * A `stream_doc` request: a SingleDocumentRequestProto that must carry its document. Throws `DecodeError` for
 * malformed bytes and `BadRequestError` when the document is missing.
 */
export function decodeStreamDocRequest(bytes: Uint8Array): SingleDocumentRequest & { document: Document } {
  const req = decodeSingleDocumentRequest(bytes);
  if (!req.document) {
    throw new BadRequestError('stream_doc needs a request with a document (SingleDocumentRequestProto.document)', {
      details: { field: 'document' },
    });
  }
  return req as SingleDocumentRequest & { document: Document };
}
