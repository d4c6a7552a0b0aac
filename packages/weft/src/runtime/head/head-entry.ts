/**
 * Where the head process's entry point lives and how to start it: from the TypeScript sources (through tsx, with
 * the `weft-source` export condition) or from the built `dist/` (plain node), with the same Node options as a worker.
 */
import { fileURLToPath } from 'node:url';
import { type WorkerEntry, workerEntry } from '../worker/index.js';

export type HeadEntry = WorkerEntry;

/** How to start a head process (fork `file` with `execArgv`, configuration in `WEFT_HEAD_CONFIG`). */
export function headEntry(): HeadEntry {
  const fromSource = import.meta.url.endsWith('.ts');
  const file = fileURLToPath(new URL(fromSource ? './head-main.ts' : './head-main.js', import.meta.url));
  return { execArgv: workerEntry().execArgv, file };
}
