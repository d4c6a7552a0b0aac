/**
 * The developer loop of `weft flow --reload`: watch the source files of a running Flow's executors (a module named
 * by `uses`, an executor YAML and the modules it loads) and restart only the executors whose sources changed. The
 * folders are watched (editors save by renaming a new file over the old one, which a watch on the file would lose):
 * a change to an executor's own file restarts that executor; a change to another code file of its folder (a helper
 * it may import) restarts every executor with sources there. The gateway keeps serving and reconnects.
 */
import { type FSWatcher, watch } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadYamlFile, parseYaml } from '../config/index.js';
import { parseExecutorYaml } from '../executor/index.js';

/** What a file change may be: code or configuration an executor loads (not data, logs, editor swap files). */
const SOURCE = /\.(m|c)?(t|j)sx?$|\.ya?ml$|\.json$/i;
/** Changes closer together than this are one change (a save writes, renames and touches). */
const SETTLE_MS = 150;

/** The local files an executor's `uses` (or uses_before/uses_after) loads, absolute; none for built-ins, npm, images. */
export function usesSources(uses: unknown, cwd: string): string[] {
  if (typeof uses !== 'string' || uses.startsWith('docker://') || uses.startsWith('npm:')) return [];
  if (uses.includes('\n')) return yamlSources(parseYaml(uses), cwd);
  const hash = uses.lastIndexOf('#');
  const path = hash < 0 ? uses : uses.slice(0, hash);
  const local = /^(\.{1,2}[\\/]|\/|file:)/.test(path);
  if (!local && !/\.ya?ml$/i.test(path)) return [];
  const file = path.startsWith('file:') ? fileURLToPath(path) : resolve(cwd, path);
  if (/\.ya?ml$/i.test(file)) {
    try {
      return [file, ...yamlSources(loadYamlFile(file), dirname(file))];
    } catch {
      return [file]; // a YAML being edited may not parse; watching it is enough
    }
  }
  return [file];
}

function yamlSources(source: Parameters<typeof parseExecutorYaml>[0], dir: string): string[] {
  const y = parseExecutorYaml(source, { validate: false });
  const local = (p: string): boolean => /^(\.{1,2}[\\/]|\/|file:)/.test(p);
  const hash = y.jtype.lastIndexOf('#');
  const files = [...(hash < 0 ? [] : [y.jtype.slice(0, hash)]), ...y.modules].filter(local);
  return files.map((p) => (p.startsWith('file:') ? fileURLToPath(p) : isAbsolute(p) ? p : resolve(dir, p)));
}

export interface ReloadTarget {
  executors: readonly { name: string; uses?: unknown; usesBefore?: unknown; usesAfter?: unknown; external?: boolean }[];
  /** Restart the executor's processes (they load its code again). */
  restartExecutor(name: string): Promise<unknown>;
}

export interface SourceWatch {
  /** Executor name → the files watched for it. */
  readonly sources: ReadonlyMap<string, readonly string[]>;
  close(): void;
}

/**
 * Watch the executors' sources; on a change, restart the executors it concerns (one restart at a time per
 * executor; a change during a restart restarts it once more) and report through `log`.
 * @example const w = watchSources(flow, cwd, (m) => console.error(m)); … w.close()
 */
export function watchSources(target: ReloadTarget, cwd: string, log: (message: string) => void): SourceWatch {
  const sources = new Map<string, string[]>();
  for (const e of target.executors) {
    if (e.external) continue;
    const files = [e.uses, e.usesBefore, e.usesAfter].flatMap((u) => usesSources(u, cwd));
    if (files.length > 0) sources.set(e.name, [...new Set(files)]);
  }
  const state = new Map<string, { timer?: NodeJS.Timeout; running?: Promise<void>; again?: boolean; why: string }>();
  const restart = (name: string): void => {
    const s = state.get(name) as { running?: Promise<void>; again?: boolean; why: string };
    if (s.running) {
      s.again = true;
      return;
    }
    const t0 = performance.now();
    s.running = target.restartExecutor(name).then(
      () => log(`reloaded ${name} in ${((performance.now() - t0) / 1000).toFixed(1)} s (${s.why} changed)`),
      (err: Error) => log(`reloading ${name} failed (${s.why} changed): ${err.message}`),
    );
    void s.running.finally(() => {
      s.running = undefined;
      if (s.again) {
        s.again = false;
        restart(name);
      }
    });
  };
  const changed = (file: string): void => {
    const all = [...sources];
    const own = all.filter(([, files]) => files.includes(file));
    const near = own.length > 0 ? own : all.filter(([, files]) => files.some((f) => dirname(f) === dirname(file)));
    for (const [name] of near) {
      const s = state.get(name) ?? { why: file };
      s.why = file;
      state.set(name, s);
      clearTimeout(s.timer);
      s.timer = setTimeout(() => restart(name), SETTLE_MS);
    }
  };
  const watchers: FSWatcher[] = [];
  for (const dir of new Set([...sources.values()].flat().map((f) => dirname(f)))) {
    const w = watch(dir, { persistent: false }, (_event, name) => {
      if (name && SOURCE.test(name)) changed(join(dir, name));
    });
    w.on('error', (err) => log(`cannot watch ${dir} any more: ${err.message}`));
    watchers.push(w);
  }
  return {
    sources,
    close() {
      for (const w of watchers) w.close();
      for (const s of state.values()) clearTimeout(s.timer);
    },
  };
}
