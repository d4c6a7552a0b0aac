/**
 * Replica selection strategies by name: `round-robin` built in, others added with `registerStrategy()` and
 * chosen per pool (`new ConnectionPool({ strategy: 'least-busy' })`).
 */
import { ConfigError } from '../../errors/index.js';
import { RoundRobin } from './round-robin.js';
import type { BalancingStrategy, StrategyFactory } from './strategy.js';

const strategies = new Map<string, StrategyFactory>([['round-robin', () => new RoundRobin()]]);

/**
 * Make a strategy selectable by name.
 * @example registerStrategy('first', () => ({ pick: () => 0 }))
 */
export function registerStrategy(name: string, factory: StrategyFactory): void {
  strategies.set(name, factory);
}

/** A new instance of the strategy registered as `name`; unknown names throw `ConfigError` listing the known ones. */
export function resolveStrategy(name: string): BalancingStrategy {
  const factory = strategies.get(name);
  if (!factory) {
    throw new ConfigError(
      `unknown replica selection strategy '${name}'; known: ${[...strategies.keys()].sort().join(', ')}`,
      { details: { strategy: name } },
    );
  }
  return factory();
}

/** Names of the registered strategies. */
export function strategyNames(): string[] {
  return [...strategies.keys()].sort();
}
