/**
 * An executor's `console.*` output in a worker process, as lines of the one logger: named after the runtime
 * (`weft worker encoder/rep-0`), at the matching level (`console.error` → error, `warn` → warn, `log`/`info` →
 * info, `debug`/`trace` → debug), carrying the request id when written while a request is handled. Installed
 * in worker processes only (never in a user's own process, whose console is theirs).
 */
import { format } from 'node:util';
import type { Logger, LogLevel } from './log.js';

const METHODS: [keyof Console, LogLevel][] = [
  ['log', 'info'],
  ['info', 'info'],
  ['warn', 'warn'],
  ['error', 'error'],
  ['debug', 'debug'],
  ['trace', 'debug'],
];

/** Route `console` through `log` (lines marked `console: true`); returns how to put it back. */
export function captureConsole(log: Logger, target: Console = console): () => void {
  const saved = METHODS.map(([m]) => [m, target[m]] as const);
  for (const [method, level] of METHODS) {
    (target as unknown as Record<string, unknown>)[method] = (...args: unknown[]): void => {
      log[level](format(...args), { console: true });
    };
  }
  return () => {
    for (const [m, fn] of saved) (target as unknown as Record<string, unknown>)[m] = fn;
  };
}
