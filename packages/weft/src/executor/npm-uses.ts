/**
 * `uses: npm:<package>[@<range>][#ExportName]`: an executor published as an npm package and installed in the user's
 * project. The package is looked up the way Node looks up a bare import (each `node_modules` from the Flow YAML's
 * folder up to the root), its installed version is checked against the range (npm's semver rules), and its entry is
 * the package's `exports['.']` (conditions import, node, default) or `main`. Absent or out of range, the error names
 * the exact `npm install` command.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { ExecutorLoadError, MissingDependencyError } from '../errors/index.js';

// loaded on first use: importing semver costs every worker process ~20 ms of CPU, and few Flows use `npm:`
let semverLib: typeof import('semver') | undefined;
const semver = (): typeof import('semver') =>
  (semverLib ??= createRequire(import.meta.url)('semver') as typeof import('semver'));

/** What an `npm:` uses names. */
export interface NpmUses {
  /** The package name (`@acme/tagger`). */
  pkg: string;
  /** The version range (`^1.2`); undefined accepts any version. */
  range?: string;
  /** The export to use; undefined takes the package's only Executor class. */
  exportName?: string;
}

/** An `npm:` uses resolved to a file on disk. */
export interface ResolvedNpmUses extends NpmUses {
  /** The installed version. */
  version: string;
  /** The package folder. */
  dir: string;
  /** Absolute path of the module to import. */
  file: string;
}

/** True for `npm:…` uses. */
export function isNpmUses(uses: string): boolean {
  return uses.startsWith('npm:');
}

/**
 * Split an `npm:` uses into package, range and export.
 * @example parseNpmUses('npm:@acme/tagger@^1.2#Tagger') // { pkg: '@acme/tagger', range: '^1.2', exportName: 'Tagger' }
 */
export function parseNpmUses(uses: string): NpmUses {
  let rest = uses.slice('npm:'.length);
  let exportName: string | undefined;
  const hash = rest.lastIndexOf('#');
  if (hash >= 0) {
    exportName = rest.slice(hash + 1) || undefined;
    rest = rest.slice(0, hash);
  }
  const at = rest.indexOf('@', rest.startsWith('@') ? 1 : 0);
  const pkg = at < 0 ? rest : rest.slice(0, at);
  const range = at < 0 ? undefined : rest.slice(at + 1) || undefined;
  if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(pkg)) {
    throw new ExecutorLoadError(`'${uses}' does not name an npm package: write npm:<package>[@<range>][#Export]`, {
      details: { uses },
    });
  }
  if (range !== undefined && semver().validRange(range) === null) {
    throw new ExecutorLoadError(`'${uses}': '${range}' is not a version range (try ^1.2, ~1.2.3, 1.2.3 or >=1)`, {
      details: { uses, range },
    });
  }
  return { pkg, ...(range !== undefined ? { range } : {}), ...(exportName !== undefined ? { exportName } : {}) };
}

/**
 * Find the installed package an `npm:` uses names, from `cwd` up, and check its version.
 * @example resolveNpmUses('npm:@acme/tagger@^1.2', '/app').file // '/app/node_modules/@acme/tagger/dist/index.js'
 */
export function resolveNpmUses(uses: string, cwd: string): ResolvedNpmUses {
  const spec = parseNpmUses(uses);
  const install = spec.range === undefined ? spec.pkg : `${spec.pkg}@${spec.range}`;
  const dir = findPackageDir(spec.pkg, resolve(cwd));
  if (dir === undefined) {
    throw new MissingDependencyError(install, `uses '${uses}'`, { details: { uses, from: resolve(cwd) } });
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
  const version = String(manifest.version ?? '0.0.0');
  if (spec.range !== undefined && !semver().satisfies(version, spec.range, { includePrerelease: true })) {
    throw new ExecutorLoadError(
      `uses '${uses}' asks for ${spec.pkg}@${spec.range}, but ${version} is installed (${dir}): run \`npm install ${install}\``,
      { details: { uses, package: spec.pkg, range: spec.range, installed: version, dir } },
    );
  }
  const entry = packageEntry(manifest);
  const file = join(dir, entry);
  if (!existsSync(file)) {
    throw new ExecutorLoadError(
      `uses '${uses}': ${spec.pkg}@${version} names its entry '${entry}', which does not exist (is the package built?)`,
      { details: { uses, package: spec.pkg, file } },
    );
  }
  return { ...spec, version, dir, file };
}

interface PackageJson {
  version?: string;
  main?: string;
  exports?: unknown;
}

/** `<dir>/node_modules/<pkg>` for `from` and each folder above it, as Node's resolution walks. */
function findPackageDir(pkg: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', pkg);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

const CONDITIONS = ['import', 'node', 'default'];

/** The file `import '<pkg>'` loads: `exports['.']` under the import conditions, else `main`, else index.js. */
function packageEntry(manifest: PackageJson): string {
  const exp = manifest.exports;
  const root =
    typeof exp === 'object' && exp !== null && !Array.isArray(exp) && Object.keys(exp).some((k) => k.startsWith('.'))
      ? (exp as Record<string, unknown>)['.']
      : exp;
  const picked = pickCondition(root);
  return picked ?? manifest.main ?? 'index.js';
}

function pickCondition(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const p = pickCondition(t);
      if (p !== undefined) return p;
    }
    return undefined;
  }
  if (typeof target !== 'object' || target === null) return undefined;
  for (const [condition, value] of Object.entries(target)) {
    if (!CONDITIONS.includes(condition)) continue;
    const p = pickCondition(value);
    if (p !== undefined) return p;
  }
  return undefined;
}
