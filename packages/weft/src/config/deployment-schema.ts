/**
 * The options of a Deployment (`new Deployment({...})`, or a `jtype: Deployment` YAML with the same keys in
 * snake_case under `with:`): the options an executor of a Flow has, tightened where a standalone Deployment needs
 * it (a name without '/', constructor options that are plain JSON because they travel to the worker processes),
 * plus its own (restart policy, close timeout, cwd).
 */
import type { z as Z } from 'zod';
import type { DynamicBatchingConfig, ExecutorClass, ExecutorMetas } from '../executor/index.js';
import { flowSchemas } from './flow-schema.js';
import { camelKeys } from './keys.js';
import { configErrorFromIssues, issuesOf, validate } from './schema-error.js';
import { described as d, parts, snakeCased } from './schema-parts.js';
import type { YamlSource } from './yaml-file.js';
import { lazy, zod } from './zod-lib.js';

export const deploymentSchemas = lazy(() => {
  const z = zod();
  const { uses, plainJson, port } = parts();
  const executorUses = uses as Z.ZodType<string | ExecutorClass>;
  const options = flowSchemas()
    .executor.pick({
      usesRequests: true,
      usesDynamicBatching: true,
      replicas: true,
      shards: true,
      polling: true,
      timeoutSend: true,
      timeoutReady: true,
      retries: true,
      env: true,
      workspace: true,
      interceptors: true,
      logLevel: true,
      tracing: true,
      tracesExporterHost: true,
      tracesExporterPort: true,
      metrics: true,
      metricsExporterHost: true,
      metricsExporterPort: true,
      monitoring: true,
      portMonitoring: true,
    })
    .extend({
      uses: d('uses', executorUses),
      name: d('name', z.string().regex(/^[^/\s]+$/, "must be a name without '/' or spaces")).optional(),
      port: d('port', port).optional(),
      host: d('host', z.string().min(1)).optional(),
      usesWith: d('usesWith', z.record(z.string(), plainJson)).optional(),
      usesMetas: d('usesMetas', z.record(z.string(), z.unknown()) as Z.ZodType<ExecutorMetas>).optional(),
      usesBefore: d('usesBefore', executorUses).optional(),
      usesAfter: d('usesAfter', executorUses).optional(),
      restart: d(
        'restart',
        z.union([
          z.literal(false),
          z.strictObject({
            initialDelayMs: z.number().nonnegative().optional(),
            maxDelayMs: z.number().nonnegative().optional(),
            resetAfterMs: z.number().nonnegative().optional(),
          }),
        ]),
      ).optional(),
      closeTimeoutMs: d('closeTimeoutMs', z.number().nonnegative()).optional(),
      cwd: d('cwd', z.string().min(1)).optional(),
      container: d('container', z.enum(['podman', 'docker'])).optional(),
      /** Internal TLS: every runtime serves TLS with these files; the head and the Deployment's client trust cafile. */
      internalTls: d(
        'internalTls',
        z.strictObject({ certfile: z.string().min(1), keyfile: z.string().min(1), cafile: z.string().min(1) }),
      ).optional(),
    });
  /** A Deployment YAML file as written (snake_case keys). */
  const yaml = z.strictObject({
    jtype: z.literal('Deployment', { error: "must be 'Deployment'" }),
    version: z.union([z.string(), z.number()]).optional(),
    with: snakeCased(options),
  });
  return { options, yaml };
});

type DeploymentSchemas = ReturnType<typeof deploymentSchemas>;
/** The options of a Deployment as written in code (`new Deployment({...})`). */
export type DeploymentOptions = Z.input<DeploymentSchemas['options']>;
/** The options of a Deployment, validated (`uses_dynamic_batching` in either spelling becomes camelCase). */
export type ParsedDeploymentOptions = Omit<Z.output<DeploymentSchemas['options']>, 'usesDynamicBatching'> & {
  usesDynamicBatching?: Record<string, DynamicBatchingConfig>;
};

/** Validate Deployment options from code (camelCase). */
export function parseDeploymentOptions(options: unknown): ParsedDeploymentOptions {
  return validate(deploymentSchemas().options, options, 'Deployment options') as ParsedDeploymentOptions;
}

/** Validate a parsed Deployment YAML (snake_case keys); errors name `what`, file, line and the key as written. */
export function parseDeploymentYaml(source: YamlSource, what = 'Deployment YAML'): ParsedDeploymentOptions {
  const r = deploymentSchemas().yaml.safeParse(source.value);
  if (!r.success) throw configErrorFromIssues(issuesOf(r.error), source, what);
  return camelKeys(r.data.with as Record<string, unknown>) as ParsedDeploymentOptions;
}
