/**
 * `uses` resolution: turn what a user wrote into an Executor class plus its configuration. Accepted forms:
 * a class; a module specifier `./path/file.ts#ClassName` (TypeScript loads without a build step through `tsx`);
 * a registered or built-in name (`VectorIndexer`); an executor YAML file (`exec.yml`) or inline YAML text.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadYamlFile, parseYaml, type YamlSource } from '../config/index.js';
import { ExecutorLoadError } from '../errors/index.js';
import type { DynamicBatchingConfig } from './endpoint-table.js';
import { Executor, type ExecutorMetas } from './executor.js';
import { parseExecutorYaml } from './executor-yaml.js';
import { type ExecutorClass, lookupExecutor, registeredExecutorNames } from './registry.js';
import { ensureTypeScriptLoader } from './typescript-loader.js';

export type Uses = ExecutorClass | string;

export interface ResolvedExecutor {
  cls: ExecutorClass;
  /** Constructor options from YAML `with:` (merged under the caller's `usesWith`). */
  usesWith: Record<string, unknown>;
  metas: ExecutorMetas;
  requests: Record<string, string>;
  dynamicBatching: Record<string, DynamicBatchingConfig>;
}

export interface ResolveOptions {
  /** Directory relative paths are resolved against (default: process.cwd()). */
  cwd?: string;
  /** Validate an executor YAML (default true; a worker process decodes the file its parent validated). */
  validate?: boolean;
}

/**
 * Resolve `uses` to a class and configuration.
 * @example await resolveUses('./executors/encoder.ts#Encoder')
 */
export async function resolveUses(uses: Uses, options: ResolveOptions = {}): Promise<ResolvedExecutor> {
  const cwd = options.cwd ?? process.cwd();
  const empty = { usesWith: {}, metas: {}, requests: {}, dynamicBatching: {} };
  if (typeof uses === 'function') {
    assertExecutorClass(uses, uses.name || '<anonymous class>');
    return { cls: uses, ...empty };
  }
  if (typeof uses !== 'string' || uses.trim() === '') {
    throw new ExecutorLoadError(
      `uses must be an Executor class, a module path, a registered name or a YAML file, got ${typeof uses}`,
    );
  }
  if (/\n/.test(uses) && /jtype\s*:/.test(uses)) return fromYaml(parseYaml(uses), cwd, options.validate);
  if (/\.ya?ml$/i.test(uses)) {
    const file = resolve(cwd, uses);
    return fromYaml(loadYamlFile(file), dirname(file), options.validate);
  }
  if (isModuleSpecifier(uses)) {
    const [path, exportName] = splitSpecifier(uses);
    return { cls: await importExecutor(path, exportName, cwd), ...empty };
  }
  const cls = await lookupExecutor(uses);
  if (!cls) {
    throw new ExecutorLoadError(
      `unknown executor '${uses}': not a registered name (${registeredExecutorNames().join(', ')}), a module path like './file.ts#Class', or a YAML file`,
      { details: { uses } },
    );
  }
  return { cls, ...empty };
}

async function fromYaml(source: YamlSource, baseDir: string, validate = true): Promise<ResolvedExecutor> {
  const y = parseExecutorYaml(source, { validate });
  let cls: ExecutorClass | undefined;
  for (const m of y.modules) {
    const mod = await importModule(m, baseDir);
    const found = mod[y.jtype];
    if (typeof found === 'function') cls = found as ExecutorClass;
  }
  if (!cls && y.jtype.includes('#')) {
    const [path, exportName] = splitSpecifier(y.jtype);
    cls = await importExecutor(path, exportName, baseDir);
  }
  cls ??= await lookupExecutor(y.jtype);
  if (!cls) {
    const where = source.where(['jtype']);
    throw new ExecutorLoadError(
      `${where}: jtype '${y.jtype}' was not found${y.modules.length ? ` in ${y.modules.join(', ')}` : ''}; list the file that exports it under modules:, or register it`,
      { details: { jtype: y.jtype } },
    );
  }
  assertExecutorClass(cls, y.jtype);
  return { cls, usesWith: y.with, metas: y.metas, requests: y.requests, dynamicBatching: y.dynamicBatching };
}

function isModuleSpecifier(s: string): boolean {
  return s.includes('#') || /^(\.{1,2}\/|\/|file:)/.test(s) || /\.(m|c)?(t|j)sx?$/.test(s);
}

function splitSpecifier(s: string): [string, string | undefined] {
  const i = s.lastIndexOf('#');
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1) || undefined];
}

async function importExecutor(path: string, exportName: string | undefined, cwd: string): Promise<ExecutorClass> {
  const mod = await importModule(path, cwd);
  if (exportName) {
    const cls = mod[exportName];
    if (typeof cls !== 'function') {
      throw new ExecutorLoadError(
        `'${path}' has no export '${exportName}' (it exports: ${Object.keys(mod).join(', ') || 'nothing'})`,
        { details: { module: path, exportName } },
      );
    }
    assertExecutorClass(cls, exportName);
    return cls as ExecutorClass;
  }
  const candidates = Object.entries(mod).filter(([, v]) => isExecutorClass(v));
  if (candidates.length !== 1) {
    throw new ExecutorLoadError(
      `'${path}' exports ${candidates.length === 0 ? 'no Executor class' : `several Executor classes (${candidates.map(([k]) => k).join(', ')})`}; name one: '${path}#ClassName'`,
      { details: { module: path } },
    );
  }
  return (candidates[0] as [string, ExecutorClass])[1];
}

async function importModule(path: string, cwd: string): Promise<Record<string, unknown>> {
  const isFile = /^(\.{1,2}\/|\/|file:)/.test(path);
  const abs = path.startsWith('file:')
    ? path
    : isFile || isAbsolute(path)
      ? pathToFileURL(resolve(cwd, path)).href
      : path;
  if (isFile && !path.startsWith('file:') && !existsSync(resolve(cwd, path))) {
    throw new ExecutorLoadError(`executor module '${resolve(cwd, path)}' does not exist`, {
      details: { module: path },
    });
  }
  await ensureTypeScriptLoader(path);
  try {
    return (await import(abs)) as Record<string, unknown>;
  } catch (err) {
    throw new ExecutorLoadError(`importing executor module '${path}' failed: ${(err as Error).message}`, {
      cause: err,
      details: { module: path },
    });
  }
}

function isExecutorClass(v: unknown): v is ExecutorClass {
  return typeof v === 'function' && v.prototype instanceof Executor;
}

function assertExecutorClass(v: unknown, name: string): asserts v is ExecutorClass {
  if (!isExecutorClass(v)) {
    throw new ExecutorLoadError(`'${name}' is not a class extending Executor`, { details: { uses: name } });
  }
}
