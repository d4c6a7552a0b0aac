/**
 * One indexer per workspace: two processes (or two instances in one process) writing the same store would each
 * keep their own in-memory graph and silently diverge.
 *
 * The lock is held by the OS, so it dies with its holder: on Linux it is a Unix socket bound in the abstract
 * namespace (`\0weft-ws-<sha256 of the workspace's realpath>`). Binding fails with EADDRINUSE while the holder
 * lives, and the kernel frees the name the instant the holder exits, however it exits (SIGKILL included); nothing
 * is left on disk to go stale. Elsewhere a `LOCK` pid file is taken with link(2) and a lock whose pid no longer
 * runs is taken over. Either way `LOCK` holds the owner's pid, for the error message.
 *
 * A process that finds the workspace held waits up to `waitMs` for the holder to go (a restart right after the
 * parent was killed overlaps the old runtime's shutdown by about a second) and takes over the moment it is gone.
 * The wait blocks the thread (the indexer is opened in its constructor): bind is tried every 20 ms.
 */
import { createHash } from 'node:crypto';
import { linkSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { ExecutorLoadError } from '@weft-ai/weft';

const heldHere = new Set<string>();
const POLL_MS = 20;

export interface LockOptions {
  /** How long to wait for a live holder to let go before failing; 0 (default) fails at once. */
  waitMs?: number;
}

export class WorkspaceLock {
  readonly path: string;
  readonly #socket: Server | undefined;
  #released = false;

  private constructor(path: string, socket: Server | undefined) {
    this.path = path;
    this.#socket = socket;
  }

  /**
   * Take the lock of `dir`, waiting up to `waitMs` for another process to let go. Throws `ExecutorLoadError`
   * (WEFT_EXECUTOR_LOAD, `details.pid` = the holder) when it is still held after that, or at once when this
   * process already holds it.
   * @example const lock = WorkspaceLock.acquire('/data/indexer/0', { waitMs: 10_000 }); … lock.release();
   */
  static acquire(dir: string, options: LockOptions = {}): WorkspaceLock {
    const path = join(dir, 'LOCK');
    if (heldHere.has(path)) {
      throw new ExecutorLoadError(
        `VectorIndexer: the workspace ${dir} is already open in this process; close the other VectorIndexer first`,
        { details: { workspace: dir } },
      );
    }
    const waitMs = options.waitMs ?? 0;
    const deadline = Date.now() + waitMs;
    const name = process.platform === 'linux' ? socketName(dir) : undefined;
    for (;;) {
      if (name !== undefined) {
        const socket = bindSync(name);
        if (socket) {
          writeOwner(path);
          heldHere.add(path);
          return new WorkspaceLock(path, socket);
        }
      } else if (takePidFile(path)) {
        heldHere.add(path);
        return new WorkspaceLock(path, undefined);
      }
      if (Date.now() >= deadline) break;
      sleepSync(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
    }
    const owner = readOwner(path);
    throw new ExecutorLoadError(
      `VectorIndexer: the workspace ${dir} is in use by process ${owner ?? '(unknown)'}` +
        (waitMs > 0 ? ` (waited ${waitMs} ms for it to let go)` : '') +
        '; give each indexer (and each shard) its own workspace',
      { details: { workspace: dir, ...(owner !== undefined ? { pid: owner } : {}), waitedMs: waitMs } },
    );
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    heldHere.delete(this.path);
    if (readOwner(this.path) === process.pid) rmSync(this.path, { force: true });
    this.#socket?.close();
  }
}

/** The abstract socket name of a workspace: one per real directory, however it is spelled. */
function socketName(dir: string): string {
  const hash = createHash('sha256').update(realpathSync(dir)).digest('hex');
  return `\0weft-ws-${hash}`;
}

/**
 * Bind `name` now. `listen()` on a path binds synchronously in a process that is not a cluster worker, so
 * `listening` tells at once whether the name was free; the error event (EADDRINUSE) is swallowed.
 */
function bindSync(name: string): Server | undefined {
  const server = createServer();
  server.on('error', () => {});
  server.listen({ path: name });
  if (!server.listening) {
    server.close(() => {});
    return undefined;
  }
  server.unref(); // the lock must not keep the process alive
  return server;
}

/** Record this process as the owner, atomically (write + rename), so a reader never sees it half written. */
function writeOwner(path: string): void {
  const tmp = `${path}.${process.pid}`;
  writeFileSync(tmp, String(process.pid));
  renameSync(tmp, path);
}

/** Pid-file lock (not Linux): create `LOCK` with its content in one step; take over one whose owner is gone. */
function takePidFile(path: string): boolean {
  const mine = `${path}.${process.pid}`;
  writeFileSync(mine, String(process.pid));
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(mine, path);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = readOwner(path);
      if (owner !== undefined && owner !== process.pid && isAlive(owner)) return false;
      rmSync(path, { force: true }); // stale: its owner is gone
    }
    return false;
  } finally {
    rmSync(mine, { force: true });
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

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
