/**
 * How one executor's `uses` runs in a container: `docker://image:tag` is that image (its working directory holds
 * `config.yml`, as Jina's images do); anything else runs from an executor YAML that the export writes (into the
 * ConfigMap, or inline in the compose command), in the image of its built-in's package (`weft-image-encoder`, …)
 * or, for the project's own code, the executor image, with project paths rebased onto the image's project folder. What cannot run from an image (a class defined in code, a file outside the project) is a
 * `NotContainerizableError`; what cannot be found is an `ExecutorLoadError`.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { loadYamlFile, parseYaml, type YamlSource } from '../config/index.js';
import { ExecutorLoadError, NotContainerizableError } from '../errors/index.js';
import { BUILTIN_EXECUTORS, lookupExecutor, parseExecutorYaml } from '../executor/index.js';

/** An executor as a container runs it. */
export interface ContainerExecutor {
  image: string;
  /** The `--uses` argument inside the container. */
  uses: string;
  /** The executor YAML the export writes for it (mounted at `uses`), when not a `docker://` image. */
  executorYaml?: Record<string, unknown>;
  /** `--uses-with` for a `docker://` image (its own config.yml is used as it is). */
  usesWith?: Record<string, unknown>;
}

export interface ContainerizeInput {
  /** The executor's name, for messages. */
  name: string;
  uses: unknown;
  usesWith?: Record<string, unknown>;
  usesMetas?: Record<string, unknown>;
  usesRequests?: Record<string, string>;
  usesDynamicBatching?: Record<string, { preferredBatchSize: number; timeoutMs?: number }>;
  /** The executor's own `image` option. */
  image?: string;
}

export interface ContainerizeContext {
  /** The project folder (the Flow's), copied to `appDir` in the image. */
  cwd: string;
  appDir: string;
  /** Image of the project's own executors (modules, YAML, packages). */
  image: string;
  /** Image of each built-in executor, by name (`ImageEncoder` → `weft-image-encoder:<v>`). */
  builtinImages: Readonly<Record<string, string>>;
  /** Where the export mounts the executor YAML inside the container. */
  configPath: string;
}

const DOCKER = 'docker://';

export async function containerize(e: ContainerizeInput, ctx: ContainerizeContext): Promise<ContainerExecutor> {
  const uses = e.uses ?? 'BaseExecutor';
  if (typeof uses === 'function') {
    throw new NotContainerizableError(
      `executor '${e.name}' uses a class defined in code (${(uses as { name?: string }).name || 'anonymous'}); an image cannot load it: give uses as './file.ts#ClassName' (a module of the project) or 'docker://image:tag'`,
      { details: { executor: e.name } },
    );
  }
  if (typeof uses !== 'string') throw new ExecutorLoadError(`executor '${e.name}': uses must be a string`);
  if (uses.startsWith(DOCKER)) {
    const image = uses.slice(DOCKER.length);
    if (!/^[\w.\-/:@]+$/.test(image) || image.length === 0) {
      throw new NotContainerizableError(`executor '${e.name}': '${uses}' is not a valid image reference`, {
        details: { executor: e.name, uses },
      });
    }
    return { image, uses: 'config.yml', ...(e.usesWith ? { usesWith: e.usesWith } : {}) };
  }
  const base = await executorYamlFor(e.name, uses, ctx);
  const yaml: Record<string, unknown> = { ...base };
  const withOpts = { ...(base.with as Record<string, unknown> | undefined), ...e.usesWith };
  if (Object.keys(withOpts).length > 0) yaml.with = withOpts;
  const metas = { ...(base.metas as Record<string, unknown> | undefined), ...e.usesMetas };
  if (Object.keys(metas).length > 0) yaml.metas = metas;
  const requests = { ...(base.requests as Record<string, string> | undefined), ...e.usesRequests };
  if (Object.keys(requests).length > 0) yaml.requests = requests;
  const batching: Record<string, unknown> = { ...(base.dynamic_batching as Record<string, unknown> | undefined) };
  for (const [ep, b] of Object.entries(e.usesDynamicBatching ?? {})) {
    batching[ep] = {
      preferred_batch_size: b.preferredBatchSize,
      ...(b.timeoutMs !== undefined ? { timeout: b.timeoutMs } : {}),
    };
  }
  if (Object.keys(batching).length > 0) yaml.dynamic_batching = batching;
  return { image: e.image ?? imageFor(yaml, ctx), uses: ctx.configPath, executorYaml: yaml };
}

/** A built-in (named as `uses`, or as the `jtype` of an executor YAML without modules) runs in its package's image. */
function imageFor(yaml: Record<string, unknown>, ctx: ContainerizeContext): string {
  const jtype = yaml.jtype;
  if (typeof jtype === 'string' && yaml.modules === undefined && Object.hasOwn(ctx.builtinImages, jtype)) {
    return ctx.builtinImages[jtype] as string;
  }
  return ctx.image;
}

/** The executor YAML (snake_case, Jina's schema plus `modules:`) for a non-image `uses`, paths rebased. */
async function executorYamlFor(name: string, uses: string, ctx: ContainerizeContext): Promise<Record<string, unknown>> {
  if (/^[A-Za-z_$][\w$]*$/.test(uses)) {
    if (uses === 'BaseExecutor' || uses in BUILTIN_EXECUTORS) return { jtype: uses };
    if (await lookupExecutor(uses)) {
      throw new NotContainerizableError(
        `executor '${name}' uses '${uses}', a name registered in this process only; an image cannot resolve it: give uses as './file.ts#${uses}'`,
        { details: { executor: name, uses } },
      );
    }
    throw new ExecutorLoadError(
      `executor '${name}': unknown executor '${uses}': not a built-in (${['BaseExecutor', ...Object.keys(BUILTIN_EXECUTORS)].join(', ')}), a module path like './file.ts#Class', an executor YAML or 'docker://image:tag'`,
      { details: { executor: name, uses } },
    );
  }
  if (uses.includes('\n')) return fromYaml(name, parseYaml(uses), ctx.cwd, ctx);
  if (/\.ya?ml$/i.test(uses)) {
    const file = projectFile(name, uses, ctx);
    return fromYaml(name, loadYamlFile(file), dirname(file), ctx);
  }
  const hash = uses.lastIndexOf('#');
  const path = hash < 0 ? uses : uses.slice(0, hash);
  const exportName = hash < 0 ? '#' : uses.slice(hash); // `file#` loads its one Executor export
  if (/^(\.{1,2}[\\/]|\/|file:)/.test(path) || /\.(m|c)?(t|j)sx?$/.test(path)) {
    return { jtype: `${inImage(name, projectFile(name, path, ctx), ctx)}${exportName}` };
  }
  return { jtype: uses }; // a package specifier (`some-package#Exec`), resolved from the image's node_modules
}

function fromYaml(name: string, source: YamlSource, dir: string, ctx: ContainerizeContext): Record<string, unknown> {
  const y = parseExecutorYaml(source);
  const rebase = (p: string): string =>
    /^(\.{1,2}[\\/]|\/|file:)/.test(p) ? inImage(name, projectFile(name, p, { ...ctx, cwd: dir }), ctx) : p;
  const hash = y.jtype.lastIndexOf('#');
  const jtype = hash < 0 ? y.jtype : `${rebase(y.jtype.slice(0, hash))}${y.jtype.slice(hash)}`;
  const out: Record<string, unknown> = { jtype };
  if (y.modules.length > 0) out.modules = y.modules.map(rebase);
  if (Object.keys(y.with).length > 0) out.with = y.with;
  if (Object.keys(y.metas).length > 0) out.metas = y.metas;
  if (Object.keys(y.requests).length > 0) out.requests = y.requests;
  const batching = Object.entries(y.dynamicBatching).map(([ep, b]) => [
    ep,
    { preferred_batch_size: b.preferredBatchSize, ...(b.timeoutMs !== undefined ? { timeout: b.timeoutMs } : {}) },
  ]);
  if (batching.length > 0) out.dynamic_batching = Object.fromEntries(batching);
  return out;
}

/** The absolute path of a project file named by `uses`; it must exist and lie inside the project. */
function projectFile(name: string, path: string, ctx: { cwd: string }): string {
  const file = path.startsWith('file:') ? new URL(path).pathname : resolve(ctx.cwd, path);
  if (!existsSync(file)) {
    throw new ExecutorLoadError(`executor '${name}': '${path}' does not exist (looked for ${file})`, {
      details: { executor: name, uses: path, file },
    });
  }
  return file;
}

function inImage(name: string, file: string, ctx: ContainerizeContext): string {
  const rel = relative(ctx.cwd, file);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new NotContainerizableError(
      `executor '${name}': ${file} lies outside the project folder ${ctx.cwd}, which is what an image holds; move it into the project or build an image and use 'docker://image:tag'`,
      { details: { executor: name, file, project: ctx.cwd } },
    );
  }
  return `${ctx.appDir}/${rel.split(sep).join('/')}`;
}
