/**
 * The wire format of weft's native transport, a plain TCP connection between weft runtimes carrying
 * length-prefixed frames. Both sides open with the 8-byte preface `WEFTNAT` + version; after that every frame is
 *
 *   [u32 length][u8 kind][u32 id][body]          (big-endian; length counts kind + id + body)
 *
 * Request bodies (SINGLE, LIST, ENDPOINTS, STATUS) are `[u32 timeout ms | NO_TIMEOUT][metadata][protobuf]`, answers
 * (OK) `[metadata][protobuf]`: the protobuf bytes are exactly what the gRPC services carry (DataRequestProto,
 * DataRequestListProto, Empty, EndpointsProto, JinaInfoProto). Metadata is `[u16 count]` then per entry
 * `[u16 key length][key][u32 value length][value]` (request headers one way, trailers such as `is-error` the other).
 * ERROR bodies are `[u8 gRPC status][u8 weft code length][weft code][details, UTF-8]`; id 0 means the connection
 * itself. PING/PONG carry nothing; GOAWAY (server to client) says: send no new requests on this connection.
 */
import { Metadata } from '@grpc/grpc-js';
import { BadRequestError } from '../../errors/index.js';
import type { FrameWriter } from './frame-writer.js';

/** What each side sends first: `WEFTNAT` and the protocol version. */
export const PREFACE: Buffer = Buffer.from([0x57, 0x45, 0x46, 0x54, 0x4e, 0x41, 0x54, 0x01]);

/** Bytes of the frame header: length (4), kind (1), id (4). */
export const HEADER_BYTES = 9;

/** The largest body a frame can carry (the u32 length also counts kind and id). */
export const MAX_BODY_BYTES = 0xffff_ffff - 5;

/** The request timeout value meaning "no deadline". */
export const NO_TIMEOUT = 0xffff_ffff;

export const FrameKind = {
  /** `process_single_data`: DataRequestProto → DataRequestProto. */
  SINGLE: 0x01,
  /** `process_data`: DataRequestListProto → DataRequestProto. */
  LIST: 0x02,
  /** `endpoint_discovery`: Empty → EndpointsProto. */
  ENDPOINTS: 0x03,
  /** `_status`: Empty → JinaInfoProto. */
  STATUS: 0x04,
  PING: 0x10,
  PONG: 0x11,
  GOAWAY: 0x12,
  /** The answer to a request: trailers and the protobuf answer. */
  OK: 0x81,
  /** A transport-level failure of one request (or of the connection, id 0). */
  ERROR: 0x82,
} as const;

export type RequestKind =
  | typeof FrameKind.SINGLE
  | typeof FrameKind.LIST
  | typeof FrameKind.ENDPOINTS
  | typeof FrameKind.STATUS;

/** Whether `kind` is one of the four request kinds. */
export function isRequestKind(kind: number): kind is RequestKind {
  return kind >= FrameKind.SINGLE && kind <= FrameKind.STATUS;
}

/** Metadata as it travels: flat `[key, value]` pairs (a key may repeat; `-bin` keys carry bytes). */
export type MetaEntries = [key: string, value: string | Buffer][];

/** A frame that breaks the format; the message says how. */
export class FrameFormatError extends BadRequestError {}

/** Flat entries of gRPC metadata or a plain record; undefined when there are none (the common case). */
export function metaEntries(source: Metadata | Readonly<Record<string, string>> | undefined): MetaEntries | undefined {
  if (source === undefined) return undefined;
  const out: MetaEntries = [];
  if (source instanceof Metadata) {
    for (const [key, values] of Object.entries(source.toJSON())) {
      for (const v of values) out.push([key, v]);
    }
  } else {
    for (const key in source) out.push([key, source[key] as string]);
  }
  return out.length > 0 ? out : undefined;
}

/** Encoded size of a metadata block. */
export function metaSize(entries: MetaEntries | undefined): number {
  let n = 2;
  if (entries) {
    for (const [k, v] of entries) n += 6 + Buffer.byteLength(k, 'latin1') + byteLength(v);
  }
  return n;
}

function byteLength(v: string | Buffer): number {
  return typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length;
}

/** Write a metadata block at `offset`; returns the offset after it. */
export function writeMeta(buf: Buffer, offset: number, entries: MetaEntries | undefined): number {
  if (!entries) {
    buf.writeUInt16BE(0, offset);
    return offset + 2;
  }
  if (entries.length > 0xffff) throw new BadRequestError(`too many metadata entries (${entries.length})`);
  let o = buf.writeUInt16BE(entries.length, offset);
  for (const [k, v] of entries) {
    const kn = buf.write(k, o + 2, 'latin1');
    buf.writeUInt16BE(kn, o);
    o += 2 + kn;
    const vn = typeof v === 'string' ? buf.write(v, o + 4, 'utf8') : v.copy(buf, o + 4);
    buf.writeUInt32BE(vn, o);
    o += 4 + vn;
  }
  return o;
}

/** Read a metadata block at `offset` of `body`; `end` is where it stopped. Throws FrameFormatError. */
export function readMeta(body: Buffer, offset: number): { entries: MetaEntries | undefined; end: number } {
  if (offset + 2 > body.length) throw new FrameFormatError('frame too short for its metadata count');
  const count = body.readUInt16BE(offset);
  let o = offset + 2;
  if (count === 0) return { entries: undefined, end: o };
  const entries: MetaEntries = [];
  for (let i = 0; i < count; i++) {
    if (o + 2 > body.length) throw new FrameFormatError(`metadata entry ${i} is cut short`);
    const kn = body.readUInt16BE(o);
    o += 2;
    if (o + kn + 4 > body.length) throw new FrameFormatError(`metadata entry ${i} is cut short`);
    const key = body.toString('latin1', o, o + kn);
    o += kn;
    const vn = body.readUInt32BE(o);
    o += 4;
    if (o + vn > body.length) throw new FrameFormatError(`metadata value of '${key}' is cut short`);
    entries.push([
      key,
      key.endsWith('-bin') ? Buffer.from(body.subarray(o, o + vn)) : body.toString('utf8', o, o + vn),
    ]);
    o += vn;
  }
  return { entries, end: o };
}

/** Metadata entries as grpc-js Metadata (which checks the keys, as a gRPC server would). */
export function entriesToMetadata(entries: MetaEntries | undefined): Metadata {
  const md = new Metadata();
  if (entries) {
    try {
      for (const [k, v] of entries) md.add(k, v);
    } catch (err) {
      throw new FrameFormatError(`invalid metadata: ${(err as Error).message}`, { cause: err });
    }
  }
  return md;
}

/** The parts of a request body. */
export interface RequestBody {
  /** ms the caller still waits, or undefined for no deadline. */
  timeoutMs: number | undefined;
  meta: MetaEntries | undefined;
  message: Buffer;
}

/** Split a request body; throws FrameFormatError. */
export function readRequestBody(body: Buffer): RequestBody {
  if (body.length < 6) throw new FrameFormatError(`request frame body of ${body.length} bytes is too short`);
  const t = body.readUInt32BE(0);
  const { entries, end } = readMeta(body, 4);
  return { timeoutMs: t === NO_TIMEOUT ? undefined : t, meta: entries, message: body.subarray(end) };
}

/** Split an OK answer body; throws FrameFormatError. */
export function readAnswerBody(body: Buffer): { meta: MetaEntries | undefined; message: Buffer } {
  const { entries, end } = readMeta(body, 0);
  return { meta: entries, message: body.subarray(end) };
}

/** A decoded ERROR body. */
export interface ErrorBody {
  code: number;
  weftCode: string | undefined;
  details: string;
}

export function readErrorBody(body: Buffer): ErrorBody {
  if (body.length < 2 || body.length < 2 + (body[1] as number)) {
    throw new FrameFormatError(`error frame body of ${body.length} bytes is too short`);
  }
  const n = body[1] as number;
  return {
    code: body[0] as number,
    weftCode: n > 0 ? body.toString('latin1', 2, 2 + n) : undefined,
    details: body.toString('utf8', 2 + n),
  };
}

/** Queue a request frame; the message may come in pieces (sent one after the other, without joining them). */
export function writeRequestFrame(
  w: FrameWriter,
  kind: RequestKind,
  id: number,
  timeoutMs: number | undefined,
  meta: MetaEntries | undefined,
  message: Uint8Array | readonly Uint8Array[],
): void {
  const prelude = 4 + metaSize(meta);
  const pieces = message instanceof Uint8Array ? undefined : message;
  let length = 0;
  if (pieces) for (const p of pieces) length += p.length;
  else length = (message as Uint8Array).length;
  const o = w.reserve(kind, id, prelude, length);
  const t = timeoutMs === undefined ? NO_TIMEOUT : Math.min(NO_TIMEOUT - 1, Math.max(0, Math.ceil(timeoutMs)));
  writeMeta(w.buffer, w.buffer.writeUInt32BE(t, o), meta);
  if (pieces) for (const p of pieces) w.append(p);
  else w.append(message as Uint8Array);
  w.end();
}

/** Queue an OK answer. */
export function writeAnswerFrame(w: FrameWriter, id: number, meta: MetaEntries | undefined, message: Uint8Array): void {
  const o = w.reserve(FrameKind.OK, id, metaSize(meta), message.length);
  writeMeta(w.buffer, o, meta);
  w.append(message);
  w.end();
}

/** Queue an ERROR frame (`weftCode` is a weft error code such as `WEFT_BAD_REQUEST`, or undefined). */
export function writeErrorFrame(
  w: FrameWriter,
  id: number,
  code: number,
  weftCode: string | undefined,
  details: string,
): void {
  const codeBytes = weftCode ? Buffer.byteLength(weftCode, 'latin1') : 0;
  const detailBytes = Buffer.byteLength(details, 'utf8');
  const o = w.reserve(FrameKind.ERROR, id, 2 + codeBytes + detailBytes, 0);
  const b = w.buffer;
  b[o] = code & 0xff;
  b[o + 1] = codeBytes;
  if (weftCode) b.write(weftCode, o + 2, 'latin1');
  b.write(details, o + 2 + codeBytes, 'utf8');
  w.end();
}

/** Queue a frame without a body (PING, PONG, GOAWAY). */
export function writeControlFrame(w: FrameWriter, kind: number, id: number): void {
  w.reserve(kind, id, 0, 0);
  w.end();
}

/** A frame kind by name, for messages. */
export function kindName(kind: number): string {
  for (const [name, k] of Object.entries(FrameKind)) if (k === kind) return name;
  return `0x${kind.toString(16).padStart(2, '0')}`;
}
