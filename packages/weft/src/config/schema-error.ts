/** Turn zod validation issues into one `ConfigError` that names the file, line, key and what was expected. */
import type { z } from 'zod';
import { ConfigError } from '../errors/index.js';
import type { YamlSource } from './yaml-file.js';

export interface ConfigIssue {
  path: (string | number)[];
  message: string;
}

export function configErrorFromZod(error: z.ZodError, source: YamlSource | undefined, what: string): ConfigError {
  return configErrorFromIssues(
    error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message })),
    source,
    what,
  );
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
