/**
 * Command-line flags derived from the option table (config/option-table.ts): each option's flag (its key in
 * kebab-case, or Jina's name), its `--help` line, and how its text becomes a value (integer, JSON, list, …). What
 * is valid is the option schema's business: a command collects the values, validates them with the schema of its
 * concept, and `usageFromConfig` turns the schema's complaint into a usage error naming the flag.
 */
import type { ParseArgsConfig } from 'node:util';
import { flagName, OPTIONS, type OptionId, type OptionType, optionKey } from '../config/index.js';
import { ConfigError } from '../errors/index.js';
import { integer, json, list, UsageError } from './args.js';

/** `parseArgs` options. */
export type ParseOptions = NonNullable<ParseArgsConfig['options']>;

/** One option of a command: its id, and optionally a note for its help line (the command's default) or a list. */
export type FlagSpec = OptionId | { id: OptionId; note?: string; list?: boolean };

const idOf = (f: FlagSpec): OptionId => (typeof f === 'string' ? f : f.id);
const isList = (f: FlagSpec): boolean => OPTIONS[idOf(f)].type === 'list' || (typeof f !== 'string' && !!f.list);

/**
 * The `parseArgs` options of `flags`.
 * @example flagOptions(['port', 'host']) // { port: { type: 'string' }, host: { type: 'string' } }
 */
export function flagOptions(flags: readonly FlagSpec[]): ParseOptions {
  const out: ParseOptions = {};
  for (const f of flags) {
    const id = idOf(f);
    out[flagName(id)] = OPTIONS[id].type === 'boolean' ? { type: 'boolean' } : { type: 'string', multiple: isList(f) };
  }
  return out;
}

/** `--flag <arg>` as `--help` shows it. */
function flagUsage(f: FlagSpec): string {
  const id = idOf(f);
  const spec: { type: string; arg?: string } = OPTIONS[id];
  if (spec.type === 'boolean') return `--${flagName(id)}`;
  const arg = spec.arg ?? (spec.type === 'integer' ? 'n' : spec.type === 'json' ? 'json' : flagName(id));
  return `--${flagName(id)} <${arg}${isList(f) && !arg.includes(',') ? '[,…]' : ''}>`;
}

/**
 * The `--help` lines of `flags` (the option table's help, then the command's note), the help column at `width`.
 * @example optionLines([{ id: 'port', note: '(default 0)' }])
 */
export function optionLines(flags: readonly FlagSpec[], width = 24): string {
  return flags
    .map((f) => {
      const note = typeof f === 'string' ? undefined : f.note;
      const help = wrap(`${OPTIONS[idOf(f)].help}${note ? ` ${note}` : ''}`, LINE - width - 2);
      const indent = `\n${' '.repeat(width + 2)}`;
      const usage = flagUsage(f);
      return usage.length + 2 >= width
        ? `  ${usage}${indent}${help.join(indent)}`
        : `  ${usage.padEnd(width)}${help.join(indent)}`;
    })
    .join('\n');
}

/** The width of `--help` text. */
const LINE = 114;

/** `text` in lines of at most `width` characters (words are not split). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * The values of the given flags as option values (camelCase keys): integers, JSON and lists read, the rest as
 * written; flags not given are left out. Ranges and shapes are checked by the schema afterwards.
 */
export function optionValues(
  flags: readonly FlagSpec[],
  values: Record<string, string | boolean | (string | boolean)[] | undefined>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of flags) {
    const id = idOf(f);
    const flag = flagName(id);
    const raw = values[flag];
    if (raw === undefined) continue;
    const type = OPTIONS[id].type as OptionType;
    const read = (text: string): unknown =>
      type === 'integer'
        ? integer(text, flag)
        : type === 'number'
          ? number(text, flag)
          : type === 'json'
            ? json(text, flag, OPTIONS[id].help)
            : text;
    if (typeof raw === 'boolean') out[optionKey(id)] = raw;
    else if (isList(f)) out[optionKey(id)] = list(raw as string[]).map(read);
    else out[optionKey(id)] = read(raw as string);
  }
  return out;
}

function number(text: string, flag: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag} must be a number, got '${text}'`);
  return n;
}

/** A schema's `ConfigError` about flag values as a usage error that names the flags (`--port: Too big…`). */
export function usageFromConfig(err: unknown, flags: readonly FlagSpec[]): unknown {
  if (!(err instanceof ConfigError)) return err;
  const byKey = new Map(flags.map((f) => [optionKey(idOf(f)), flagName(idOf(f))]));
  const issues = (err.details as { issues?: { path: string[]; message: string }[] } | undefined)?.issues;
  if (!issues) return new UsageError(err.message);
  const lines = issues.map((i) => {
    const [first, ...rest] = i.path;
    const flag = first !== undefined ? byKey.get(first) : undefined;
    const where = flag ? `--${flag}${rest.length ? ` (${rest.join('.')})` : ''}` : i.path.join('.') || 'arguments';
    return `${where}: ${i.message}`;
  });
  return new UsageError(lines.join('; '));
}
