/**
 * `uses` as it travels to a worker process (JSON): a class becomes the modules to load it from (`class-source.ts`);
 * a name registered in this process with `registerExecutor` becomes its class the same way (the child has no such
 * registration); relative file paths become absolute; everything else passes as written, resolved in the worker.
 */
import { isAbsolute, resolve } from 'node:path';
import { loadYamlFile, parseExecutorYaml, parseYaml } from '../config/index.js';
import { BUILTIN_EXECUTORS, type CapturedUses, locateClass, lookupExecutor } from '../executor/index.js';
import type { DeploymentUses } from './deployment-options.js';

/** Names weft itself registers in every process (resolved by name in the worker too). */
const WEFT_REGISTERED: Readonly<Record<string, true>> = { BaseExecutor: true };

/** What a worker's configuration carries as `uses`. */
export type ChildUses = string | CapturedUses;

/**
 * The JSON form of `uses` for a worker.
 * @example await usesForChild('./exec.ts#MyExec', { cwd: '/app' }) // '/app/exec.ts#MyExec'
 */
export async function usesForChild(
  uses: DeploymentUses,
  where: { cwd: string; callSite?: string },
): Promise<ChildUses> {
  if (typeof uses === 'function') return locateClass(uses, where.callSite);
  if (/^[A-Za-z_$][\w$]*$/.test(uses) && !(uses in BUILTIN_EXECUTORS) && !(uses in WEFT_REGISTERED)) {
    const registered = await lookupExecutor(uses);
    if (registered) return locateClass(registered, where.callSite);
    return uses;
  }
  if (uses.includes('\n')) return uses; // inline YAML
  const hash = uses.lastIndexOf('#');
  const path = hash < 0 ? uses : uses.slice(0, hash);
  const isRelativeFile = /^\.{1,2}[\\/]/.test(path) || (/\.ya?ml$/i.test(path) && !isAbsolute(path));
  if (!isRelativeFile) return uses;
  return resolve(where.cwd, path) + (hash < 0 ? '' : uses.slice(hash));
}

/**
 * Validate the executor YAML that `uses` names (a file, or inline YAML), substituted with `env` (the worker's
 * environment): a worker process decodes the file without validating it again. Other forms of `uses` are left
 * to the worker.
 */
export function checkUsesYaml(uses: ChildUses, env: Record<string, string | undefined>): void {
  if (typeof uses !== 'string') return;
  if (uses.includes('\n') && /jtype\s*:/.test(uses)) {
    parseExecutorYaml(parseYaml(uses, undefined, { env }));
  } else if (/\.ya?ml$/i.test(uses) && isAbsolute(uses)) {
    parseExecutorYaml(loadYamlFile(uses, { env }));
  }
}
