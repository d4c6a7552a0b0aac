/**
 * The one logger of weft's runtimes and CLI: one line per event on stderr, `<level> <name>: <message>`, the
 * runtime's name on every line. The level comes from `WEFT_LOG_LEVEL` (`error`, `warn`, `info` — the default —
 * or `debug`). Dependency-free on purpose; structured output is the observability bridges' business.
 *
 * @example
 * const log = createLogger('weft worker encoder/rep-0');
 * log.info('ready on 127.0.0.1:50001');
 */

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  readonly name: string;
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  /** Whether lines of `level` are written (to skip building an expensive message). */
  enabled(level: LogLevel): boolean;
}

/** Where lines go; tests replace it. */
export type LogSink = (line: string) => void;

/**
 * The one place weft writes to stderr: the logger's lines, the CLI's messages (already worded for people) and a
 * child runtime's output passed through by its parent.
 */
export function writeStderr(text: string | Uint8Array): void {
  process.stderr.write(text);
}

const stderrSink: LogSink = writeStderr;

/** The level `WEFT_LOG_LEVEL` names (`info` when unset or unknown). */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const v = env.WEFT_LOG_LEVEL?.trim().toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(v ?? '') ? (v as LogLevel) : 'info';
}

/** A logger for `name` (e.g. `weft worker encoder/rep-0`), at `level` (default from `WEFT_LOG_LEVEL`). */
export function createLogger(name: string, options: { level?: LogLevel; sink?: LogSink } = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? logLevelFromEnv());
  const sink = options.sink ?? stderrSink;
  const enabled = (level: LogLevel): boolean => LOG_LEVELS.indexOf(level) <= threshold;
  const line =
    (level: LogLevel) =>
    (message: string): void => {
      if (enabled(level)) sink(`${level} ${name}: ${message}\n`);
    };
  return { name, error: line('error'), warn: line('warn'), info: line('info'), debug: line('debug'), enabled };
}
