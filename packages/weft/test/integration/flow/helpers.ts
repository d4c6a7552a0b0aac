// Helpers of the Flow integration tests: reading `__results__`, process liveness, and the child processes of a pid.
import type { DataRequest } from '../../../src/request/index.js';

/** `__results__` of an answer: runtime name → what that executor returned. */
export function results(res: Pick<DataRequest, 'parameters'>): Record<string, Record<string, unknown>> {
  return (res.parameters.__results__ ?? {}) as Record<string, Record<string, unknown>>;
}

/** The executors (deployment names) that processed a request, from its `__results__` keys, sorted. */
export function processedBy(res: Pick<DataRequest, 'parameters'>): string[] {
  return Object.keys(results(res))
    .map((k) => k.split('/')[0] as string)
    .sort();
}

export { alive, allGone, childrenOf, isAlive, killAll } from '../../../src/testing/index.js';
