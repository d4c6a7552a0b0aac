/**
 * What the writer, the searcher and recovery share: the durable store, the in-memory vector space (absent until
 * the embedding size is known), the last write sequence number and the snapshot bookkeeping.
 */
import type { DocStore, IndexConfig } from './doc-store.js';
import { exactThreshold, type ResolvedOptions } from './options.js';
import type { SpaceParams, VectorSpace } from './vector-space.js';

export class IndexState {
  readonly store: DocStore;
  /** The workspace directory (snapshot files live here). */
  readonly dir: string;
  readonly options: ResolvedOptions;
  space: VectorSpace | undefined;
  /** The last sequence number a committed write used. */
  seq = 0;
  /** Sequence number and file of the snapshot the store names (0 / undefined: none). */
  snapshotSeq = 0;
  snapshotFile: string | undefined;
  /** Documents written or deleted since the last snapshot. */
  changesSinceSnapshot = 0;
  /** Whether the store holds the index config (written with the first write that knows `dim`). */
  configStored = false;

  constructor(store: DocStore, dir: string, options: ResolvedOptions) {
    this.store = store;
    this.dir = dir;
    this.options = options;
  }

  get dim(): number | undefined {
    return this.space?.params.dim ?? this.options.dim;
  }

  /** Vector space parameters for embeddings of `dim` values under the current options. */
  spaceParams(dim: number): SpaceParams {
    const o = this.options;
    return {
      dim,
      metric: o.metric,
      M: o.M,
      efConstruction: o.efConstruction,
      efSearch: o.efSearch,
      threads: o.threads,
      exactBelow: exactThreshold(o, dim),
    };
  }

  /** The persisted form of the index-shaping parameters for `dim`. */
  config(dim: number): IndexConfig {
    const o = this.options;
    return { dim, metric: o.metric, M: o.M, efConstruction: o.efConstruction };
  }

  /** Whether enough changed since the last snapshot to write a new one. */
  snapshotDue(): boolean {
    const size = this.space?.size ?? 0;
    return this.changesSinceSnapshot >= Math.max(this.options.snapshotEvery, Math.floor(size / 4));
  }
}
