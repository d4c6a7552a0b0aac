/**
 * Where a runtime process's entry point lives and how to start it, for every runtime kind: from the TypeScript
 * sources (through tsx, with the `weft-source` export condition) or from the built `dist/` (plain node). Process
 * supervisors (Deployment, Flow) fork `file` with `execArgv` and pass the configuration in the environment.
 */
import { fileURLToPath } from 'node:url';

export interface RuntimeEntry {
  /** Node options the child needs (empty when running compiled JavaScript). */
  execArgv: string[];
  /** Absolute path of the runtime's `*-main` module. */
  file: string;
}

/**
 * The entry of the `*-main` module named `main` (without extension) beside the module at `moduleUrl`.
 * @example runtimeEntry(import.meta.url, './worker-main') // { file: '/…/worker-main.ts', execArgv: ['--conditions=weft-source', '--import', 'file:///…/tsx/…'] }
 */
export function runtimeEntry(moduleUrl: string, main: string): RuntimeEntry {
  const fromSource = moduleUrl.endsWith('.ts');
  const file = fileURLToPath(new URL(`${main}${fromSource ? '.ts' : '.js'}`, moduleUrl));
  if (!fromSource) return { execArgv: [], file };
  return { execArgv: ['--conditions=weft-source', '--import', tsxLoader()], file };
}

/** tsx's loader as an absolute URL, so the child finds it whatever its working directory is. */
function tsxLoader(): string {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return 'tsx';
  }
}
