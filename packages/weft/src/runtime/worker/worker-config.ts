/**
 * The configuration of one worker process (what a Deployment/Flow passes as JSON in `WEFT_WORKER_CONFIG`), its
 * decoding (the parent validated it against config/runtime-schema.ts; a worker never loads zod), and how it
 * becomes a running Executor: `loadExecutorClass` resolves `uses`, `createExecutor` constructs the instance with
 * the merged options (YAML `with:` under the caller's `usesWith`).
 */
import { decodeRuntimeConfig, type WorkerConfig } from '../../config/index.js';
import { ConfigError, ExecutorLoadError } from '../../errors/index.js';
import {
  type Executor,
  type ExecutorClass,
  type ExecutorMetas,
  isCapturedUses,
  loadCapturedClass,
  type ResolvedExecutor,
  type RuntimeArgs,
  resolveUses,
} from '../../executor/index.js';

/** The environment variable a worker process reads its configuration from. */
export const WORKER_CONFIG_ENV = 'WEFT_WORKER_CONFIG';

/**
 * `uses` as JSON can carry: a `uses` string (module path, registered name, YAML), or a module and export. The
 * object form may carry further keys for the loader of classes defined in a main script (orchestrate/).
 */
export type WorkerUses = WorkerConfig['uses'];
export type { WorkerConfig };

/**
 * Decode a worker configuration (JSON text or an object) that its parent validated (`validateWorkerConfig` in
 * config/): no schema library is loaded in a worker process, only the shape a worker cannot run without is checked.
 * @example decodeWorkerConfig(process.env.WEFT_WORKER_CONFIG)
 */
export function decodeWorkerConfig(source: string | undefined | object): WorkerConfig {
  const value = decodeRuntimeConfig(source, WORKER_CONFIG_ENV, 'worker', 'a Deployment or Flow');
  const v = value as Partial<WorkerConfig>;
  const missing = [
    typeof v.name === 'string' && v.name !== '' ? undefined : 'name',
    typeof v.port === 'number' ? undefined : 'port',
    typeof v.uses === 'string' || (typeof v.uses === 'object' && v.uses !== null) ? undefined : 'uses',
  ].filter((k) => k !== undefined);
  if (missing.length > 0) {
    throw new ConfigError(`invalid worker configuration: ${missing.join(', ')} missing or mistyped`, {
      details: { problems: missing },
    });
  }
  return value as WorkerConfig;
}

/**
 * Resolve `uses` to the executor class and its YAML-level configuration. The single place that turns a worker's
 * `uses` into a class, so owners of other forms (classes defined in a Flow's main script) extend it here.
 */
export async function loadExecutorClass(
  config: Pick<WorkerConfig, 'cwd'> & { uses: WorkerUses | ExecutorClass },
  how: { validate?: boolean } = {},
): Promise<ResolvedExecutor> {
  const options = { ...(config.cwd !== undefined ? { cwd: config.cwd } : {}), ...how };
  const uses = config.uses;
  if (isCapturedUses(uses) && uses.capture) {
    // a class defined in the parent's script: load it the way the parent located it
    return { cls: await loadCapturedClass(uses), usesWith: {}, metas: {}, requests: {}, dynamicBatching: {} };
  }
  if (typeof uses === 'object' && uses !== null) {
    return resolveUses(`${uses.module}#${uses.exportName}`, options);
  }
  return resolveUses(uses, options);
}

/**
 * Construct the executor of a worker. Errors thrown by its constructor propagate unchanged (own message and
 * stack), so the parent can show what the user's code said.
 */
export function createExecutor(
  resolved: ResolvedExecutor,
  config: Omit<WorkerConfig, 'uses' | 'port' | 'name'> & { name?: string },
): Executor {
  // the executor's own name (for `<name>__key` parameters, workspace) defaults to the deployment name
  const deployment = config.name?.split('/')[0];
  const metas: ExecutorMetas = { ...(deployment ? { name: deployment } : {}), ...resolved.metas, ...config.metas };
  const yamlWorkspace = (resolved.metas as { workspace?: unknown }).workspace;
  const workspace = config.runtimeArgs?.workspace ?? (typeof yamlWorkspace === 'string' ? yamlWorkspace : undefined);
  const runtimeArgs: Partial<RuntimeArgs> = {
    ...(config.name !== undefined ? { name: config.name } : {}),
    ...config.runtimeArgs,
  };
  const args = {
    ...resolved.usesWith,
    ...config.usesWith,
    metas,
    runtimeArgs,
    requests: { ...resolved.requests, ...config.requests },
    dynamicBatching: { ...resolved.dynamicBatching, ...config.dynamicBatching },
    ...(workspace !== undefined ? { workspace } : {}),
  };
  const executor = new resolved.cls(args);
  if (typeof executor?.resolveEndpoint !== 'function') {
    throw new ExecutorLoadError(`'${resolved.cls.name}' did not construct an Executor`, {
      details: { executor: resolved.cls.name },
    });
  }
  return executor;
}
