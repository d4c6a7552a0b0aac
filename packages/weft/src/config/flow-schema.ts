/**
 * The one schema for Flow, gateway and per-executor options. Code passes camelCase objects; YAML (`jtype: Flow`,
 * Jina's schema) uses snake_case and is converted key by key; both are validated here, so types, YAML errors and
 * (later) CLI flags and JSON Schema come from one place.
 */
import { z } from 'zod';
import type { ConfigError } from '../errors/index.js';
import { camelKeys } from './keys.js';
import { type ConfigIssue, configErrorFromIssues, configErrorFromZod } from './schema-error.js';
import type { YamlSource } from './yaml-file.js';

const polling = z.union([
  z.enum(['ANY', 'ALL', 'any', 'all']).transform((v) => v.toUpperCase() as 'ANY' | 'ALL'),
  z.record(
    z.string(),
    z.enum(['ANY', 'ALL', 'any', 'all']).transform((v) => v.toUpperCase() as 'ANY' | 'ALL'),
  ),
]);
const protocol = z
  .enum(['grpc', 'http', 'websocket', 'GRPC', 'HTTP', 'WEBSOCKET'])
  .transform((v) => v.toLowerCase() as 'grpc' | 'http' | 'websocket');
const port = z.number().int().min(0).max(65535);
/** Dynamic batching of one endpoint, in code's camelCase or Jina's YAML spelling (`preferred_batch_size`, `timeout`). */
const batching = z
  .strictObject({
    preferredBatchSize: z.number().int().positive().optional(),
    preferred_batch_size: z.number().int().positive().optional(),
    timeoutMs: z.number().nonnegative().optional(),
    timeout: z.number().nonnegative().optional(),
  })
  .refine((b) => (b.preferredBatchSize ?? b.preferred_batch_size) !== undefined, {
    message: 'needs preferred_batch_size',
  })
  .transform((b) => {
    const timeoutMs = b.timeoutMs ?? b.timeout;
    return {
      preferredBatchSize: (b.preferredBatchSize ?? b.preferred_batch_size) as number,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    };
  });

/** Options of one executor in a Flow (`.add({...})` or an entry of `executors:`). */
export const executorOptionsSchema = z
  .object({
    name: z.string().min(1).optional(),
    uses: z
      .union([
        z.string().min(1),
        z.custom<abstract new (...a: never[]) => unknown>((v) => typeof v === 'function', 'an Executor class'),
      ])
      .optional(),
    usesWith: z.record(z.string(), z.unknown()).optional(),
    usesMetas: z.record(z.string(), z.unknown()).optional(),
    usesRequests: z.record(z.string(), z.string()).optional(),
    usesDynamicBatching: z.record(z.string(), batching).optional(),
    replicas: z.number().int().positive().optional(),
    shards: z.number().int().positive().optional(),
    polling: polling.optional(),
    needs: z.union([z.string(), z.array(z.string())]).optional(),
    when: z.record(z.string(), z.unknown()).optional(),
    usesBefore: z.string().optional(),
    usesAfter: z.string().optional(),
    floating: z.boolean().optional(),
    external: z.boolean().optional(),
    host: z.union([z.string(), z.array(z.string())]).optional(),
    port: z.union([port, z.array(port)]).optional(),
    timeoutSend: z.number().nonnegative().optional(),
    timeoutReady: z.number().nonnegative().optional(),
    retries: z.number().int().min(-1).optional(),
    env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
    workspace: z.string().optional(),
    noReduce: z.boolean().optional(),
    // --- deployment (read by `weft export`; a local Flow ignores them) ---
    /** Container image of this executor in an export (default: the export's `--image`). */
    image: z.string().min(1).optional(),
    /** Whether the executor keeps state on disk (a StatefulSet / named volume in an export); default: see export. */
    stateful: z.boolean().optional(),
    /** Kubernetes-style resources of each replica, e.g. `{ requests: { cpu: '500m', memory: 1Gi }, limits: … }`. */
    resources: z
      .strictObject({
        requests: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
        limits: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
      })
      .optional(),
    /** GPUs per replica (`nvidia.com/gpu` in Kubernetes, a device reservation in compose). */
    gpus: z.number().int().nonnegative().optional(),
  })
  .strict();

/** Flow-level and gateway options (`new Flow({...})` or YAML `with:`). */
export const flowOptionsSchema = z
  .object({
    name: z.string().optional(),
    protocol: z.union([protocol, z.array(protocol).min(1)]).optional(),
    port: z.union([port, z.array(port).min(1)]).optional(),
    host: z.string().optional(),
    workspace: z.string().optional(),
    prefetch: z.number().int().nonnegative().optional(),
    timeoutSend: z.number().nonnegative().optional(),
    timeoutReady: z.number().nonnegative().optional(),
    retries: z.number().int().min(-1).optional(),
    env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
    cors: z.boolean().optional(),
    title: z.string().optional(),
    description: z.string().optional(),
    noDebugEndpoints: z.boolean().optional(),
    noCrudEndpoints: z.boolean().optional(),
    exposeEndpoints: z.record(z.string(), z.unknown()).optional(),
    exposeGraphqlEndpoint: z.boolean().optional(),
    maxMessageBytes: z.number().int().positive().optional(),
    /** PEM certificate and private key: the gateway serves TLS on every protocol (paths relative to the Flow's folder). */
    sslCertfile: z.string().min(1).optional(),
    sslKeyfile: z.string().min(1).optional(),
  })
  .strict();

export type ExecutorOptionsInput = z.input<typeof executorOptionsSchema>;
export type FlowExecutorOptions = z.output<typeof executorOptionsSchema>;
export type FlowOptions = z.output<typeof flowOptionsSchema>;

/** Validate `.add()` options from code (camelCase). */
export function parseExecutorOptions(options: unknown, label = 'Flow.add()'): FlowExecutorOptions {
  const r = executorOptionsSchema.safeParse(options ?? {});
  if (!r.success) throw configErrorFromZod(r.error, undefined, `${label} options`);
  return r.data;
}

/** Validate `new Flow()` options from code (camelCase). */
export function parseFlowOptions(options: unknown): FlowOptions {
  const r = flowOptionsSchema.safeParse(options ?? {});
  if (!r.success) throw configErrorFromZod(r.error, undefined, 'Flow options');
  return r.data;
}

const flowYamlSchema = z
  .object({
    jtype: z.literal('Flow'),
    version: z.union([z.string(), z.number()]).optional(),
    with: z.record(z.string(), z.unknown()).optional(),
    gateway: z.record(z.string(), z.unknown()).optional(),
    executors: z.array(z.record(z.string(), z.unknown())).optional(),
  })
  .strict();

export interface FlowYaml {
  options: FlowOptions;
  executors: FlowExecutorOptions[];
}

/** Validate a parsed Flow YAML (snake_case keys); errors name file, line and key. */
export function parseFlowYaml(source: YamlSource): FlowYaml {
  const top = flowYamlSchema.safeParse(source.value);
  if (!top.success) throw configErrorFromZod(top.error, source, 'Flow YAML');
  const withOpts = camelKeys({ ...top.data.gateway, ...top.data.with });
  const o = flowOptionsSchema.safeParse(withOpts);
  if (!o.success) throw prefixed(o.error, source, ['with'], 'Flow YAML');
  const executors = (top.data.executors ?? []).map((e, i) => {
    const r = executorOptionsSchema.safeParse(camelKeys(e));
    if (!r.success) throw prefixed(r.error, source, ['executors', i], 'Flow YAML');
    return r.data;
  });
  return { options: o.data, executors };
}

function prefixed(error: z.ZodError, source: YamlSource, prefix: (string | number)[], what: string): ConfigError {
  const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const issues: ConfigIssue[] = error.issues.map((issue) => {
    const [first, ...rest] = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    // report keys as written in the YAML (snake_case)
    const path = [
      ...prefix,
      ...(first === undefined ? [] : [typeof first === 'string' ? snake(first) : first]),
      ...rest,
    ];
    if (issue.code === 'unrecognized_keys') {
      // one unknown key: point at its own line; several: at the mapping holding them
      const keys = issue.keys.map(snake);
      return {
        path: keys.length === 1 ? [...path, keys[0] as string] : path,
        message: `unknown key(s) ${keys.join(', ')}`,
      };
    }
    return { path, message: issue.message };
  });
  return configErrorFromIssues(issues, source, what);
}
