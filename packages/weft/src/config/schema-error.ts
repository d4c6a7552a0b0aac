/** Turn zod validation issues into one `ConfigError` that names the file, line, key and what was expected. */
import type { z as Z } from 'zod';
import { ConfigError } from '../errors/index.js';
import type { YamlSource } from './yaml-file.js';

export interface ConfigIssue {
  path: (string | number)[];
  message: string;
}

/** The issues of a zod error, paths under `prefix`; one unknown key points at its own line, several at their mapping. */
export function issuesOf(error: Z.ZodError, prefix: (string | number)[] = []): ConfigIssue[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys;
      return {
        path: keys.length === 1 ? [...path, keys[0] as string] : path,
        message: `unknown key(s) ${keys.join(', ')}`,
      };
    }
    return { path, message: issue.message };
  });
}

export function configErrorFromZod(error: Z.ZodError, source: YamlSource | undefined, what: string): ConfigError {
  return configErrorFromIssues(issuesOf(error), source, what);
}

export function configErrorFromIssues(
  issues: ConfigIssue[],
  source: YamlSource | undefined,
  what: string,
): ConfigError {
  const lines = issues.map((issue) => {
    const key = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    const at = source ? `${source.where(issue.path)}: ` : '';
    return `${at}${key}: ${issue.message}`;
  });
  return new ConfigError(`invalid ${what}:\n  ${lines.join('\n  ')}`, {
    details: { issues: issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
  });
}

/**
 * Validate `value` with `schema`; a failure throws one `ConfigError` naming every problem (`what` says what was
 * validated, `source` adds file:line).
 */
export function validate<S extends Z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  source?: YamlSource,
): Z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw configErrorFromZod(r.error, source, what);
  return r.data;
}
