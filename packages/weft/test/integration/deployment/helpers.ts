// Test helpers for the Deployment integration tests: pids of every runtime a deployment forked, liveness checks,
// and waiting for a file to appear (shared fixtures).
import type { Deployment } from '../../../src/orchestrate/index.js';

/** Every pid `dep` forks from now on (initial starts and restarts). */
export function recordPids(dep: Deployment): number[] {
  const pids: number[] = [];
  dep.on('spawn', (e: { pid: number }) => pids.push(e.pid));
  return pids;
}

export { alive, allGone, fileAppears, killAll } from '../../../src/testing/index.js';
