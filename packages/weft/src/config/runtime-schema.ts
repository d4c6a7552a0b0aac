/**
 * The configuration of a worker and of a head process: what a Deployment computes (`orchestrate/deployment-plan.ts`)
 * and passes to each process as JSON. The Deployment validates it here before forking; the process only decodes it
 * (`runtime/worker/worker-config.ts`, `runtime/head/head-config.ts`) and never loads zod.
 */
import type { z as Z } from 'zod';
import type { ExecutorMetas, RuntimeArgs } from '../executor/index.js';
import { validate } from './schema-error.js';
import { described as d, parts } from './schema-parts.js';
import { lazy, zod } from './zod-lib.js';

export const runtimeSchemas = lazy(() => {
  const z = zod();
  const { port } = parts();
  const nativePort = z
    .union([port, z.literal(false)])
    .meta({ description: 'port of the native transport for other weft runtimes (0: a free one; false: none)' });
  const maxMessageBytes = d('maxMessageBytes', z.number().int().min(-1));
  const shutdownGraceMs = z.number().nonnegative().meta({ description: 'grace period of the shutdown on SIGTERM, ms' });
  /** Internal TLS: the runtime serves TLS with certfile + keyfile (and no native port); a head's clients trust cafile. */
  const tls = z
    .strictObject({ certfile: z.string().min(1), keyfile: z.string().min(1), cafile: z.string().min(1) })
    .meta({ description: 'internal TLS: certificate, key and the CA of the next hops (PEM files)' });
  const monitoring = d('monitoring', z.boolean());
  const portMonitoring = d('portMonitoring', port);
  const batching = z.strictObject({
    preferredBatchSize: z.number().int().positive(),
    timeoutMs: z.number().nonnegative().optional(),
  });
  const worker = z.strictObject({
    uses: z.union([
      z.string().min(1),
      z.strictObject({
        module: z.string().min(1),
        exportName: z.string().min(1),
        capture: z.boolean().optional(),
        modules: z.array(z.string().min(1)).optional(),
      }),
    ]),
    usesWith: d('usesWith', z.record(z.string(), z.unknown())).optional(),
    metas: (
      z.looseObject({ name: z.string().optional(), description: z.string().optional() }) as Z.ZodType<ExecutorMetas>
    ).optional(),
    requests: d('usesRequests', z.record(z.string(), z.string())).optional(),
    dynamicBatching: d('usesDynamicBatching', z.record(z.string(), batching)).optional(),
    runtimeArgs: (
      z
        .strictObject({
          name: z.string(),
          replicas: z.number().int().positive(),
          shards: z.number().int().positive(),
          shardId: z.number().int().nonnegative(),
          workspace: z.string(),
        })
        .partial() as Z.ZodType<Partial<RuntimeArgs>>
    ).optional(),
    name: d('name', z.string().min(1)),
    host: d('host', z.string().min(1)).optional(),
    port: d('port', port),
    nativePort: nativePort.optional(),
    maxMessageBytes: maxMessageBytes.optional(),
    cwd: d('cwd', z.string()).optional(),
    shutdownGraceMs: shutdownGraceMs.optional(),
    /** Module names of `(ctx, next)` interceptors around every executor call (resolved against `cwd`). */
    interceptors: d('interceptors', z.array(z.string().min(1))).optional(),
    tls: tls.optional(),
    monitoring: monitoring.optional(),
    portMonitoring: portMonitoring.optional(),
  });
  const mode = z.enum(['ANY', 'ALL', 'any', 'all']);
  const target = z.strictObject({
    name: z.string().min(1),
    replicas: z.array(z.strictObject({ address: z.string().min(1), name: z.string().min(1).optional() })).min(1),
  });
  const head = z.strictObject({
    name: d('name', z.string().min(1)),
    deployment: z.string().min(1),
    host: d('host', z.string().min(1)).optional(),
    port: d('port', port),
    nativePort: nativePort.optional(),
    shards: z.array(target).min(1),
    polling: d('polling', z.union([mode, z.record(z.string(), mode)])).optional(),
    usesBefore: target.optional(),
    usesAfter: target.optional(),
    retries: d('retries', z.number().int().min(-1)).optional(),
    timeoutSend: d('timeoutSend', z.number().positive()).optional(),
    strategy: z.string().min(1).optional(),
    maxMessageBytes: maxMessageBytes.optional(),
    shutdownGraceMs: shutdownGraceMs.optional(),
    tls: tls.optional(),
    monitoring: monitoring.optional(),
    portMonitoring: portMonitoring.optional(),
  });
  return { worker, head };
});

type RuntimeSchemas = ReturnType<typeof runtimeSchemas>;
/** The configuration of one worker process. */
export type WorkerConfig = Z.output<RuntimeSchemas['worker']>;
/** The configuration of one head process. */
export type HeadConfig = Z.output<RuntimeSchemas['head']>;
/** A set of replicas a head talks to (one shard, or the uses_before/uses_after executor). */
export type HeadTargetConfig = HeadConfig['shards'][number];

/** Validate a worker configuration (as a Deployment or `weft executor` builds it). */
export function validateWorkerConfig(config: unknown): WorkerConfig {
  return validate(runtimeSchemas().worker, config, 'worker configuration');
}

/** Validate a head configuration (as a Deployment builds it). */
export function validateHeadConfig(config: unknown): HeadConfig {
  return validate(runtimeSchemas().head, config, 'head configuration');
}
