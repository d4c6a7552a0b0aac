/** Replica selection strategies: the shared interface, round robin, and the registry that names them. */
export { registerStrategy, resolveStrategy, strategyNames } from './registry.js';
export { RoundRobin } from './round-robin.js';
export type { BalancingStrategy, ReplicaView, StrategyFactory } from './strategy.js';
