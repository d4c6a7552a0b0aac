/**
 * The Flow's options and those of each executor in it. Code passes camelCase objects (`new Flow({...})`,
 * `.add({...})`); YAML (`jtype: Flow`, Jina's schema) writes the same keys in snake_case, validated by the same
 * field schemas, so types, YAML errors, CLI flags and the JSON Schema come from one place.
 */
import type { z as Z } from 'zod';
import type { ExecutorClass } from '../executor/index.js';
import { gatewaySchemas } from './gateway-schema.js';
import { camelKeys } from './keys.js';
import { configErrorFromIssues, issuesOf, validate } from './schema-error.js';
import { described as d, parts, snakeCased } from './schema-parts.js';
import type { YamlSource } from './yaml-file.js';
import { lazy, zod } from './zod-lib.js';

export const flowSchemas = lazy(() => {
  const z = zod();
  const { polling, protocol, port, batching, env, uses, hook, telemetry, auth, internalTls } = parts();
  const { exposeEndpoints, limits } = gatewaySchemas();
  /** Options of one executor in a Flow (`.add({...})` or an entry of `executors:`). */
  const executor = z.strictObject({
    name: d('name', z.string().min(1)).optional(),
    uses: d('uses', uses as Z.ZodType<string | ExecutorClass>).optional(),
    usesWith: d('usesWith', z.record(z.string(), z.unknown())).optional(),
    usesMetas: d('usesMetas', z.record(z.string(), z.unknown())).optional(),
    usesRequests: d('usesRequests', z.record(z.string(), z.string())).optional(),
    usesDynamicBatching: d('usesDynamicBatching', z.record(z.string(), batching)).optional(),
    replicas: d('replicas', z.number().int().positive()).optional(),
    shards: d('shards', z.number().int().positive()).optional(),
    polling: d('polling', polling).optional(),
    needs: d('needs', z.union([z.string(), z.array(z.string())])).optional(),
    when: d('when', z.record(z.string(), z.unknown())).optional(),
    usesBefore: d('usesBefore', z.string()).optional(),
    usesAfter: d('usesAfter', z.string()).optional(),
    floating: d('floating', z.boolean()).optional(),
    external: d('external', z.boolean()).optional(),
    host: d('host', z.union([z.string(), z.array(z.string())])).optional(),
    port: d('port', z.union([port, z.array(port)])).optional(),
    timeoutSend: d('timeoutSend', z.number().nonnegative()).optional(),
    timeoutReady: d('timeoutReady', z.number().int().min(-1)).optional(),
    retries: d('retries', z.number().int().min(-1)).optional(),
    env: d('env', env).optional(),
    workspace: d('workspace', z.string()).optional(),
    noReduce: d('noReduce', z.boolean()).optional(),
    interceptors: d('interceptors', z.array(hook)).optional(),
    ...telemetry,
    monitoring: d('monitoring', z.boolean()).optional(),
    portMonitoring: d('portMonitoring', port).optional(),
    // --- deployment (read by `weft export`; a local Flow ignores them) ---
    image: d('image', z.string().min(1)).optional(),
    stateful: d('stateful', z.boolean()).optional(),
    resources: d(
      'resources',
      z.strictObject({
        requests: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
        limits: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
      }),
    ).optional(),
    gpus: d('gpus', z.number().int().nonnegative()).optional(),
  });
  /** Flow-level and gateway options (`new Flow({...})` or YAML `with:`). */
  const flow = z.strictObject({
    name: d('name', z.string()).optional(),
    protocol: d('protocol', z.union([protocol, z.array(protocol).min(1)])).optional(),
    port: d('port', z.union([port, z.array(port).min(1)])).optional(),
    host: d('host', z.string()).optional(),
    workspace: d('workspace', z.string()).optional(),
    prefetch: d('prefetch', z.number().int().nonnegative()).optional(),
    container: d('container', z.enum(['podman', 'docker'])).optional(),
    timeoutSend: d('timeoutSend', z.number().nonnegative()).optional(),
    timeoutReady: d('timeoutReady', z.number().int().min(-1)).optional(),
    retries: d('retries', z.number().int().min(-1)).optional(),
    env: d('env', env).optional(),
    cors: d('cors', z.boolean()).optional(),
    title: d('title', z.string()).optional(),
    description: d('description', z.string()).optional(),
    noDebugEndpoints: d('noDebugEndpoints', z.boolean()).optional(),
    noCrudEndpoints: d('noCrudEndpoints', z.boolean()).optional(),
    exposeEndpoints: d('exposeEndpoints', exposeEndpoints).optional(),
    exposeGraphqlEndpoint: d('exposeGraphqlEndpoint', z.boolean()).optional(),
    maxMessageBytes: d('maxMessageBytes', z.number().int().positive()).optional(),
    limits: d('limits', limits).optional(),
    sslCertfile: d('sslCertfile', z.string().min(1)).optional(),
    sslKeyfile: d('sslKeyfile', z.string().min(1)).optional(),
    auth: d('auth', auth).optional(),
    internalTls: d('internalTls', internalTls).optional(),
    interceptors: d('interceptors', z.array(hook)).optional(),
    httpPlugins: d('httpPlugins', z.array(hook)).optional(),
    staticFolder: d('staticFolder', z.string().min(1)).optional(),
    staticPrefix: d('staticPrefix', z.string().startsWith('/')).optional(),
    accessLog: d('accessLog', z.boolean()).optional(),
    ...telemetry,
    monitoring: d('monitoring', z.boolean()).optional(),
    portMonitoring: d('portMonitoring', port).optional(),
  });
  const version = z.union([z.string(), z.number()]);
  /** A Flow YAML file as written (snake_case keys). */
  const yaml = z.strictObject({
    jtype: z.literal('Flow', { error: "must be 'Flow'" }),
    version: version.optional(),
    with: snakeCased(flow).optional(),
    gateway: snakeCased(flow).optional(),
    executors: z.array(snakeCased(executor)).optional(),
  });
  return { executor, flow, yaml };
});

type FlowSchemas = ReturnType<typeof flowSchemas>;
/** Options of `.add()` as written in code. */
export type ExecutorOptionsInput = Z.input<FlowSchemas['executor']>;
/** Options of an executor of a Flow, validated. */
export type FlowExecutorOptions = Z.output<FlowSchemas['executor']>;
/** Options of `new Flow()` as written in code. */
export type FlowOptionsInput = Z.input<FlowSchemas['flow']>;
/** Flow options, validated. */
export type FlowOptions = Z.output<FlowSchemas['flow']>;

/** Validate `.add()` options from code (camelCase). */
export function parseExecutorOptions(options: unknown, label = 'Flow.add()'): FlowExecutorOptions {
  return validate(flowSchemas().executor, options ?? {}, `${label} options`);
}

/** Validate `new Flow()` options from code (camelCase). */
export function parseFlowOptions(options: unknown): FlowOptions {
  return validate(flowSchemas().flow, options ?? {}, 'Flow options');
}

export interface FlowYaml {
  options: FlowOptions;
  executors: FlowExecutorOptions[];
}

/** Validate a parsed Flow YAML (snake_case keys); errors name file, line and the key as written. */
export function parseFlowYaml(source: YamlSource): FlowYaml {
  const r = flowSchemas().yaml.safeParse(source.value);
  if (!r.success) throw configErrorFromIssues(issuesOf(r.error), source, 'Flow YAML');
  const top = r.data as { with?: object; gateway?: object; executors?: object[] };
  const options = camelKeys({ ...top.gateway, ...top.with }) as FlowOptions;
  const executors = (top.executors ?? []).map((e) => camelKeys(e as Record<string, unknown>) as FlowExecutorOptions);
  return { options, executors };
}
