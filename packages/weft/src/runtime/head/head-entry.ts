/**
 * Where the head process's entry point lives and how to start it (see `runtimeEntry` of the server kit); the
 * configuration travels in `WEFT_HEAD_CONFIG`.
 */
import { type RuntimeEntry, runtimeEntry } from '../server/index.js';

export type HeadEntry = RuntimeEntry;

/** How to start a head process (fork `file` with `execArgv`, configuration in `WEFT_HEAD_CONFIG`). */
export function headEntry(): HeadEntry {
  return runtimeEntry(import.meta.url, './head-main');
}
