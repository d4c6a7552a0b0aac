/**
 * Functions named in configuration: interceptors and HTTP plugins. Runtimes are separate processes, so a Flow,
 * Deployment or gateway names them by module specifier — `./auth.ts#checkToken` (resolved against the Flow YAML's
 * folder or the working directory; `.ts` loads through tsx, as executors do) — or, for interceptors, by the name
 * of a built-in one (see `registerInterceptor`); in-process objects also take the functions themselves.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors/index.js';
import { ensureTypeScriptLoader } from '../executor/index.js';
import { type Interceptor, isRegisteredInterceptor, registeredInterceptor } from '../interceptors/index.js';

/** An interceptor, or where to find one: `./file.ts#exportName`, a package `pkg#name`, or a registered name. */
// biome-ignore lint/suspicious/noExplicitAny: specs name interceptors of any context type
export type InterceptorSpec = string | Interceptor<any>;

/**
 * Resolve `specs` to interceptors, in order. Throws `ConfigError` naming the spec that is not found or is not a
 * function.
 * @example const chain = await loadInterceptors<GatewayContext>(['./auth.ts#checkToken'], flowDir);
 */
export async function loadInterceptors<C>(
  specs: readonly InterceptorSpec[] | undefined,
  cwd: string = process.cwd(),
): Promise<Interceptor<C>[]> {
  const out: Interceptor<C>[] = [];
  for (const spec of specs ?? []) out.push(await loadOne<C>(spec, cwd));
  return out;
}

async function loadOne<C>(spec: InterceptorSpec, cwd: string): Promise<Interceptor<C>> {
  if (typeof spec === 'function') return spec as Interceptor<C>;
  // a bare name (no path, no `#export`, no extension) can only be a registered one
  const moduleLike = spec.includes('#') || /^(\.{1,2}\/|\/|file:)/.test(spec) || /\.(m|c)?(t|j)sx?$/.test(spec);
  if (isRegisteredInterceptor(spec) || !moduleLike) return registeredInterceptor<C>(spec);
  return (await loadFunctionExport(spec, cwd, 'interceptor')) as Interceptor<C>;
}

/**
 * The function `spec` (`path#exportName`, or a module with exactly one function export) names, imported relative
 * to `cwd`. `what` names it in errors (`interceptor`, `HTTP plugin`).
 */
export async function loadFunctionExport(spec: string, cwd: string, what: string): Promise<(...a: never[]) => unknown> {
  const hash = spec.lastIndexOf('#');
  const path = hash < 0 ? spec : spec.slice(0, hash);
  const exportName = hash < 0 ? undefined : spec.slice(hash + 1);
  const mod = await importSpec(spec, path, cwd, what);
  const functions = Object.entries(mod).filter(([, v]) => typeof v === 'function');
  const found = exportName !== undefined ? mod[exportName] : functions.length === 1 ? functions[0]?.[1] : undefined;
  if (typeof found !== 'function') {
    throw new ConfigError(
      exportName !== undefined
        ? `${what} '${spec}': '${path}' has no function export '${exportName}' (it exports: ${Object.keys(mod).join(', ') || 'nothing'})`
        : `${what} '${spec}': name the export, like '${path}#name' (it exports ${functions.length} functions)`,
      { details: { module: spec } },
    );
  }
  return found as (...a: never[]) => unknown;
}

async function importSpec(spec: string, path: string, cwd: string, what: string): Promise<Record<string, unknown>> {
  const isFile = /^(\.{1,2}\/|\/)/.test(path);
  if (isFile && !existsSync(resolve(cwd, path))) {
    throw new ConfigError(`${what} '${spec}': ${resolve(cwd, path)} does not exist`, {
      details: { module: spec },
    });
  }
  const url = path.startsWith('file:')
    ? path
    : isFile || isAbsolute(path)
      ? pathToFileURL(resolve(cwd, path)).href
      : path;
  await ensureTypeScriptLoader(path);
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`${what} '${spec}': importing '${path}' failed: ${(err as Error).message}`, {
      cause: err,
      details: { module: spec },
    });
  }
}
