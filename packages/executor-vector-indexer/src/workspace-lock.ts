/**
 * One indexer per workspace: two processes (or two instances in one process) writing the same store would each
 * keep their own in-memory graph and silently diverge. A `LOCK` file holds the owner's pid; a lock left behind by
 * a process that no longer runs (e.g. killed with SIGKILL) is taken over. Best effort: two processes taking over
 * the same stale lock at the same instant could both succeed.
 */
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExecutorLoadError } from 'weft';

const heldHere = new Set<string>();

export class WorkspaceLock {
  readonly path: string;
  #released = false;

  private constructor(path: string) {
    this.path = path;
  }

  /** Take the lock of `dir`; throws `ExecutorLoadError` when a live process (or this one) holds it. */
  static acquire(dir: string): WorkspaceLock {
    const path = join(dir, 'LOCK');
    if (heldHere.has(path)) {
      throw new ExecutorLoadError(
        `VectorIndexer: the workspace ${dir} is already open in this process; close the other VectorIndexer first`,
        { details: { workspace: dir } },
      );
    }
    // the lock is created with its content in one step (link of a written file), so it never reads empty
    const mine = `${path}.${process.pid}`;
    writeFileSync(mine, String(process.pid));
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          linkSync(mine, path);
          heldHere.add(path);
          return new WorkspaceLock(path);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
        const owner = readOwner(path);
        if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
          throw new ExecutorLoadError(
            `VectorIndexer: the workspace ${dir} is in use by process ${owner}; give each indexer (and each shard) its own workspace`,
            { details: { workspace: dir, pid: owner } },
          );
        }
        // stale: its owner is gone (or it is this process's leftover from an instance that was never closed)
        rmSync(path, { force: true });
      }
    } finally {
      rmSync(mine, { force: true });
    }
    throw new ExecutorLoadError(`VectorIndexer: could not take the lock ${path}`, { details: { workspace: dir } });
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    heldHere.delete(this.path);
    if (readOwner(this.path) === process.pid) rmSync(this.path, { force: true });
  }
}

function readOwner(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
