/**
 * The shape every replica selection strategy shares: given the replicas of one deployment (with their health
 * and load), say which one the next request goes to first. The pool tries the others, in order, on failure.
 */

/** What a strategy knows about one replica. */
export interface ReplicaView {
  readonly index: number;
  readonly address: string;
  /** Calls currently in flight on this replica. */
  readonly inFlight: number;
  /** False while its channel is in transient failure (the replica is down or restarting). */
  readonly healthy: boolean;
}

/** Picks replicas for one pool; an instance may keep state (a round-robin cursor). */
export interface BalancingStrategy {
  /** Index into `replicas` of the replica to try first (`replicas` is never empty). */
  pick(replicas: readonly ReplicaView[]): number;
}

/** Makes a fresh strategy for each pool. */
export type StrategyFactory = () => BalancingStrategy;
