/**
 * Parent side of `uses: MyExec` (a class object): where can a child process load that class from? Two places are
 * recorded. The module that defines the class, read from V8's own record of the class's source location (exact,
 * for exported and unexported classes alike). And the module that called `new Deployment(...)`, read from the
 * stack at construction (the first frame outside weft's own sources). The child imports them in that order and
 * takes the export, or captures the class when evaluation reaches the `new Deployment(...)` again (see
 * `class-capture.ts`).
 *
 * Caveat, as with Python's `spawn` start method: importing the user's module in the child runs its top-level
 * code up to that point (anything before `new Deployment(...)` runs once per child). Export the class, or keep
 * side effects after the Deployment starts.
 */
import { Session } from 'node:inspector';
import { isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ExecutorLoadError } from '../errors/index.js';
import type { CapturedUses } from './class-capture.js';

/** weft's own source (or build) directory: frames inside it are not user code. */
const OWN_DIR = new URL('../', import.meta.url).href;

const definitions = new WeakMap<object, string | undefined>();

/**
 * The module URL of the first stack frame outside weft's own sources (the user code that called into weft).
 * @example const site = callerModule(new Error().stack) // 'file:///home/me/app/main.ts'
 */
export function callerModule(stack: string | undefined = new Error().stack): string | undefined {
  for (const line of (stack ?? '').split('\n').slice(1)) {
    const url = frameUrl(line);
    if (url && !url.startsWith(OWN_DIR)) return url;
  }
  return undefined;
}

/** The file URL in one stack frame line, if it points into a file. */
function frameUrl(line: string): string | undefined {
  const m = /(?:\(|at )((?:file:\/\/|\/|[A-Za-z]:\\)[^()]*?):\d+:\d+\)?\s*$/.exec(line.trim());
  if (!m) return undefined;
  return cleanUrl(m[1] as string);
}

/** A module URL without loader-specific query strings, as a file URL. */
function cleanUrl(location: string): string | undefined {
  if (location.startsWith('file://')) {
    const url = new URL(location);
    url.searchParams.delete('tsx-namespace');
    url.hash = '';
    return url.href;
  }
  return isAbsolute(location) ? pathToFileURL(location).href : undefined;
}

/**
 * The module URL that defines `cls`, from V8's `[[FunctionLocation]]` (read through an in-process inspector
 * session, once per class); undefined when it is not a file (eval, REPL) or the inspector is unavailable.
 */
export function definitionModule(cls: object): string | undefined {
  if (definitions.has(cls)) return definitions.get(cls);
  let url: string | undefined;
  const session = new Session();
  const key = `__weftLocate${process.pid}`;
  const global = globalThis as Record<string, unknown>;
  try {
    session.connect();
    const scripts = new Map<string, string>();
    session.on('Debugger.scriptParsed', (m) => scripts.set(m.params.scriptId, m.params.url));
    global[key] = cls;
    // an in-process session answers synchronously: every callback below has run when post() returns
    session.post('Debugger.enable', () => undefined);
    session.post('Runtime.evaluate', { expression: `globalThis.${key}` }, (err, res) => {
      const objectId = res?.result.objectId;
      if (err || !objectId) return;
      session.post('Runtime.getProperties', { objectId, ownProperties: true }, (err2, props) => {
        const location = props?.internalProperties?.find((p) => p.name === '[[FunctionLocation]]')?.value?.value as
          | { scriptId: string }
          | undefined;
        const script = location ? scripts.get(location.scriptId) : undefined;
        if (!err2 && script) url = cleanUrl(script);
      });
      session.post('Runtime.releaseObject', { objectId });
    });
    session.post('Debugger.disable');
  } catch {
    url = undefined;
  } finally {
    delete global[key];
    try {
      session.disconnect();
    } catch {}
  }
  definitions.set(cls, url);
  return url;
}

/**
 * Where a child process finds `cls`: its defining module first, then the module that constructed the Deployment.
 * Throws `ExecutorLoadError` when neither is a file a child could import.
 * @example locateClass(MyExec, callerModule()) // { module: 'file:///app/main.ts', exportName: 'MyExec', capture: true }
 */
export function locateClass(cls: { name: string }, callSite: string | undefined): CapturedUses {
  const name = cls.name;
  if (!name) {
    throw new ExecutorLoadError(
      'uses is an anonymous class; give it a name (class MyExec extends Executor) so a worker process can find it',
    );
  }
  const modules = [...new Set([definitionModule(cls), callSite].filter((m): m is string => m !== undefined))];
  const [module, ...rest] = modules;
  if (!module) {
    throw new ExecutorLoadError(
      `cannot tell which module defines class '${name}' (defined in eval or a REPL?): define it in a module file, or pass uses as './file.ts#${name}'`,
      { details: { executor: name } },
    );
  }
  return { module, exportName: name, capture: true, ...(rest.length > 0 ? { modules: rest } : {}) };
}

/** A module URL as a path for messages. */
export function displayModule(url: string): string {
  return url.startsWith('file:') ? fileURLToPath(url) : url;
}
