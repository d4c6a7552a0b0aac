/**
 * Where the worker process's entry point lives and how to start it (see `runtimeEntry` of the server kit).
 * Process supervisors (Deployment, Flow) fork `file` with `execArgv` and pass the configuration in
 * `WEFT_WORKER_CONFIG`.
 */
import { type RuntimeEntry, runtimeEntry } from '../server/index.js';

export type WorkerEntry = RuntimeEntry;

/**
 * How to start a worker process.
 * @example
 * const { file, execArgv } = workerEntry();
 * fork(file, [], { execArgv, env: { ...process.env, WEFT_WORKER_CONFIG: JSON.stringify(config) } });
 */
export function workerEntry(): WorkerEntry {
  return runtimeEntry(import.meta.url, './worker-main');
}
