/**
 * The durable side of the indexer: one LMDB environment with four databases, committed with fsync before a write
 * is acknowledged.
 *   docs  id  -> record (vector key + DocumentProto bytes)      the documents themselves
 *   keys  key -> id                                             live vector keys (usearch's uint64 keys)
 *   log   seq -> id (a put of key = seq) | key (a delete)       writes not yet in the index snapshot
 *   meta  'config' | 'seq' | 'snapshot' -> JSON-like values
 * Reads are synchronous; writes go through `write()`, one atomic transaction per call.
 */
import { mkdirSync } from 'node:fs';
import type { Document } from '@weft-ai/weft';
import { type Database, open, type RootDatabase } from 'lmdb';
import { recordDocument, recordKey } from './record.js';

/** Index-shaping parameters, persisted so a reopen can tell whether the graph still fits the options. */
export interface IndexConfig {
  dim: number;
  metric: string;
  M: number;
  efConstruction: number;
}

/** The snapshot of the HNSW index the store vouches for. */
export interface SnapshotMeta extends IndexConfig {
  file: string;
  /** Size and SHA-256 of the file, checked before it is loaded. */
  bytes: number;
  sha256: string;
  /** Last write sequence number the snapshot contains. */
  seq: number;
  /** Vectors in the snapshot. */
  count: number;
}

/** Mutations allowed inside `DocStore.write()`; all of them land in one transaction. */
export interface StoreTxn {
  putDoc(id: string, record: Uint8Array): void;
  removeDoc(id: string): void;
  putKey(key: number, id: string): void;
  removeKey(key: number): void;
  logPut(seq: number, id: string): void;
  logDelete(seq: number, key: number): void;
  setMeta(name: 'config' | 'seq' | 'snapshot', value: unknown): void;
  removeMeta(name: 'config' | 'snapshot'): void;
  /** Drop every log entry with a sequence number up to `seq`. */
  truncateLog(seq: number): void;
  /** Drop every document, key and log entry. */
  clearAll(): void;
}

export class DocStore {
  readonly #env: RootDatabase;
  readonly #docs: Database<Buffer, string>;
  readonly #keys: Database<string, number>;
  readonly #log: Database<string | number, number>;
  readonly #meta: Database<unknown, string>;
  readonly #txn: StoreTxn;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    // overlappingSync off: a commit resolves only after LMDB has fsynced it, so an acknowledged write is durable
    this.#env = open({ path: dir, maxDbs: 8, overlappingSync: false, noSync: false });
    this.#docs = this.#env.openDB<Buffer, string>('docs', { encoding: 'binary' });
    this.#keys = this.#env.openDB<string, number>('keys', { encoding: 'string' });
    this.#log = this.#env.openDB<string | number, number>('log', { encoding: 'msgpack' });
    this.#meta = this.#env.openDB<unknown, string>('meta', { encoding: 'msgpack' });
    const docs = this.#docs;
    const keys = this.#keys;
    const log = this.#log;
    const meta = this.#meta;
    this.#txn = {
      putDoc: (id, record) => docs.putSync(id, Buffer.from(record.buffer, record.byteOffset, record.byteLength)),
      removeDoc: (id) => docs.removeSync(id),
      putKey: (key, id) => keys.putSync(key, id),
      removeKey: (key) => keys.removeSync(key),
      logPut: (seq, id) => log.putSync(seq, id),
      logDelete: (seq, key) => log.putSync(seq, key),
      setMeta: (name, value) => meta.putSync(name, value),
      removeMeta: (name) => meta.removeSync(name),
      truncateLog: (seq) => {
        for (const k of [...log.getKeys({ end: seq + 1 })]) log.removeSync(k);
      },
      clearAll: () => {
        docs.clearSync();
        keys.clearSync();
        log.clearSync();
      },
    };
  }

  /** The stored record of `id`. */
  record(id: string): Uint8Array | undefined {
    return this.#docs.get(id);
  }

  /**
   * The stored record of `id` without a copy: a view of a buffer LMDB overwrites on the next read of this store,
   * so use it before reading again. Its `length` is the record's (the buffer behind it is longer).
   */
  recordView(id: string): Uint8Array | undefined {
    return this.#docs.getBinaryFast(id);
  }

  /** The vector key `id` is stored under, without copying or decoding its record. */
  keyOf(id: string): number | undefined {
    const fast = this.#docs.getBinaryFast(id);
    return fast === undefined ? undefined : recordKey(fast);
  }

  /** The stored Document of `id`. */
  document(id: string): Document | undefined {
    const r = this.#docs.get(id);
    return r === undefined ? undefined : recordDocument(r);
  }

  /** Every stored record, in id order. */
  *records(): Generator<{ id: string; record: Uint8Array }> {
    for (const { key, value } of this.#docs.getRange()) yield { id: key, record: value };
  }

  /** Every live vector key with its id, in key order. */
  *liveKeys(): Generator<[number, string]> {
    for (const { key, value } of this.#keys.getRange()) yield [key, value];
  }

  /** The id behind a live key. */
  idOf(key: number): string | undefined {
    return this.#keys.get(key);
  }

  /** Log entries after `seq`, in order: a string is a put (of key = seq), a number the key a delete removed. */
  *logAfter(seq: number): Generator<[number, string | number]> {
    for (const { key, value } of this.#log.getRange({ start: seq + 1 })) yield [key, value];
  }

  /** Number of log entries (writes since the snapshot, until the next one truncates them). */
  logLength(): number {
    return this.#log.getCount();
  }

  /** Number of stored documents. */
  count(): number {
    return this.#docs.getCount();
  }

  meta<T>(name: 'config' | 'seq' | 'snapshot'): T | undefined {
    return this.#meta.get(name) as T | undefined;
  }

  /** Run `fn` in one write transaction; resolves once the transaction is committed and fsynced. */
  async write<T>(fn: (txn: StoreTxn) => T): Promise<T> {
    return this.#env.transaction(() => fn(this.#txn));
  }

  /** `write()` on the calling thread (blocking); for recovery, before requests are served. */
  writeSync<T>(fn: (txn: StoreTxn) => T): T {
    return this.#env.transactionSync(() => fn(this.#txn));
  }

  async close(): Promise<void> {
    await this.#env.close();
  }
}
