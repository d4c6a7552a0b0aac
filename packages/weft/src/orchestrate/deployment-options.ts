/**
 * The options of a Deployment: the TypeScript type and the zod schema validating the options object (built on the
 * one option schema in config/). YAML writes the same keys in snake_case under `with:` (see `deployment-yaml.ts`).
 */
import { z } from 'zod';
import { executorOptionsSchema } from '../config/index.js';
import type { DynamicBatchingConfig, ExecutorClass, ExecutorMetas } from '../executor/index.js';
import type { Polling } from '../runtime/head/index.js';
import type { RestartPolicy } from './runtime-process.js';

/** What an executor of a Deployment may be: a class, or a string `resolveUses` understands. */
export type DeploymentUses = ExecutorClass | string;

export interface DeploymentOptions {
  /** The executor: a class (loaded in each worker process, see `class-source.ts`), a module path
   *  (`./exec.ts#MyExec`), a registered or built-in name, or an executor YAML file. */
  uses: DeploymentUses;
  /** Deployment name (default `executor`); runtimes are `<name>/rep-<i>`, `<name>/shard-<s>/rep-<i>`, `<name>/head`. */
  name?: string;
  /** Copies of each shard; requests are balanced round robin (default 1). */
  replicas?: number;
  /** Partitions; with more than one, a head fans requests out by `polling` (default 1). */
  shards?: number;
  /** `'ANY'` (default), `'ALL'`, or per endpoint `{ '/search': 'ALL', '*': 'ANY' }`. */
  polling?: Polling;
  /** The port the deployment is reached on (the head's, or the single worker's); free one by default. */
  port?: number;
  /** Interface every runtime listens on (default `127.0.0.1`). */
  host?: string;
  /** Constructor options for the executor (plain JSON: they travel to the worker processes). */
  usesWith?: Record<string, unknown>;
  usesMetas?: ExecutorMetas;
  /** Endpoint → method remapping. */
  usesRequests?: Record<string, string>;
  usesDynamicBatching?: Record<string, DynamicBatchingConfig>;
  /** Extra environment variables of every runtime process. */
  env?: Record<string, string>;
  /** Base workspace directory of the executors. */
  workspace?: string;
  /** How long each runtime may take to become ready, in ms (default 600 000; -1 waits forever). */
  timeoutReady?: number;
  /** Extra tries on an unavailable replica (default -1: max(3, replicas)). */
  retries?: number;
  /** Per-call timeout towards executors, in ms (default none). */
  timeoutSend?: number;
  /** Executor run before the shards see a request (needs a head; one is started). */
  usesBefore?: DeploymentUses;
  /** Executor that receives all shards' answers instead of the built-in reduce. */
  usesAfter?: DeploymentUses;
  /** Restart policy for crashed runtimes, or `false` to leave them down (default: 100 ms doubling to 5 s). */
  restart?: Partial<RestartPolicy> | false;
  /** How long `close()` lets each runtime drain before killing it, in ms (default 10 000; YAML `close_timeout_ms`). */
  closeTimeoutMs?: number;
  /** Directory relative `uses` paths are resolved against (default: the current directory; YAML: its folder). */
  cwd?: string;
  /** Interceptors around every executor call (module specifiers against `cwd`, or built-in names). */
  interceptors?: string[];
}

const usesSchema = z.union([
  z.string().min(1),
  z.custom<ExecutorClass>((v) => typeof v === 'function', 'must be an Executor class or a string'),
]);
const json = z.custom<unknown>(isPlainJson, 'must be plain JSON (it is sent to the worker processes)');

/**
 * The options a Deployment shares with an executor of a Flow come from the one option schema (config/); what
 * differs for a standalone Deployment is tightened or added here.
 */
export const deploymentOptionsSchema = executorOptionsSchema
  .pick({
    usesMetas: true,
    usesRequests: true,
    usesDynamicBatching: true,
    replicas: true,
    shards: true,
    polling: true,
    timeoutSend: true,
    retries: true,
    env: true,
    workspace: true,
    interceptors: true,
  })
  .extend({
    uses: usesSchema,
    name: z
      .string()
      .regex(/^[^/\s]+$/, "must be a name without '/' or spaces")
      .optional(),
    port: z.number().int().min(1).max(65535).optional(),
    host: z.string().min(1).optional(),
    usesWith: z.record(z.string(), json).optional(),
    usesBefore: usesSchema.optional(),
    usesAfter: usesSchema.optional(),
    timeoutReady: z.number().int().min(-1).optional(),
    restart: z
      .union([
        z.literal(false),
        z.strictObject({
          initialDelayMs: z.number().nonnegative().optional(),
          maxDelayMs: z.number().nonnegative().optional(),
          resetAfterMs: z.number().nonnegative().optional(),
        }),
      ])
      .optional(),
    closeTimeoutMs: z.number().nonnegative().optional(),
    cwd: z.string().min(1).optional(),
  })
  .strict();

/** Whether `v` survives a JSON round trip unchanged (no functions, class instances, undefined, NaN). */
function isPlainJson(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isPlainJson);
  if (typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && Object.values(v as object).every(isPlainJson);
}
