/**
 * Executors known by name: user registrations (`registerExecutor`) and weft's built-ins, whose packages are imported
 * lazily so the core stays lean. A missing built-in package is reported with the exact `npm install` command.
 */
import { ExecutorLoadError } from '../errors/index.js';
import type { Executor, ExecutorOptions } from './executor.js';

/** A class that builds an Executor from one options object. */
export type ExecutorClass = new (args: ExecutorOptions & Record<string, unknown>) => Executor;

type Entry = ExecutorClass | (() => Promise<ExecutorClass>);

/** weft's built-in executors: name → npm package and export. */
export const BUILTIN_EXECUTORS: Readonly<Record<string, { package: string; exportName: string }>> = {
  ImageEncoder: { package: '@weft-ai/executor-image-encoder', exportName: 'ImageEncoder' },
  VectorIndexer: { package: '@weft-ai/executor-vector-indexer', exportName: 'VectorIndexer' },
};

const registry = new Map<string, Entry>();

/**
 * Make an executor resolvable by name (`uses: 'MyExec'` in YAML or code).
 * @example registerExecutor('MyExec', MyExec)
 */
export function registerExecutor(name: string, cls: Entry): void {
  registry.set(name, cls);
}

/** Names currently resolvable (registered and built-in). */
export function registeredExecutorNames(): string[] {
  return [...new Set([...registry.keys(), ...Object.keys(BUILTIN_EXECUTORS)])].sort();
}

/** The class registered under `name`, importing a built-in package on demand; undefined when unknown. */
export async function lookupExecutor(name: string): Promise<ExecutorClass | undefined> {
  const entry = registry.get(name);
  if (entry) return isLoader(entry) ? entry() : entry;
  const builtin = BUILTIN_EXECUTORS[name];
  if (!builtin) return undefined;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(builtin.package)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(builtin.package)) {
      throw new ExecutorLoadError(
        `the built-in executor '${name}' lives in the package '${builtin.package}', which is not installed: run \`npm install ${builtin.package}\``,
        { cause: err, details: { executor: name, package: builtin.package } },
      );
    }
    throw new ExecutorLoadError(`loading '${builtin.package}' for '${name}' failed: ${(err as Error).message}`, {
      cause: err,
      details: { executor: name, package: builtin.package },
    });
  }
  const cls = mod[builtin.exportName];
  if (typeof cls !== 'function') {
    throw new ExecutorLoadError(`'${builtin.package}' does not export '${builtin.exportName}'`, {
      details: { executor: name, package: builtin.package },
    });
  }
  registry.set(name, cls as ExecutorClass);
  return cls as ExecutorClass;
}

function isLoader(e: Entry): e is () => Promise<ExecutorClass> {
  return !(e.prototype && typeof e.prototype === 'object' && 'close' in (e.prototype as object));
}
