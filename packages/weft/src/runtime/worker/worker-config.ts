/**
 * The configuration of one worker process (what a Deployment/Flow passes as JSON in `WEFT_WORKER_CONFIG`), its
 * validation, and how it becomes a running Executor: `loadExecutorClass` resolves `uses`, `createExecutor`
 * constructs the instance with the merged options (YAML `with:` under the caller's `usesWith`).
 */
import { z } from 'zod';
import { ConfigError, ExecutorLoadError } from '../../errors/index.js';
import {
  type DynamicBatchingConfig,
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
export type WorkerUses = string | ({ module: string; exportName: string } & Record<string, unknown>);

export interface WorkerConfig {
  uses: WorkerUses;
  /** Constructor options (override the YAML's `with:`). */
  usesWith?: Record<string, unknown>;
  metas?: ExecutorMetas;
  /** Endpoint → method remapping (Jina's `uses_requests`). */
  requests?: Record<string, string>;
  dynamicBatching?: Record<string, DynamicBatchingConfig>;
  runtimeArgs?: Partial<RuntimeArgs>;
  /** Runtime name (`encoder/rep-0`). */
  name: string;
  /** Interface to listen on (default 0.0.0.0). */
  host?: string;
  /** Port to listen on (0 = pick a free one and report it). */
  port: number;
  /** Port of the native transport for other weft runtimes (0 = a free one, the default; false = none). */
  nativePort?: number | false;
  /** Largest message in either direction, in bytes (default unlimited). */
  maxMessageBytes?: number;
  /** Directory relative `uses` paths are resolved against (default: the process's cwd). */
  cwd?: string;
  /** Grace period of the shutdown on SIGTERM/SIGINT, in ms (default 30 000). */
  shutdownGraceMs?: number;
  /** Interceptors around every executor call: module specifiers (`./auth.ts#check`, against `cwd`) or built-in names. */
  interceptors?: string[];
}

const batching = z.strictObject({
  preferredBatchSize: z.number().int().positive(),
  timeoutMs: z.number().nonnegative().optional(),
});

const schema = z.strictObject({
  uses: z.union([
    z.string().min(1),
    z.strictObject({
      module: z.string().min(1),
      exportName: z.string().min(1),
      capture: z.boolean().optional(),
      modules: z.array(z.string().min(1)).optional(),
    }),
  ]),
  usesWith: z.record(z.string(), z.unknown()).optional(),
  metas: z.looseObject({ name: z.string().optional(), description: z.string().optional() }).optional(),
  requests: z.record(z.string(), z.string()).optional(),
  dynamicBatching: z.record(z.string(), batching).optional(),
  runtimeArgs: z
    .strictObject({
      name: z.string(),
      replicas: z.number().int().positive(),
      shards: z.number().int().positive(),
      shardId: z.number().int().nonnegative(),
      workspace: z.string(),
    })
    .partial()
    .optional(),
  name: z.string().min(1),
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65535),
  nativePort: z.union([z.number().int().min(0).max(65535), z.literal(false)]).optional(),
  maxMessageBytes: z.number().int().min(-1).optional(),
  cwd: z.string().optional(),
  shutdownGraceMs: z.number().nonnegative().optional(),
  interceptors: z.array(z.string().min(1)).optional(),
});

/**
 * Parse and validate a worker configuration (JSON text or an object); errors name the offending key.
 * @example parseWorkerConfig(process.env.WEFT_WORKER_CONFIG)
 */
export function parseWorkerConfig(source: string | undefined | object): WorkerConfig {
  if (source === undefined || source === '') {
    throw new ConfigError(`${WORKER_CONFIG_ENV} is not set: a worker process is started by a Deployment or Flow`);
  }
  let value: unknown = source;
  if (typeof source === 'string') {
    try {
      value = JSON.parse(source);
    } catch (err) {
      throw new ConfigError(`${WORKER_CONFIG_ENV} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`invalid worker configuration: ${problems.join('; ')}`, { details: { problems } });
  }
  return r.data as WorkerConfig;
}

/**
 * Resolve `uses` to the executor class and its YAML-level configuration. The single place that turns a worker's
 * `uses` into a class, so owners of other forms (classes defined in a Flow's main script) extend it here.
 */
export async function loadExecutorClass(
  config: Pick<WorkerConfig, 'cwd'> & { uses: WorkerUses | ExecutorClass },
): Promise<ResolvedExecutor> {
  const options = config.cwd !== undefined ? { cwd: config.cwd } : {};
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
