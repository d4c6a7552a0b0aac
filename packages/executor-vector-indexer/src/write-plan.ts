/**
 * Planning one group commit: the writes of several requests turned into store mutations (applied later in one
 * transaction) and the in-memory changes to make once that transaction is durable. Each document write takes a
 * fresh sequence number as its vector key, so keys are never reused: a replaced or deleted document's old key is
 * logged as deleted, and a search that meets a key the store no longer holds simply skips it.
 */
import { BadArgumentError, type Document } from '@weft-ai/weft';
import type { StoreTxn } from './doc-store.js';
import type { IndexState } from './index-state.js';
import { checkId, encodeRecord } from './record.js';
import { writeRow } from './vectors.js';

type Op = (txn: StoreTxn) => void;

export class WritePlan {
  readonly #state: IndexState;
  readonly ops: Op[] = [];
  /** id -> its key as of this plan (null: deleted in this plan). */
  readonly #overlay = new Map<string, number | null>();
  /** Vectors to add once durable, by key. */
  readonly adds = new Map<number, { id: string; row: Float32Array }>();
  /** Keys live in memory to remove once durable. */
  readonly removes = new Set<number>();
  seq: number;
  /** The embedding size, when this plan is the one that fixes it. */
  newDim: number | undefined;
  /** Documents written or deleted. */
  changes = 0;

  constructor(state: IndexState) {
    this.#state = state;
    this.seq = state.seq;
  }

  get dim(): number | undefined {
    return this.#state.dim ?? this.newDim;
  }

  /** The key `id` has as of this plan. */
  keyOf(id: string): number | undefined {
    const k = this.#overlay.get(id);
    if (k === null) return undefined;
    return k ?? this.#state.store.keyOf(id);
  }

  /**
   * Plan writing `docs` (last occurrence of an id wins). With `onlyExisting`, ids without a stored document are
   * skipped and returned as `missing`; with `strict` as well, any missing id fails the whole request instead.
   * Everything is validated before the plan changes, so a request that throws leaves no trace.
   */
  writeDocs(docs: readonly Document[], onlyExisting: boolean, strict: boolean): { written: number; missing: string[] } {
    const byId = new Map<string, Document>();
    for (const d of docs) {
      checkId(d.id);
      byId.delete(d.id);
      byId.set(d.id, d);
    }
    const missing: string[] = [];
    const chosen: Document[] = [];
    for (const d of byId.values()) {
      if (onlyExisting && this.keyOf(d.id) === undefined) missing.push(d.id);
      else chosen.push(d);
    }
    if (strict && missing.length > 0) {
      throw new BadArgumentError(
        `VectorIndexer: /update found no stored document for ${missing.length} id(s): ${preview(missing)}; index them first (or drop parameters.strict)`,
        { details: { missing: missing.slice(0, 100) } },
      );
    }
    let dim = this.dim;
    if (dim === undefined && chosen.length > 0) {
      const e = chosen[0]?.embedding;
      if (e) dim = e.size;
    }
    const rows = chosen.map((d) => {
      const row = new Float32Array(dim ?? 0);
      writeRow(d, dim ?? 0, row, 0, 'indexed');
      return row;
    });
    if (this.#state.dim === undefined && dim !== undefined && chosen.length > 0) this.newDim = dim;
    const fields = this.#state.options;
    chosen.forEach((d, i) => {
      this.#dropKey(d.id);
      const key = ++this.seq;
      const record = encodeRecord(d, key, fields);
      const id = d.id;
      this.ops.push((t) => {
        t.putDoc(id, record);
        t.putKey(key, id);
        t.logPut(key, id);
      });
      this.#overlay.set(id, key);
      this.adds.set(key, { id, row: rows[i] as Float32Array });
      this.changes++;
    });
    return { written: chosen.length, missing };
  }

  /** Plan deleting `ids`; returns how many were stored. */
  deleteIds(ids: readonly string[]): number {
    let deleted = 0;
    for (const id of new Set(ids)) {
      if (typeof id !== 'string' || id === '' || this.keyOf(id) === undefined) continue;
      this.#dropKey(id);
      this.ops.push((t) => t.removeDoc(id));
      this.#overlay.set(id, null);
      this.changes++;
      deleted++;
    }
    return deleted;
  }

  /** Forget `id`'s current key (if any): logged as deleted, removed from memory once durable. */
  #dropKey(id: string): void {
    const old = this.keyOf(id);
    if (old === undefined) return;
    const seq = ++this.seq;
    this.ops.push((t) => {
      t.removeKey(old);
      t.logDelete(seq, old);
    });
    if (!this.adds.delete(old)) this.removes.add(old);
  }
}

function preview(ids: readonly string[]): string {
  const shown = ids.slice(0, 5).map((id) => `'${id}'`);
  return ids.length > 5 ? `${shown.join(', ')} and ${ids.length - 5} more` : shown.join(', ');
}
