/**
 * Where things are inside a stored record, found by one scan over its top-level protobuf fields, without decoding
 * it: the embedding's raw values (for exact scoring straight from the bytes) and whether the embedding is the
 * record's last field (records written since the embedding went last; then the fields before it decode on their
 * own as the document without its embedding). Search reads records through LMDB's reused buffer, so the layout
 * also says whether decoding would keep views into the bytes (blob, tensor, chunks), which a reused buffer cannot
 * back. Anything unexpected gives `undefined`: the caller falls back to decoding the whole record.
 */

/** DocumentProto field numbers the scan cares about. */
const BLOB = 2;
const TENSOR = 3;
const CHUNKS = 14;
const EMBEDDING = 16;

export interface RecordLayout {
  /** Offset where the embedding field starts when it is the last field (the body before it is complete); else -1. */
  bodyEnd: number;
  /** Offset and byte length of the embedding's raw values (DenseNdArrayProto.buffer); -1 when absent. */
  valuesStart: number;
  valuesBytes: number;
  /** The embedding's dtype string (`<f4`, `<f8`, …), '' when absent. */
  dtype: string;
  /** Whether a decoded document would view the record's bytes (blob, tensor or chunks are stored). */
  views: boolean;
}

/** Scan `record` (its first `end` bytes; the 8-byte key header first). */
export function recordLayout(record: Uint8Array, end: number, header: number): RecordLayout | undefined {
  try {
    return scan({ buf: record, end, pos: header });
  } catch (err) {
    if (err === MALFORMED) return undefined;
    throw err;
  }
}

/** Thrown (and caught) inside the scan when the bytes are not what weft writes. */
const MALFORMED = Symbol('malformed record');

function scan(c: Cursor): RecordLayout {
  const end = c.end;
  let views = false;
  let embStart = -1;
  let embBody = -1;
  let embEnd = -1;
  while (c.pos < end) {
    const at = c.pos;
    const tag = varint(c);
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire === 2) {
      const len = varint(c);
      const bodyAt = c.pos;
      c.pos += len;
      if (field === EMBEDDING) {
        embStart = at;
        embBody = bodyAt;
        embEnd = c.pos;
      } else if (field === BLOB || field === TENSOR || field === CHUNKS) views = true;
    } else if (wire === 0) varint(c);
    else if (wire === 5) c.pos += 4;
    else if (wire === 1) c.pos += 8;
    else throw MALFORMED;
    if (c.pos > end) throw MALFORMED;
  }
  const layout: RecordLayout = {
    bodyEnd: embStart >= 0 && embEnd === end ? embStart : -1,
    valuesStart: -1,
    valuesBytes: 0,
    dtype: '',
    views,
  };
  if (embStart >= 0) denseValues(c, embBody, embEnd, layout);
  return layout;
}

/** Find DenseNdArrayProto.buffer and .dtype inside the NdArrayProto at [start, end). */
function denseValues(c: Cursor, start: number, end: number, out: RecordLayout): void {
  c.pos = start;
  while (c.pos < end) {
    const tag = varint(c);
    if ((tag & 7) !== 2) throw MALFORMED;
    const len = varint(c);
    const bodyAt = c.pos;
    c.pos += len;
    if (c.pos > end) throw MALFORMED;
    if (tag >>> 3 !== 1) continue; // cls_name, parameters
    // dense: buffer = 1, shape = 2 (packed), dtype = 3
    const denseEnd = c.pos;
    c.pos = bodyAt;
    while (c.pos < denseEnd) {
      const t = varint(c);
      if ((t & 7) === 0) {
        varint(c); // an unpacked shape value
        continue;
      }
      if ((t & 7) !== 2) throw MALFORMED;
      const l = varint(c);
      if (c.pos + l > denseEnd) throw MALFORMED;
      if (t >>> 3 === 1) {
        out.valuesStart = c.pos;
        out.valuesBytes = l;
      } else if (t >>> 3 === 3) out.dtype = ascii(c.buf, c.pos, l);
      c.pos += l;
    }
    if (c.pos !== denseEnd) throw MALFORMED;
  }
  if (c.pos !== end) throw MALFORMED;
}

interface Cursor {
  buf: Uint8Array;
  /** End of the record's bytes (the buffer may be longer). */
  end: number;
  pos: number;
}

function varint(c: Cursor): number {
  let v = 0;
  let scale = 1;
  for (;;) {
    if (c.pos >= c.end) throw MALFORMED;
    const b = c.buf[c.pos++] as number;
    v += (b & 0x7f) * scale;
    if (b < 0x80) return v;
    scale *= 128;
    if (scale > 2 ** 49) throw MALFORMED;
  }
}

function ascii(buf: Uint8Array, start: number, len: number): string {
  let s = '';
  for (let i = start; i < start + len; i++) s += String.fromCharCode(buf[i] as number);
  return s;
}
