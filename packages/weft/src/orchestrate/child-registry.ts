/**
 * Parent side of "no orphans": every runtime child process this process started is recorded while it lives, and
 * killed with SIGKILL if this process exits without closing it (an uncaught exception, `process.exit()`). A child
 * whose parent is killed outright notices by itself (see `parent-watch.ts`).
 */
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let installed = false;

/** Record `child` until it exits. */
export function trackChild(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!installed) {
    installed = true;
    process.on('exit', killAll);
  }
}

/** Pids of the runtime children alive right now. */
export function liveChildPids(): number[] {
  return [...live].flatMap((c) => (c.pid === undefined ? [] : [c.pid]));
}

function killAll(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {}
  }
}
