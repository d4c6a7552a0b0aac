/**
 * TypeScript executor modules (`uses: ./my-executor.ts#MyExec`) load without a build step, even when weft itself
 * runs from its build (`dist/`, an installed package): the first time a `.ts` module is named and no TypeScript
 * loader is active in this process, `tsx` is registered (loaded then, never before). It has to happen before the
 * import: Node remembers a module that failed to load, so registering after an `ERR_UNKNOWN_FILE_EXTENSION` is
 * too late.
 */
import { ExecutorLoadError } from '../errors/index.js';

let registered = false;

/** Whether `path` names a TypeScript module. */
export function isTypeScriptModule(path: string): boolean {
  return /\.(m|c)?tsx?$/.test(path.replace(/[?#].*$/, ''));
}

/** Whether this process already loads TypeScript through tsx (weft's own sources, or `--import tsx`). */
function tsxActive(): boolean {
  if (registered || import.meta.url.endsWith('.ts')) return true;
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  return /(^|[\s=/\\])tsx([\s/\\]|$)|tsx[/\\]dist/.test(flags);
}

/**
 * Make `.ts` modules importable in this process (registers tsx once, when `path` is TypeScript and nothing else
 * loads TypeScript yet).
 * @example await ensureTypeScriptLoader('./encoder.ts'); await import(url)
 */
export async function ensureTypeScriptLoader(path: string): Promise<void> {
  if (!isTypeScriptModule(path) || tsxActive()) return;
  try {
    const api = (await import('tsx/esm/api')) as { register: () => unknown };
    api.register();
    registered = true;
  } catch (err) {
    throw new ExecutorLoadError('loading TypeScript executors needs the package `tsx`: run `npm install tsx`', {
      cause: err,
    });
  }
}
