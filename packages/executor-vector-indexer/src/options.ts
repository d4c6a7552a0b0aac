/**
 * VectorIndexer's options (its `usesWith` values): the one place that names them, validates them and fills in
 * defaults. Index-shaping options (`metric`, `M`, `efConstruction`) are persisted with the store; changing them
 * later rebuilds the HNSW graph from the stored documents on open.
 */
import { availableParallelism } from 'node:os';
import { ConfigError } from '@weft-ai/weft';

/** `cosine`: 1 - cos (ascending); `l2`: euclidean distance (ascending); `ip`: inner product (descending). */
export type IndexMetric = 'cosine' | 'l2' | 'ip';

/** How a sharded indexer decides which documents are its own. */
export type Partition = 'none' | 'id-hash';

export interface VectorIndexerOptions {
  /** Similarity measure; also the key of `scores` on matches. Default `'cosine'`. */
  metric?: IndexMetric;
  /** Embedding size; inferred from the first indexed document when absent. */
  dim?: number;
  /** HNSW connectivity (edges per node). Default 16. */
  M?: number;
  /** HNSW candidate list size while inserting. Default 128. */
  efConstruction?: number;
  /** HNSW candidate list size while searching (raised to `limit` when smaller). Default 64. */
  efSearch?: number;
  /**
   * Collections with at most this many documents are searched exactly (brute force) instead of through HNSW.
   * Default: `round(1_280_000 / dim)` (10,000 documents at 128 dimensions, 1,000 at 1280); 0 disables.
   */
  exactBelow?: number;
  /** Keep `blob` and `tensor` content in the store (off: only text content is kept). Default false. */
  storeBlobs?: boolean;
  /** Keep `chunks` in the store. Default false. */
  storeChunks?: boolean;
  /** Write an index snapshot once this many documents changed since the last one (or a quarter of the collection, if more). Default 10,000. */
  snapshotEvery?: number;
  /** Threads usearch may use for batched inserts and searches (at most the machine's available parallelism, the default). */
  threads?: number;
  /**
   * `'id-hash'`: a sharded indexer keeps only ids that hash to its shard (use polling ALL for `/index`, `/update`
   * and `/delete`); re-indexing an id always lands on the same shard. `'none'` (default): keep what arrives.
   */
  partition?: Partition;
  /**
   * How long (ms) to wait for another process that still holds the workspace to let go before failing: a runtime
   * restarted right after its parent was killed overlaps the old one's shutdown. Default 30,000; 0 fails at once.
   */
  lockWaitMs?: number;
  /**
   * Turn raw similarities into a calibrated score: each match also gets `scores.calibrated` (in [0, 1], a logistic
   * of the similarity centred on `threshold`) and `scores.match` (1 when the similarity reaches `threshold`, else
   * 0), so "nothing close" can be told from a best-of-the-rest. Similarity is `1 - distance` for cosine, the inner
   * product for `ip`, minus the distance for `l2`. The numbers come from the embedding's evaluation (e.g.
   * `IMAGE_SCORE_CALIBRATION` of @weft-ai/executor-image-encoder). `parameters.calibration` overrides it per request.
   */
  calibration?: ScoreCalibration;
}

/** See `VectorIndexerOptions.calibration`. */
export interface ScoreCalibration {
  /** Similarity at which a match counts as one (`scores.calibrated` = 0.5). */
  threshold: number;
  /** Logistic width: similarity `threshold + 2·width` scores about 0.88. */
  width: number;
}

export interface ResolvedOptions {
  metric: IndexMetric;
  dim: number | undefined;
  M: number;
  efConstruction: number;
  efSearch: number;
  /** undefined: derive from `dim` once known. */
  exactBelow: number | undefined;
  storeBlobs: boolean;
  storeChunks: boolean;
  snapshotEvery: number;
  threads: number;
  partition: Partition;
  lockWaitMs: number;
  calibration: ScoreCalibration | undefined;
}

const METRICS: readonly IndexMetric[] = ['cosine', 'l2', 'ip'];
const METRIC_HINTS: Record<string, IndexMetric> = { euclidean: 'l2', sqeuclidean: 'l2', dot: 'ip', cos: 'cosine' };
/** Budget for brute force: dims x docs values scanned per query (about 1 ms per query at 128-d, measured). */
const EXACT_BUDGET = 1_280_000;

/** Validate `usesWith` values; throws `ConfigError` (WEFT_CONFIG) naming the option. */
export function resolveOptions(raw: Partial<VectorIndexerOptions>): ResolvedOptions {
  const metric = raw.metric ?? 'cosine';
  if (!METRICS.includes(metric)) {
    const hint = METRIC_HINTS[String(metric)];
    throw bad(
      'metric',
      `VectorIndexer: unknown metric '${String(metric)}'; use one of ${METRICS.join(', ')}${hint ? ` ('${String(metric)}' is '${hint}' here)` : ''}`,
    );
  }
  const partition = raw.partition ?? 'none';
  if (partition !== 'none' && partition !== 'id-hash') {
    throw bad('partition', `VectorIndexer: partition must be 'none' or 'id-hash', got ${JSON.stringify(partition)}`);
  }
  return {
    metric,
    dim: raw.dim === undefined ? undefined : int('dim', raw.dim, 1, 1 << 16),
    M: int('M', raw.M ?? 16, 2, 1024),
    efConstruction: int('efConstruction', raw.efConstruction ?? 128, 1, 1 << 16),
    efSearch: int('efSearch', raw.efSearch ?? 64, 1, 1 << 16),
    exactBelow: raw.exactBelow === undefined ? undefined : int('exactBelow', raw.exactBelow, 0, 2 ** 31),
    storeBlobs: bool('storeBlobs', raw.storeBlobs ?? false),
    storeChunks: bool('storeChunks', raw.storeChunks ?? false),
    snapshotEvery: int('snapshotEvery', raw.snapshotEvery ?? 10_000, 1, 2 ** 31),
    // usearch sizes per-thread contexts by the hardware concurrency when it loads a snapshot: more threads than
    // that would make later calls fail, so more are not used
    threads: Math.min(int('threads', raw.threads ?? availableParallelism(), 1, 1024), availableParallelism()),
    partition,
    lockWaitMs: int('lockWaitMs', raw.lockWaitMs ?? 30_000, 0, 2 ** 31),
    calibration: raw.calibration === undefined ? undefined : calibrationOf(raw.calibration, 'calibration'),
  };
}

/** Validate a `{ threshold, width }` calibration; `name` is what an error calls it. */
export function calibrationOf(value: unknown, name: string): ScoreCalibration {
  const c = value as Partial<ScoreCalibration> | null;
  if (
    typeof c !== 'object' ||
    c === null ||
    typeof c.threshold !== 'number' ||
    !Number.isFinite(c.threshold) ||
    typeof c.width !== 'number' ||
    !(c.width > 0)
  ) {
    throw bad(
      name,
      `VectorIndexer: ${name} must be { threshold: <number>, width: <positive number> }, got ${JSON.stringify(value)}`,
    );
  }
  return { threshold: c.threshold, width: c.width };
}

/** The exact-search threshold in effect for embeddings of `dim` values. */
export function exactThreshold(options: ResolvedOptions, dim: number): number {
  return options.exactBelow ?? Math.round(EXACT_BUDGET / dim);
}

function int(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw bad(name, `VectorIndexer: ${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

function bool(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw bad(name, `VectorIndexer: ${name} must be true or false, got ${JSON.stringify(value)}`);
  }
  return value;
}

function bad(option: string, message: string): ConfigError {
  return new ConfigError(message, { details: { executor: 'VectorIndexer', option } });
}
