/**
 * The executor YAML schema (Jina's, plus `modules:` for TypeScript/JavaScript sources):
 *
 *   jtype: MyExec                # class name (exported by one of `modules`, or registered/built-in)
 *   modules: [./my-exec.ts]      # files to import, relative to the YAML file (Jina: py_modules)
 *   with: { greeting: hi }       # constructor options (usesWith)
 *   metas: { name: greeter, description: … }
 *   requests: { /hello: greet }  # endpoint → method remapping
 *   dynamic_batching: { /encode: { preferred_batch_size: 16, timeout: 5 } }
 */
import { z } from 'zod';
import { configErrorFromZod, type YamlSource } from '../config/index.js';
import type { DynamicBatchingConfig } from './endpoint-table.js';

const batching = z
  .object({
    preferred_batch_size: z.number().int().positive().optional(),
    preferredBatchSize: z.number().int().positive().optional(),
    timeout: z.number().nonnegative().optional(),
    timeoutMs: z.number().nonnegative().optional(),
  })
  .strict()
  .refine((b) => b.preferred_batch_size !== undefined || b.preferredBatchSize !== undefined, {
    message: 'needs preferred_batch_size',
  });

export const executorYamlSchema = z
  .object({
    jtype: z.string().min(1, 'jtype names the executor class'),
    modules: z.array(z.string()).optional(),
    py_modules: z.array(z.string()).optional(),
    with: z.record(z.string(), z.unknown()).optional(),
    metas: z
      .object({ name: z.string().optional(), description: z.string().optional(), workspace: z.string().optional() })
      .passthrough()
      .optional(),
    requests: z.record(z.string(), z.string()).optional(),
    dynamic_batching: z.record(z.string(), batching).optional(),
    uses_dynamic_batching: z.record(z.string(), batching).optional(),
  })
  .strict();

export interface ExecutorYaml {
  jtype: string;
  modules: string[];
  with: Record<string, unknown>;
  metas: { name?: string; description?: string; workspace?: string };
  requests: Record<string, string>;
  dynamicBatching: Record<string, DynamicBatchingConfig>;
}

/** Validate a parsed executor YAML; errors name file, line and key. */
export function parseExecutorYaml(source: YamlSource): ExecutorYaml {
  const r = executorYamlSchema.safeParse(source.value);
  if (!r.success) throw configErrorFromZod(r.error, source, 'executor YAML');
  const y = r.data;
  const dynamicBatching: Record<string, DynamicBatchingConfig> = {};
  for (const [endpoint, b] of Object.entries({ ...y.uses_dynamic_batching, ...y.dynamic_batching })) {
    const timeoutMs = b.timeoutMs ?? b.timeout;
    dynamicBatching[endpoint] = {
      preferredBatchSize: (b.preferredBatchSize ?? b.preferred_batch_size) as number,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    };
  }
  return {
    jtype: y.jtype,
    modules: [...(y.modules ?? []), ...(y.py_modules ?? []).filter((m) => !m.endsWith('.py'))],
    with: y.with ?? {},
    metas: y.metas ?? {},
    requests: y.requests ?? {},
    dynamicBatching,
  };
}
