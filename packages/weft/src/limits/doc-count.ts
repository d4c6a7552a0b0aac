/**
 * Counting a request's documents without decoding them: a gateway checks `maxDocs` on the raw
 * `DocumentArrayProto` bytes it forwards (documents are field 1, length-delimited). Malformed bytes stop the
 * count; the decoder that reads them later says what is wrong.
 */
import type { DataRequest } from '../request/index.js';

/** The number of documents `req` carries, decoded or not. */
export function documentCount(req: DataRequest): number {
  const raw = req.rawDocs;
  return raw === undefined ? req.docs.length : countDocs(raw);
}

/** Top-level field-1 entries of `DocumentArrayProto` bytes. */
export function countDocs(bytes: Uint8Array): number {
  let pos = 0;
  let count = 0;
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= bytes.length) return -1;
      const b = bytes[pos++] as number;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
    return -1;
  };
  while (pos < bytes.length) {
    const tag = varint();
    if (tag < 0) break;
    const wire = tag & 7;
    if (wire === 2) {
      const len = varint();
      if (len < 0 || pos + len > bytes.length) break;
      pos += len;
      if (tag >>> 3 === 1) count++;
    } else if (wire === 0) {
      if (varint() < 0) break;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else break;
  }
  return count;
}
