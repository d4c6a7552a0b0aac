/**
 * The one logger of weft's runtimes and CLI: one line per event on stderr, the runtime's name on every line.
 * JSON lines (`{"time","level","name","msg",…fields}`) when stderr is not a terminal — what log collectors read
 * — and `<level> <name>: <message> key=value…` when it is (or as `WEFT_LOG_FORMAT=json|pretty` says; a parent
 * passes its choice to its runtime processes, whose stderr is a pipe). The level comes from `WEFT_LOG_LEVEL`
 * (`error`, `warn`, `info` — the default — or `debug`; per runtime through the `log_level` option). A line written
 * while a request is being handled carries its `request_id` (`request-context.ts`).
 *
 * Dependency-free on purpose: importing pino measured 100–180 ms on the CI machine against ~10 ms for a builtin,
 * paid by every runtime process at start; these few lines do what weft needs.
 *
 * @example
 * const log = createLogger('weft worker encoder/rep-0');
 * log.info('ready on 127.0.0.1:50001', { port: 50001 });
 */
import { currentRequestId } from './request-context.js';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'json' | 'pretty';
/** Extra values of a line (JSON keys, or `key=value` in the readable format). */
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  readonly name: string;
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** Whether lines of `level` are written (to skip building an expensive message). */
  enabled(level: LogLevel): boolean;
  /** A logger writing the same way with `fields` on every line. */
  child(fields: LogFields): Logger;
}

/** Where lines go; tests replace it. */
export type LogSink = (line: string) => void;

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  sink?: LogSink;
  /** Fields on every line. */
  fields?: LogFields;
}

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

/** `WEFT_LOG_FORMAT` when it says `json` or `pretty`; otherwise readable on a terminal, JSON lines elsewhere. */
export function logFormatFromEnv(env: NodeJS.ProcessEnv = process.env, tty = process.stderr.isTTY === true): LogFormat {
  const v = env.WEFT_LOG_FORMAT?.trim().toLowerCase();
  if (v === 'json' || v === 'pretty') return v;
  return tty ? 'pretty' : 'json';
}

/** A logger for `name` (e.g. `weft worker encoder/rep-0`); level and format default from the environment. */
export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? logLevelFromEnv());
  const format = options.format ?? logFormatFromEnv();
  const sink = options.sink ?? stderrSink;
  return build(name, threshold, format === 'json' ? jsonLine : prettyLine, sink, options.fields);
}

type Formatter = (level: LogLevel, name: string, message: string, fields: LogFields | undefined) => string;

function build(
  name: string,
  threshold: number,
  formatter: Formatter,
  sink: LogSink,
  bound: LogFields | undefined,
): Logger {
  const enabled = (level: LogLevel): boolean => LOG_LEVELS.indexOf(level) <= threshold;
  const line =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      if (!enabled(level)) return;
      const requestId = currentRequestId();
      const all =
        requestId === undefined && fields === undefined
          ? bound
          : { ...(requestId !== undefined ? { request_id: requestId } : {}), ...bound, ...fields };
      sink(formatter(level, name, message, all));
    };
  return {
    name,
    error: line('error'),
    warn: line('warn'),
    info: line('info'),
    debug: line('debug'),
    enabled,
    child: (fields) => build(name, threshold, formatter, sink, { ...bound, ...fields }),
  };
}

const jsonLine: Formatter = (level, name, msg, fields) =>
  `${JSON.stringify({ time: new Date().toISOString(), level, name, msg, ...fields })}\n`;

const prettyLine: Formatter = (level, name, msg, fields) => {
  let out = `${level} ${name}: ${msg}`;
  if (fields) {
    for (const [k, v] of Object.entries(fields)) {
      if (v !== undefined) out += ` ${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : v}`;
    }
  }
  return `${out}\n`;
};
