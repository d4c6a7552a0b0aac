/**
 * Where the `.proto` files of weft's wire contract live (jina.proto, docarray.proto), for the runtimes that load
 * them at run time (gRPC server reflection). The lookup works from `src/` (tsx) and `dist/` (plain node) alike,
 * in the monorepo and from an installed package: both layouts sit three levels below the package root.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StartupError } from '../../errors/index.js';

/** The weft package root (the folder holding its package.json). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let cached: string | undefined;

/**
 * The directory holding `jina.proto` and `docarray.proto`: the package's own `proto/` (published packages) or the
 * workspace's `proto/` (monorepo checkout).
 * @example loadSync('jina.proto', { includeDirs: [protoDir()] })
 */
export function protoDir(): string {
  if (cached !== undefined) return cached;
  const candidates = [resolve(PACKAGE_ROOT, 'proto'), resolve(PACKAGE_ROOT, '../../proto')];
  const found = candidates.find((dir) => existsSync(resolve(dir, 'jina.proto')));
  if (!found) {
    throw new StartupError(
      `cannot find weft's jina.proto; looked in ${candidates.join(' and ')} (a published package ships it under proto/)`,
      { details: { candidates } },
    );
  }
  cached = found;
  return found;
}
