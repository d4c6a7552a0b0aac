/**
 * Reading stored records for search matches, fast: records arrive as views of LMDB's reused read buffer (no copy),
 * the vector key and the embedding's float32/float64 values are read through one cached DataView into an arena
 * (no allocation per match; `reset()` reuses it for the next request), and the document is decoded without its embedding when the record
 * has it as its last field (see record.ts). Anything else (older records, an embedding of another dtype, stored
 * blobs/tensors/chunks that a decoded document would view, or a request that returns embeddings) is copied and
 * decoded in full, as before.
 */
import { Document } from '@weft-ai/weft';
import { HEADER, recordDocument } from './record.js';
import { recordLayout } from './record-layout.js';
import { embeddingValues } from './vectors.js';

/** What search needs of a stored document: the document, and where the values it is scored by are. */
export interface StoredMatch {
  /** The stored document; without its embedding unless the reader was asked for embeddings. */
  doc: Document;
  /** The embedding's values are `values[at]` … `values[at + dim - 1]`. */
  values: ArrayLike<number>;
  at: number;
}

const EMPTY = new Float64Array(0);

export class MatchReader {
  #arena = new Float64Array(4096);
  #used = 0;
  #buffer: ArrayBufferLike | undefined;
  #view: DataView | undefined;

  /** Start over: values read so far may be overwritten (call when no match of an earlier search is in use). */
  reset(): void {
    this.#used = 0;
  }

  /** The vector key a record (a view of `bytes`) was stored under. */
  key(bytes: Uint8Array): number {
    return this.#dataView(bytes).getFloat64(bytes.byteOffset, true);
  }

  /**
   * Read the record in the first `length` bytes of `bytes`, which may be overwritten by the next store read:
   * nothing returned views it. `withEmbeddings`: decode the document in full, embedding included.
   */
  read(bytes: Uint8Array, length: number, withEmbeddings = false): StoredMatch {
    const layout = withEmbeddings ? undefined : recordLayout(bytes, length, HEADER);
    if (layout && layout.bodyEnd >= 0 && !layout.views && layout.valuesStart >= 0) {
      const at = this.#copyValues(bytes, layout.valuesStart, layout.valuesBytes, layout.dtype);
      if (at >= 0) {
        const body = new Uint8Array(bytes.buffer, bytes.byteOffset + HEADER, layout.bodyEnd - HEADER);
        return { doc: Document.fromBytes(body), values: this.#arena, at };
      }
    }
    // a copy that owns its bytes (Buffer#slice would be a view)
    const copy = new Uint8Array(length);
    copy.set(new Uint8Array(bytes.buffer, bytes.byteOffset, length));
    const doc = recordDocument(copy);
    const e = doc.embedding;
    return { doc, values: e ? embeddingValues(e) : EMPTY, at: 0 };
  }

  /** Copy little-endian float32/float64 values into the arena; their offset there, or -1 for another dtype. */
  #copyValues(bytes: Uint8Array, start: number, n: number, dtype: string): number {
    const size = dtype === '<f4' ? 4 : dtype === '<f8' ? 8 : 0;
    if (size === 0 || n % size !== 0) return -1;
    const count = n / size;
    if (this.#used + count > this.#arena.length) {
      // a fresh arena: matches read so far keep the old one
      this.#arena = new Float64Array(Math.max(this.#arena.length * 2, count));
      this.#used = 0;
    }
    const arena = this.#arena;
    const at = this.#used;
    const view = this.#dataView(bytes);
    const base = bytes.byteOffset + start;
    if (size === 4) for (let j = 0; j < count; j++) arena[at + j] = view.getFloat32(base + 4 * j, true);
    else for (let j = 0; j < count; j++) arena[at + j] = view.getFloat64(base + 8 * j, true);
    this.#used = at + count;
    return at;
  }

  /** A DataView of the whole buffer behind `bytes` (LMDB reads into the same buffer again and again). */
  #dataView(bytes: Uint8Array): DataView {
    if (bytes.buffer !== this.#buffer || this.#view === undefined) {
      this.#buffer = bytes.buffer;
      this.#view = new DataView(bytes.buffer);
    }
    return this.#view;
  }
}
