// Test helpers for the Deployment integration tests: pids of every runtime a deployment forked, liveness checks,
// and waiting for a file to appear.
import { existsSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Deployment } from '../../../src/orchestrate/index.js';
import { isAlive } from '../../../src/orchestrate/index.js';

/** Every pid `dep` forks from now on (initial starts and restarts). */
export function recordPids(dep: Deployment): number[] {
  const pids: number[] = [];
  dep.on('spawn', (e: { pid: number }) => pids.push(e.pid));
  return pids;
}

/** The pids among `pids` still alive. */
export function alive(pids: readonly number[]): number[] {
  return pids.filter(isAlive);
}

/**
 * Resolve once none of `pids` is alive. These are not our children (no exit event reaches us), so liveness is
 * polled; the test's own timeout bounds the wait.
 */
export async function allGone(pids: readonly number[]): Promise<void> {
  while (alive(pids).length > 0) await delay(25);
}

/** Kill whatever is left (cleanup after a failed assertion). */
export function killAll(pids: readonly number[]): void {
  for (const pid of alive(pids)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
}

/** Resolve once `file` exists. */
export function fileAppears(file: string): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(dirname(file), (_event, name) => {
      if ((name === null || name === basename(file)) && existsSync(file)) {
        watcher.close();
        resolve();
      }
    });
    if (existsSync(file)) {
      watcher.close();
      resolve();
    }
  });
}
