// Helpers of the Flow integration tests: reading `__results__`, process liveness, and the child processes of a pid.
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
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

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch {
    return false;
  }
}

/** The pids among `pids` still alive. */
export function alive(pids: readonly number[]): number[] {
  return pids.filter(isAlive);
}

/**
 * Resolve once none of `pids` is alive. They are not our children (no exit event reaches us), so liveness is
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

const NODE_EXE = realpathSync(process.execPath);

/** Whether `pid` runs this Node binary (tsx's esbuild service, for one, does not). */
function runsNode(pid: number): boolean {
  try {
    return readlinkSync(`/proc/${pid}/exe`) === NODE_EXE;
  } catch {
    return false;
  }
}

/**
 * Pids of the direct children of `pid` that are Node processes (Linux /proc; empty elsewhere). Other children are
 * left out: tsx starts an esbuild service process whenever its transform cache is cold (a clean CI checkout).
 */
export function childrenOf(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const stat = readStat(Number(e));
    if (stat && stat.ppid === pid && stat.state !== 'Z' && runsNode(Number(e))) out.push(Number(e));
  }
  return out;
}

function isZombie(pid: number): boolean {
  return readStat(pid)?.state === 'Z';
}

function readStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] as string, ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}
