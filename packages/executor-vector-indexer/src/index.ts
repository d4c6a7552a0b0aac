/**
 * @weft-ai/executor-vector-indexer: the `VectorIndexer` built-in executor (HNSW via usearch over a durable LMDB
 * document store), its options, and helpers for sharded deployments.
 */
export type { IndexMetric, Partition, ScoreCalibration, VectorIndexerOptions } from './options.js';
export type { RecoveryInfo } from './recovery.js';
export { shardOf } from './shards.js';
export { VectorIndexer } from './vector-indexer.js';
