/**
 * The building blocks every option schema shares (ports, polling, dynamic batching, `uses`, environment
 * variables, interceptor/plugin references), built once on first use, and `described`, which attaches an option's
 * help from the option table so that it reaches the JSON Schema.
 */
import type { z as Z } from 'zod';
import { OPTIONS, type OptionId } from './option-table.js';
import { lazy, zod } from './zod-lib.js';

/** `schema` with the help text of option `id` as its description (JSON Schema `description`). */
export function described<T extends Z.ZodType>(id: OptionId, schema: T): T {
  return schema.meta({ description: OPTIONS[id].help }) as T;
}

type AnyClass = abstract new (...args: never[]) => unknown;
type AnyFunction = (...args: never[]) => unknown;

export const parts = lazy(() => {
  const z = zod();
  const mode = z.enum(['ANY', 'ALL', 'any', 'all']).transform((v) => v.toUpperCase() as 'ANY' | 'ALL');
  const polling = z.union([mode, z.record(z.string(), mode)]);
  const protocol = z
    .enum(['grpc', 'http', 'websocket', 'GRPC', 'HTTP', 'WEBSOCKET'])
    .transform((v) => v.toLowerCase() as 'grpc' | 'http' | 'websocket');
  /** 0 picks a free port (everywhere: executors, Deployments, gateways, the CLI). */
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
  const env = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));
  const uses = z.union([
    z.string().min(1),
    z.custom<AnyClass>((v) => typeof v === 'function', 'must be an Executor class or a string'),
  ]);
  /** An interceptor or HTTP plugin: a module to import (YAML, CLI), or the function itself (code). */
  const hook = z.union([
    z.string().min(1),
    z.custom<AnyFunction>((v) => typeof v === 'function', 'must be a module name or a function'),
  ]);
  /** Logs and OpenTelemetry (`observability/tracing/settings.ts` carries them to the runtime processes). */
  const telemetry = {
    logLevel: described('logLevel', z.enum(['error', 'warn', 'info', 'debug'])).optional(),
    tracing: described('tracing', z.boolean()).optional(),
    tracesExporterHost: described('tracesExporterHost', z.string().min(1)).optional(),
    tracesExporterPort: described('tracesExporterPort', port).optional(),
    metrics: described('metrics', z.boolean()).optional(),
    metricsExporterHost: described('metricsExporterHost', z.string().min(1)).optional(),
    metricsExporterPort: described('metricsExporterPort', port).optional(),
  };
  const plainJson = z.custom<unknown>(isPlainJson, 'must be plain JSON (it is sent to the worker processes)');
  return { mode, polling, protocol, port, batching, env, uses, hook, plainJson, telemetry };
});

/** Whether `v` survives a JSON round trip unchanged (no functions, class instances, undefined, NaN). */
export function isPlainJson(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isPlainJson);
  if (typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && Object.values(v as object).every(isPlainJson);
}

/** The same object schema with snake_case keys (how YAML writes options); values are validated alike. */
export function snakeCased(schema: Z.ZodObject): Z.ZodObject {
  const z = zod();
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]),
  );
  return z.strictObject(shape as Z.ZodRawShape);
}
