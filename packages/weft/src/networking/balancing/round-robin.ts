/**
 * Round robin over healthy replicas (Jina's default): each pick moves the cursor one step, skipping replicas whose
 * channel is in transient failure; when none is healthy it rotates over all of them, so a recovering replica is
 * still tried.
 */
import type { BalancingStrategy, ReplicaView } from './strategy.js';

export class RoundRobin implements BalancingStrategy {
  #cursor = 0;

  pick(replicas: readonly ReplicaView[]): number {
    const n = replicas.length;
    const start = this.#cursor % n;
    this.#cursor = (start + 1) % n;
    for (let k = 0; k < n; k++) {
      const i = (start + k) % n;
      if (replicas[i]?.healthy) {
        this.#cursor = (i + 1) % n;
        return i;
      }
    }
    return start;
  }
}
