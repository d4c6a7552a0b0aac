/**
 * zod, loaded on first use. Importing weft (and every runtime process, which imports the package root through the
 * user's executor module) must not pay for zod's ~230 modules: only the process that validates configuration
 * (the one building a Flow or Deployment, the CLI) loads it. Loading is synchronous (zod's CommonJS build) so the
 * validating functions stay synchronous.
 */
import { createRequire } from 'node:module';

type Zod = typeof import('zod');
let lib: Zod | undefined;

/** The zod module (loaded on the first call). */
export function zod(): Zod['z'] {
  lib ??= createRequire(import.meta.url)('zod') as Zod;
  return lib.z;
}

/** A value built once, on first use (schemas are built only when something is validated). */
export function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}
