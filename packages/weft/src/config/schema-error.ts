/** Turn zod validation issues into one `ConfigError` that names the file, line, key and what was expected. */
import type { z } from 'zod';
import { ConfigError } from '../errors/index.js';
import type { YamlSource } from './yaml-file.js';

export function configErrorFromZod(error: z.ZodError, source: YamlSource | undefined, what: string): ConfigError {
  const lines = error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const key = path.length > 0 ? path.join('.') : '(top level)';
    const at = source ? `${source.where(path)}: ` : '';
    return `${at}${key}: ${issue.message}`;
  });
  return new ConfigError(`invalid ${what}:\n  ${lines.join('\n  ')}`, {
    details: { issues: error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
  });
}
