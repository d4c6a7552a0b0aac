/**
 * Where the worker process's entry point lives and how to start it: from the TypeScript sources (through tsx, with
 * the `weft-source` export condition) or from the built `dist/` (plain node). Process supervisors (Deployment,
 * Flow) fork `file` with `execArgv` and pass the configuration in `WEFT_WORKER_CONFIG`.
 */
import { fileURLToPath } from 'node:url';

export interface WorkerEntry {
  /** Node options the child needs (empty when running compiled JavaScript). */
  execArgv: string[];
  /** Absolute path of `worker-main`. */
  file: string;
}

/**
 * How to start a worker process.
 * @example
 * const { file, execArgv } = workerEntry();
 * fork(file, [], { execArgv, env: { ...process.env, WEFT_WORKER_CONFIG: JSON.stringify(config) } });
 */
export function workerEntry(): WorkerEntry {
  const fromSource = import.meta.url.endsWith('.ts');
  const file = fileURLToPath(new URL(fromSource ? './worker-main.ts' : './worker-main.js', import.meta.url));
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
