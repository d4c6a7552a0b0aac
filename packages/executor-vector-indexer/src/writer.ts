/**
 * The single writer of an indexer, with group commit: requests that arrive while a commit is in flight are planned
 * together and committed in one fsynced LMDB transaction. A request's promise settles only after that commit, and
 * the in-memory graph changes (synchronously) right after it, so searches never see a vector whose document is not
 * durable. Snapshots, clears and deletes by filter run alone, between groups.
 */
import { compileFilter, type Document, type Filter, type JsonObject, WeftError } from '@weft-ai/weft';
import type { IndexState } from './index-state.js';
import { recordDocument } from './record.js';
import { mirrorFromStore, recover } from './recovery.js';
import { removeOtherSnapshots, writeSnapshotFile } from './snapshot-files.js';
import { VectorSpace } from './vector-space.js';
import { WritePlan } from './write-plan.js';

export type WriteJob =
  | { kind: 'write'; docs: readonly Document[]; onlyExisting: boolean; strict: boolean }
  | { kind: 'delete'; ids: readonly string[] }
  | { kind: 'deleteWhere'; filter: Filter }
  | { kind: 'clear' }
  | { kind: 'snapshot' };

interface Pending {
  job: WriteJob;
  resolve: (r: JsonObject) => void;
  reject: (e: unknown) => void;
}

/** Most documents one group commit takes (a request larger than this is committed alone). */
const GROUP_DOCS = 8192;

export class Writer {
  readonly #state: IndexState;
  readonly #queue: Pending[] = [];
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(state: IndexState) {
    this.#state = state;
  }

  /** Queue a write; resolves with its results once it is durable. */
  submit(job: WriteJob): Promise<JsonObject> {
    if (this.#closed) return Promise.reject(new WeftError('VectorIndexer: the indexer is closed'));
    return new Promise<JsonObject>((resolve, reject) => {
      this.#queue.push({ job, resolve, reject });
      this.#kick();
    });
  }

  /** Start the run loop unless it runs; a job queued while a finished loop was unwinding starts a new one. */
  #kick(): void {
    if (this.#running) return;
    this.#running = this.#run().finally(() => {
      this.#running = undefined;
      if (this.#queue.length > 0) this.#kick();
    });
  }

  /** Wait until every queued write has settled. */
  async drain(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Refuse new writes, then wait for the queued ones. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.drain();
  }

  async #run(): Promise<void> {
    while (this.#queue.length > 0) {
      const group = this.#takeGroup();
      const first = group[0] as Pending;
      if (first.job.kind === 'write' || first.job.kind === 'delete') await this.#commitGroup(group);
      else await settle(first, () => this.#exclusive(first.job));
      if (this.#state.snapshotDue() && !this.#queue.some((p) => p.job.kind === 'snapshot')) {
        await this.#queueAutoSnapshot();
      }
    }
  }

  #takeGroup(): Pending[] {
    const first = this.#queue.shift() as Pending;
    if (first.job.kind !== 'write' && first.job.kind !== 'delete') return [first];
    const group = [first];
    let docs = size(first.job);
    while (this.#queue.length > 0) {
      const next = this.#queue[0] as Pending;
      if (next.job.kind !== 'write' && next.job.kind !== 'delete') break;
      if (docs + size(next.job) > GROUP_DOCS) break;
      docs += size(next.job);
      group.push(this.#queue.shift() as Pending);
    }
    return group;
  }

  async #commitGroup(group: Pending[]): Promise<void> {
    const plan = new WritePlan(this.#state);
    const planned: { p: Pending; result: JsonObject }[] = [];
    for (const p of group) {
      try {
        planned.push({ p, result: planJob(plan, p.job) });
      } catch (err) {
        p.reject(err);
      }
    }
    if (planned.length === 0) return;
    try {
      await this.#commit(plan);
    } catch (err) {
      for (const { p } of planned) p.reject(err);
      return;
    }
    for (const { p, result } of planned) p.resolve(result);
  }

  /** Commit `plan` durably, then apply it to memory. */
  async #commit(plan: WritePlan): Promise<void> {
    const state = this.#state;
    const newDim = plan.newDim;
    const dim = state.dim ?? newDim;
    const storeConfig = !state.configStored && dim !== undefined && plan.ops.length > 0;
    try {
      await state.store.write((t) => {
        for (const op of plan.ops) op(t);
        t.setMeta('seq', plan.seq);
        if (storeConfig) t.setMeta('config', state.config(dim));
      });
    } catch (err) {
      throw new WeftError(`VectorIndexer: committing to the document store failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
    state.seq = plan.seq;
    state.changesSinceSnapshot += plan.changes;
    if (storeConfig) state.configStored = true;
    if (newDim !== undefined && !state.space) state.space = new VectorSpace(state.spaceParams(newDim));
    const space = state.space;
    if (!space) return;
    // the store is durable now: memory must follow whatever happens
    try {
      space.remove([...plan.removes]);
      const keys = [...plan.adds.keys()];
      const rows = new Float32Array(keys.length * space.params.dim);
      const ids: string[] = [];
      keys.forEach((k, i) => {
        const a = plan.adds.get(k) as { id: string; row: Float32Array };
        rows.set(a.row, i * space.params.dim);
        ids.push(a.id);
      });
      space.add(keys, ids, rows);
      if (space.wantsMirror()) mirrorFromStore(state, space);
    } catch (err) {
      process.emitWarning(`VectorIndexer: updating the in-memory index failed (${(err as Error).message}); rebuilding`);
      state.space = undefined;
      recover(state);
    }
  }

  async #exclusive(job: WriteJob): Promise<JsonObject> {
    const state = this.#state;
    if (job.kind === 'snapshot') return this.#snapshot();
    if (job.kind === 'deleteWhere') {
      const keep = compileFilter(job.filter);
      const ids: string[] = [];
      for (const { id, record } of state.store.records()) if (keep(recordDocument(record))) ids.push(id);
      const plan = new WritePlan(state);
      const deleted = plan.deleteIds(ids);
      if (deleted > 0) await this.#commit(plan);
      return { deleted };
    }
    // clear
    const deleted = state.store.count();
    const seq = state.seq;
    const keepConfig = state.options.dim !== undefined;
    await state.store.write((t) => {
      t.clearAll();
      t.removeMeta('snapshot');
      if (!keepConfig) t.removeMeta('config');
      t.setMeta('seq', seq);
    });
    if (keepConfig) state.space?.reset();
    else {
      state.space = undefined;
      state.configStored = false;
    }
    state.snapshotSeq = 0;
    state.snapshotFile = undefined;
    state.changesSinceSnapshot = 0;
    removeOtherSnapshots(state.dir, undefined);
    return { deleted };
  }

  /** Write a snapshot of the graph as of the last applied write, then let the store point at it. */
  async #snapshot(): Promise<JsonObject> {
    const state = this.#state;
    const space = state.space;
    if (!space || (state.snapshotSeq === state.seq && state.snapshotFile)) {
      return { seq: state.snapshotSeq, count: space?.size ?? 0, written: false };
    }
    const seq = state.seq;
    const count = space.size;
    const saved = writeSnapshotFile(space, state.dir, seq);
    const file = saved.file;
    const config = state.config(space.params.dim);
    await state.store.write((t) => {
      t.setMeta('snapshot', { ...config, ...saved, seq, count });
      t.setMeta('config', config);
      t.truncateLog(seq);
    });
    state.snapshotSeq = seq;
    state.snapshotFile = file;
    state.changesSinceSnapshot = 0;
    removeOtherSnapshots(state.dir, file);
    return { seq, count, written: true };
  }

  /** Queue a snapshot, after the requests just committed have been answered (their continuations run first). */
  async #queueAutoSnapshot(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    this.#queue.push({
      job: { kind: 'snapshot' },
      resolve: () => {},
      reject: (err) => {
        // try again only after another round of changes, not in a loop
        this.#state.changesSinceSnapshot = 0;
        process.emitWarning(`VectorIndexer: automatic snapshot failed: ${(err as Error).message}`);
      },
    });
  }
}

function planJob(plan: WritePlan, job: WriteJob): JsonObject {
  if (job.kind === 'delete') return { deleted: plan.deleteIds(job.ids) };
  if (job.kind !== 'write') throw new Error(`not a group job: ${job.kind}`);
  const { written, missing } = plan.writeDocs(job.docs, job.onlyExisting, job.strict);
  return job.onlyExisting ? { updated: written, missing } : { indexed: written };
}

function size(job: WriteJob): number {
  return job.kind === 'write' ? job.docs.length : job.kind === 'delete' ? job.ids.length : 1;
}

async function settle(p: Pending, fn: () => Promise<JsonObject>): Promise<void> {
  try {
    p.resolve(await fn());
  } catch (err) {
    p.reject(err);
  }
}
