/**
 * YAML loading for weft configs: parse with positions kept, substitute `${{ ENV.VAR }}` (and
 * `${{ CONTEXT.VAR }}`) in scalars, and turn problems into `ConfigError`s that name file, line and key.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Node, parseDocument } from 'yaml';

// `yaml` loads on first use (through its CommonJS build, so loading stays synchronous): every runtime process
// imports this module through the package root, few of them ever read a YAML file.
let yamlLib: typeof import('yaml') | undefined;
const yaml = (): typeof import('yaml') => (yamlLib ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));

import { ConfigError } from '../errors/index.js';

export interface YamlSource {
  /** The parsed (and substituted) value. */
  value: unknown;
  /** File path, when loaded from a file. */
  file?: string;
  /** `file:line:col` (or `line:col`) of the node at `path`, for error messages. */
  where(path: readonly (string | number)[]): string;
}

export interface YamlOptions {
  /** Variables for `${{ ENV.X }}` (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Variables for `${{ CONTEXT.X }}`. */
  context?: Record<string, unknown>;
}

const EXPR = /\$\{\{\s*(ENV|CONTEXT)\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Load and parse a YAML file; a missing or unreadable file throws `ConfigError` naming it. */
export function loadYamlFile(file: string, options: YamlOptions = {}): YamlSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ConfigError(`cannot read config '${file}': ${why}`, { cause: err, details: { file } });
  }
  return parseYaml(text, file, options);
}

/** Parse YAML text; syntax errors throw `ConfigError` with the position. */
export function parseYaml(text: string, file?: string, options: YamlOptions = {}): YamlSource {
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const label = file ?? '<yaml>';
  if (doc.errors.length > 0) {
    const e = doc.errors[0] as { message: string; pos: [number, number] };
    const pos = lineCounter.linePos(e.pos[0]);
    throw new ConfigError(`${label}:${pos.line}:${pos.col}: invalid YAML: ${e.message.split('\n')[0]}`, {
      details: { file: label, line: pos.line },
    });
  }
  const env = options.env ?? process.env;
  const context = options.context ?? {};
  const where = (path: readonly (string | number)[]): string => {
    const node = (path.length === 0 ? doc.contents : doc.getIn(path, true)) as Node | undefined;
    const range = node?.range ?? findParentRange(doc, path);
    if (!range) return label;
    const pos = lineCounter.linePos(range[0]);
    return `${label}:${pos.line}:${pos.col}`;
  };
  const substitute = (value: unknown, path: (string | number)[]): unknown => {
    if (typeof value === 'string') return substituteString(value, env, context, () => where(path));
    if (Array.isArray(value)) return value.map((v, i) => substitute(v, [...path, i]));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = substitute(v, [...path, k]);
      return out;
    }
    return value;
  };
  let plain: unknown;
  try {
    plain = doc.toJS();
  } catch (err) {
    // the yaml library raises plain errors while building values (an alias used before its anchor, say)
    throw new ConfigError(`${label}: invalid YAML: ${(err as Error).message}`, {
      cause: err,
      details: { file: label },
    });
  }
  const value = substitute(plain, []);
  return { value, ...(file ? { file } : {}), where };
}

function substituteString(
  s: string,
  env: Record<string, string | undefined>,
  context: Record<string, unknown>,
  where: () => string,
): unknown {
  if (!s.includes('${{')) return s;
  const lookup = (scope: string, name: string): unknown => {
    const v = scope === 'ENV' ? env[name] : context[name];
    if (v === undefined) {
      throw new ConfigError(`${where()}: \${{ ${scope}.${name} }} is not set; export ${name} or remove the reference`, {
        details: { variable: name },
      });
    }
    return v;
  };
  const whole = /^\s*\$\{\{\s*(ENV|CONTEXT)\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}\s*$/.exec(s);
  if (whole) {
    const v = lookup(whole[1] as string, whole[2] as string);
    // a whole-scalar substitution keeps YAML typing: "3" becomes 3, "true" becomes true
    return typeof v === 'string' ? parseScalarSafe(v) : v;
  }
  return s.replace(EXPR, (_m, scope: string, name: string) => String(lookup(scope, name)));
}

function parseScalarSafe(v: string): unknown {
  try {
    const parsed = yaml().parse(v);
    return parsed === null || typeof parsed === 'object' ? v : parsed;
  } catch {
    return v;
  }
}

function findParentRange(
  doc: ReturnType<typeof parseDocument>,
  path: readonly (string | number)[],
): [number, number, number] | undefined {
  for (let n = path.length - 1; n >= 0; n--) {
    const node = (n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)) as Node | undefined;
    if (node?.range && !yaml().isScalar(node)) return node.range;
    if (node?.range) return node.range;
  }
  return undefined;
}
