/**
 * Snapshot files of the HNSW graph: `hnsw-<seq>.usearch` in the indexer's workspace, where `<seq>` is the last
 * write the graph contains. A snapshot is written to a temporary name, fsynced, renamed, and the directory fsynced
 * before the store records it (with its size and SHA-256), so the file the store names is complete. The checksum
 * is verified before loading: usearch's loader crashes the process (SIGSEGV / abort) on a damaged file, which
 * would otherwise turn one bad file into a crash loop.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { VectorSpace } from './vector-space.js';

/** A snapshot file as the store records it. */
export interface SnapshotFile {
  file: string;
  bytes: number;
  sha256: string;
}

const PATTERN = /^hnsw-\d+\.usearch(\.tmp)?$/;

export function snapshotName(seq: number): string {
  return `hnsw-${seq}.usearch`;
}

/** Save `space`'s graph durably as the snapshot of `seq`. */
export function writeSnapshotFile(space: VectorSpace, dir: string, seq: number): SnapshotFile {
  const name = snapshotName(seq);
  const tmp = join(dir, `${name}.tmp`);
  let digest: { bytes: number; sha256: string };
  try {
    space.save(tmp);
    fsyncPath(tmp, 'r+');
    digest = fileDigest(tmp);
    renameSync(tmp, join(dir, name));
    fsyncPath(dir, 'r');
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return { file: name, ...digest };
}

/** Whether the file in `dir` is exactly the one recorded (size and SHA-256). */
export function snapshotIntact(dir: string, snap: SnapshotFile): boolean {
  const path = join(dir, snap.file);
  try {
    if (statSync(path).size !== snap.bytes) return false;
    return fileDigest(path).sha256 === snap.sha256;
  } catch {
    return false;
  }
}

function fileDigest(path: string): { bytes: number; sha256: string } {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(path, 'r');
  let bytes = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      bytes += n;
    }
  } finally {
    closeSync(fd);
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Delete snapshot files (and leftovers of interrupted saves) other than `keep`. */
export function removeOtherSnapshots(dir: string, keep: string | undefined): void {
  for (const f of readdirSync(dir)) {
    if (f !== keep && PATTERN.test(f)) rmSync(join(dir, f), { force: true });
  }
}

function fsyncPath(path: string, flags: string): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
