/**
 * Flag parsing shared by the `weft` commands, on `node:util` `parseArgs`: unknown flags, missing values and bad
 * values become `UsageError`s (exit code 2, with a pointer to the command's `--help`), and the value helpers
 * read integers, comma lists (`--port 1,2` or `--port 1 --port 2`) and JSON arguments (Jina's gateway flags).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A mistake in the command line; the message says what, `run` prints it with a pointer to `--help`. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** What `parseFlags` returns for `options`: typed `values` and the `positionals`. */
export type ParsedFlags<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean; strict: true }>
>;

/**
 * Parse `argv` against `options` (strict: unknown flags are errors); positionals only when `positionals` is true.
 * @example const { values } = parseFlags(['--port', '1'], { port: { type: 'string' } })
 */
export function parseFlags<O extends Options>(argv: string[], options: O, positionals = false): ParsedFlags<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: positionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** The value of a required flag. */
export function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`--${flag} is required`);
  return value;
}

/**
 * An integer flag within [min, max].
 * @example integer('8080', 'port', { min: 0, max: 65535 }) // 8080
 */
export function integer(value: string, flag: string, range: { min?: number; max?: number } = {}): number {
  const n = Number(value);
  const min = range.min ?? Number.MIN_SAFE_INTEGER;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) {
    const bounds = range.max !== undefined ? ` between ${min} and ${max}` : range.min !== undefined ? ` ≥ ${min}` : '';
    throw new UsageError(`--${flag} must be an integer${bounds}, got '${value}'`);
  }
  return n;
}

/**
 * Every value of a list flag, given comma-separated and/or repeated.
 * @example list(['grpc,http', 'websocket']) // ['grpc', 'http', 'websocket']
 */
export function list(values: string | string[] | undefined): string[] {
  const all = values === undefined ? [] : Array.isArray(values) ? values : [values];
  return all
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/** A JSON flag value, parsed; `what` describes the expected shape for the error message. */
export function json(value: string, flag: string, what: string): unknown {
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new UsageError(`--${flag} must be JSON (${what}): ${(err as Error).message}`);
  }
}
