/**
 * Opening an indexer's workspace: bring the in-memory vector space in line with the durable store. The fast path
 * loads the last HNSW snapshot and replays the writes logged after it (vectors stored under keys newer than the
 * snapshot are added, deletes of older keys are removed from the graph); when there is no usable snapshot (none
 * yet, a file that does not load, other index parameters) the graph is rebuilt from the stored documents.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ConfigError } from '@weft-ai/weft';
import type { IndexConfig, SnapshotMeta } from './doc-store.js';
import type { IndexState } from './index-state.js';
import { recordDocument, recordKey } from './record.js';
import { removeOtherSnapshots, snapshotIntact } from './snapshot-files.js';
import { VectorSpace } from './vector-space.js';
import { writeRow } from './vectors.js';

export interface RecoveryInfo {
  /** `empty`: nothing stored; `snapshot`: snapshot loaded plus log replayed; `rebuild`: graph built from the store. */
  mode: 'empty' | 'snapshot' | 'rebuild';
  /** Why the graph was rebuilt (mode `rebuild`). */
  reason?: string;
  /** Sequence number of the snapshot loaded (0 when none). */
  snapshotSeq: number;
  /** Log entries (writes and deletes) applied on top of the snapshot. */
  replayed: number;
  /** Documents in the index after opening. */
  count: number;
  /** Time taken to open, in milliseconds. */
  ms: number;
}

const BATCH = 4096;

/** Fill `state` from its store; returns what was done. Throws `ConfigError` when `dim` contradicts the store. */
export function recover(state: IndexState): RecoveryInfo {
  const t0 = performance.now();
  const { store, options } = state;
  const config = store.meta<IndexConfig>('config');
  if (config && options.dim !== undefined && config.dim !== options.dim) {
    throw new ConfigError(
      `VectorIndexer: dim is ${options.dim} but the store in ${state.dir} holds ${config.dim}-dimensional vectors; use dim: ${config.dim}, a new workspace, or /clear it first`,
      { details: { executor: 'VectorIndexer', option: 'dim', stored: config.dim } },
    );
  }
  state.seq = store.meta<number>('seq') ?? 0;
  state.configStored = config !== undefined;
  const count = store.count();
  const dim = config?.dim ?? options.dim ?? storedDim(state);
  const done = (info: Omit<RecoveryInfo, 'ms' | 'count'>): RecoveryInfo => {
    removeOtherSnapshots(state.dir, state.snapshotFile);
    return { ...info, count: state.space?.size ?? 0, ms: performance.now() - t0 };
  };
  if (dim === undefined) return done({ mode: 'empty', snapshotSeq: 0, replayed: 0 });
  const params = state.spaceParams(dim);
  if (count === 0) {
    state.space = new VectorSpace(params);
    return done({ mode: 'empty', snapshotSeq: 0, replayed: 0 });
  }
  const snap = store.meta<SnapshotMeta>('snapshot');
  const why = snapshotProblem(snap, state.config(dim));
  if (snap && why === undefined) {
    const replayed = fromSnapshot(state, snap);
    if (replayed !== undefined) {
      state.snapshotSeq = snap.seq;
      state.snapshotFile = snap.file;
      state.changesSinceSnapshot = replayed;
      return done({ mode: 'snapshot', snapshotSeq: snap.seq, replayed });
    }
  }
  rebuild(state, dim);
  state.changesSinceSnapshot = state.space?.size ?? 0;
  return done({
    mode: 'rebuild',
    reason:
      why ?? (snap ? `snapshot ${snap.file} is damaged, did not load or disagrees with the store` : 'no snapshot yet'),
    snapshotSeq: 0,
    replayed: 0,
  });
}

/** The embedding size of the first stored document (a store written before its config was). */
function storedDim(state: IndexState): number | undefined {
  for (const { record } of state.store.records()) return recordDocument(record).embedding?.size;
  return undefined;
}

function snapshotProblem(snap: SnapshotMeta | undefined, want: IndexConfig): string | undefined {
  if (!snap) return 'no snapshot yet';
  for (const k of ['dim', 'metric', 'M', 'efConstruction'] as const) {
    if (snap[k] !== want[k]) return `${k} changed from ${snap[k]} to ${want[k]}`;
  }
  return undefined;
}

/** Load the snapshot and replay the log; undefined when the result does not match the store. */
function fromSnapshot(state: IndexState, snap: SnapshotMeta): number | undefined {
  const { store } = state;
  const dim = snap.dim;
  const params = state.spaceParams(dim);
  const space = new VectorSpace(params, false);
  if (!snapshotIntact(state.dir, snap) || !space.load(join(state.dir, snap.file), snap.count)) return undefined;
  // keys up to snap.seq are in the graph: adopt the live ones, remove those deleted since
  const deleted: number[] = [];
  let replayed = 0;
  for (const [, value] of store.logAfter(snap.seq)) {
    replayed++;
    if (typeof value === 'number' && value <= snap.seq) deleted.push(value);
  }
  const old: [number, string][] = [];
  const fresh: [number, string][] = [];
  for (const entry of store.liveKeys()) (entry[0] <= snap.seq ? old : fresh).push(entry);
  space.adoptKeys(old);
  space.removeFromGraph(deleted);
  if (!space.consistent()) return undefined;
  try {
    addFromStore(state, space, fresh);
  } catch {
    return undefined;
  }
  if (space.size !== store.count() || !space.consistent()) return undefined;
  if (space.size <= params.exactBelow) mirrorFromStore(state, space);
  state.space = space;
  return replayed;
}

/** Build the graph from every stored document. */
function rebuild(state: IndexState, dim: number): void {
  const space = new VectorSpace(state.spaceParams(dim), false);
  const keys: number[] = [];
  const ids: string[] = [];
  let rows = new Float32Array(BATCH * dim);
  const small = state.store.count() <= space.params.exactBelow;
  const all: { keys: number[]; rows: Float32Array[] } = { keys: [], rows: [] };
  const flush = (): void => {
    space.add(keys, ids, rows);
    if (small) {
      all.keys.push(...keys);
      all.rows.push(rows.slice(0, keys.length * dim));
    }
    keys.length = 0;
    ids.length = 0;
    rows = new Float32Array(BATCH * dim);
  };
  for (const { id, record } of state.store.records()) {
    writeRow(recordDocument(record), dim, rows, keys.length, 'stored');
    keys.push(recordKey(record));
    ids.push(id);
    if (keys.length === BATCH) flush();
  }
  if (keys.length > 0) flush();
  if (small) space.setMirror(all.keys, concat(all.rows, all.keys.length * dim));
  state.space = space;
}

/** Add the stored vectors of `entries` (key, id) to `space`. */
function addFromStore(state: IndexState, space: VectorSpace, entries: readonly [number, string][]): void {
  const dim = space.params.dim;
  for (let i = 0; i < entries.length; i += BATCH) {
    const part = entries.slice(i, i + BATCH);
    const rows = new Float32Array(part.length * dim);
    part.forEach(([key, id], r) => {
      const record = state.store.record(id);
      if (!record || recordKey(record) !== key) throw new Error(`key ${key} of '${id}' is not its stored key`);
      writeRow(recordDocument(record), dim, rows, r, 'stored');
    });
    space.add(
      part.map(([k]) => k),
      part.map(([, id]) => id),
      rows,
    );
  }
}

/** Give `space` an exact mirror of every live stored vector. */
export function mirrorFromStore(state: IndexState, space: VectorSpace): void {
  const dim = space.params.dim;
  const keys: number[] = [];
  const rows = new Float32Array(Math.max(1, space.size) * dim);
  for (const { record } of state.store.records()) {
    const key = recordKey(record);
    if (!space.has(key) || keys.length >= space.size) continue;
    writeRow(recordDocument(record), dim, rows, keys.length, 'stored');
    keys.push(key);
  }
  space.setMirror(keys, rows.subarray(0, keys.length * dim));
}

function concat(parts: readonly Float32Array[], length: number): Float32Array {
  const out = new Float32Array(length);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
