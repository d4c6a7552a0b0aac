/**
 * Child side of `uses: MyExec` (a class object): load the class in a worker process from the module(s) the
 * parent recorded (see `class-source.ts`). The loader installs a capture hook and imports the module without
 * awaiting its evaluation. Either the import completes and the module exports the class, or the module is the
 * user's main script: its evaluation reaches `new Deployment({ uses: MyExec })` again, the constructor hands the
 * class to the hook, and `start()` returns a promise that never settles, so the script pauses there and nothing
 * runs twice. While loading, `node:test` is made inert (suites are declared, tests and hooks never run), so a
 * class defined in a test file does not run that file's tests in the child.
 */
import { createRequire, register } from 'node:module';
import { ExecutorLoadError } from '../errors/index.js';
import { displayModule } from './class-source.js';
import { Executor } from './executor.js';
import type { ExecutorClass } from './registry.js';
import { ensureTypeScriptLoader } from './typescript-loader.js';

/** Set in runtime child processes (and in their environment) so user code can tell where it runs. */
export const RUNTIME_CHILD_ENV = 'WEFT_RUNTIME_CHILD';

const HOOK = Symbol.for('weft.capture');

/** `uses` as the parent sends it for a class object: modules to import, the class name, capture allowed. */
export interface CapturedUses {
  module: string;
  exportName: string;
  capture?: boolean;
  /** Further modules to try, in order, when `module` neither exports nor reaches the class. */
  modules?: string[];
}

interface CaptureHook {
  readonly name: string;
  /** Offer a class; true when it is the one wanted. */
  offer(cls: unknown): boolean;
  /** Evaluation reached a Deployment start without offering the wanted class. */
  blocked(what: string): void;
}

/** Whether `uses` (as parsed from a worker's JSON configuration) is the class-object form. */
export function isCapturedUses(uses: unknown): uses is CapturedUses {
  const u = uses as Partial<CapturedUses> | null;
  return typeof u === 'object' && u !== null && typeof u.module === 'string' && typeof u.exportName === 'string';
}

/**
 * Called by Deployment and Flow constructors with every class they were given. In a child that is loading a class,
 * hands them to the loader and returns true: the caller must then not start anything (see `pauseForCapture`).
 */
export function offerForCapture(...candidates: unknown[]): boolean {
  const hook = (globalThis as Record<symbol, CaptureHook | undefined>)[HOOK];
  if (!hook) return false;
  for (const c of candidates) if (typeof c === 'function') hook.offer(c);
  return true;
}

/**
 * What `start()` of a Deployment or Flow constructed while capturing returns: a promise that never settles, so
 * the user's script pauses there. If the wanted class was not offered yet, the loader is told it never will be.
 */
export function pauseForCapture(what: string): Promise<never> {
  (globalThis as Record<symbol, CaptureHook | undefined>)[HOOK]?.blocked(what);
  return new Promise<never>(() => undefined);
}

/**
 * Load the executor class of a worker whose `uses` is `{ module, exportName, capture?, modules? }`.
 * @example const cls = await loadCapturedClass({ module: 'file:///app/main.ts', exportName: 'MyExec', capture: true })
 */
export async function loadCapturedClass(uses: CapturedUses): Promise<ExecutorClass> {
  process.env[RUNTIME_CHILD_ENV] = '1';
  makeNodeTestInert();
  const modules = [uses.module, ...(uses.modules ?? [])];
  const misses: string[] = [];
  for (const module of modules) {
    const outcome = await importAndCapture(module, uses.exportName, uses.capture !== false);
    if (typeof outcome !== 'string') return outcome;
    misses.push(`${displayModule(module)}: ${outcome}`);
  }
  throw new ExecutorLoadError(
    `cannot load executor class '${uses.exportName}' in the worker process:\n  ${misses.join('\n  ')}\nexport the class from its module (export class ${uses.exportName} …), or pass uses as './file.ts#${uses.exportName}'`,
    { details: { executor: uses.exportName, modules } },
  );
}

/** The class, or why this module did not yield it. */
function importAndCapture(module: string, name: string, capture: boolean): Promise<ExecutorClass | string> {
  const global = globalThis as Record<symbol, CaptureHook | undefined>;
  return new Promise<ExecutorClass | string>((resolve, reject) => {
    const hook: CaptureHook = {
      name,
      offer: (cls) => {
        const ok = (cls as { name?: unknown }).name === name && isExecutorClass(cls);
        if (ok) resolve(cls);
        return ok;
      },
      blocked: (what) =>
        resolve(`its evaluation started ${what} before reaching a Deployment or Flow with class '${name}'`),
    };
    if (capture) global[HOOK] = hook;
    ensureTypeScriptLoader(module)
      .then(() => import(module))
      .then(
        (mod: Record<string, unknown>) => {
          const exported = mod[name];
          if (isExecutorClass(exported)) resolve(exported);
          else if (exported !== undefined) resolve(`its export '${name}' is not a class extending Executor`);
          else
            resolve(
              `it does not export '${name}'${capture ? ' and its evaluation never passed the class to a Deployment or Flow' : ''}`,
            );
        },
        (err: unknown) =>
          reject(
            new ExecutorLoadError(
              `importing '${displayModule(module)}' to load executor class '${name}' failed: ${(err as Error)?.message ?? String(err)}`,
              { cause: err, details: { module, executor: name } },
            ),
          ),
      );
  }).finally(() => {
    if (global[HOOK]?.name === name) delete global[HOOK];
  });
}

function isExecutorClass(v: unknown): v is ExecutorClass {
  return typeof v === 'function' && v.prototype instanceof Executor;
}

let inert = false;

/**
 * Route `node:test` to a stand-in for the rest of this process: `describe`/`suite` bodies run (they only declare),
 * tests and hooks never do, everything else is the real module. A runtime child is never a test process.
 */
function makeNodeTestInert(): void {
  if (inert) return;
  inert = true;
  const names = Object.keys(createRequire(import.meta.url)('node:test'));
  const stubbed: Record<string, string> = {
    describe: '$suite',
    suite: '$suite',
    it: '$test',
    test: '$test',
    before: '$noop',
    after: '$noop',
    beforeEach: '$noop',
    afterEach: '$noop',
    skip: '$noop',
    todo: '$noop',
    only: '$noop',
  };
  const source = [
    "import { createRequire } from 'node:module';",
    `const $real = createRequire(${JSON.stringify(`${process.cwd()}/`)})('node:test');`,
    'const $noop = () => undefined;',
    'const $ctx = new Proxy({}, { get: () => $noop });',
    'const $test = Object.assign(() => undefined, { skip: $noop, todo: $noop, only: $noop });',
    'function $body(...args) { const fn = args.find((a) => typeof a === "function"); if (!fn) return;',
    '  try { const r = fn($ctx); if (r && typeof r.then === "function") r.then($noop, $noop); } catch {} }',
    'const $suite = Object.assign($body, { skip: $noop, todo: $noop, only: $body });',
    ...names.map((n) => `export const ${n} = ${stubbed[n] ?? `$real.${n}`};`),
    'export default $test;',
  ].join('\n');
  const stubUrl = `data:text/javascript,${encodeURIComponent(source)}`;
  const hooks = [
    `const stub = ${JSON.stringify(stubUrl)};`,
    'export async function resolve(specifier, context, next) {',
    "  if (specifier === 'node:test') return { url: stub, shortCircuit: true };",
    '  return next(specifier, context);',
    '}',
  ].join('\n');
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
}
