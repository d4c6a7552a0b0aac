/**
 * The executor YAML (Jina's, plus `modules:` for TypeScript/JavaScript sources):
 *
 *   jtype: MyExec                # class name (exported by one of `modules`, or registered/built-in)
 *   modules: [./my-exec.ts]      # files to import, relative to the YAML file (Jina: py_modules)
 *   with: { greeting: hi }       # constructor options (usesWith)
 *   metas: { name: greeter, description: … }
 *   requests: { /hello: greet }  # endpoint → method remapping
 *   dynamic_batching: { /encode: { preferred_batch_size: 16, timeout: 5 } }
 *
 * `parseExecutorYaml` validates (zod, in the process that builds a Deployment or Flow) and normalizes;
 * `executorYamlFromValue` only normalizes, for a worker process whose parent validated the same file.
 */
import type { z as Z } from 'zod';
import type { DynamicBatchingConfig } from '../executor/index.js';
import { configErrorFromIssues, issuesOf } from './schema-error.js';
import { parts } from './schema-parts.js';
import type { YamlSource } from './yaml-file.js';
import { lazy, zod } from './zod-lib.js';

export const executorYamlSchema = lazy(() => {
  const z = zod();
  const { batching } = parts();
  return z.strictObject({
    jtype: z.string().min(1, 'jtype names the executor class').meta({
      description: 'the executor class: exported by one of modules, or a registered or built-in name',
    }),
    modules: z.array(z.string()).optional().meta({ description: 'files to import, relative to this YAML file' }),
    py_modules: z.array(z.string()).optional().meta({ description: "Jina's modules; .py files are skipped" }),
    with: z.record(z.string(), z.unknown()).optional().meta({ description: 'constructor options' }),
    metas: z
      .looseObject({
        name: z.string().optional(),
        description: z.string().optional(),
        workspace: z.string().optional(),
      })
      .optional(),
    requests: z.record(z.string(), z.string()).optional().meta({ description: 'endpoint → method remapping' }),
    dynamic_batching: z.record(z.string(), batching).optional(),
    uses_dynamic_batching: z.record(z.string(), batching).optional(),
  });
});

export type ExecutorYamlInput = Z.input<ReturnType<typeof executorYamlSchema>>;

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
  const r = executorYamlSchema().safeParse(source.value);
  if (!r.success) throw configErrorFromIssues(issuesOf(r.error), source, 'executor YAML');
  return executorYamlFromValue(source.value);
}

type Batching = { preferred_batch_size?: number; preferredBatchSize?: number; timeout?: number; timeoutMs?: number };

/** The executor YAML's normalized form, without validating it (its parent process did). */
export function executorYamlFromValue(value: unknown): ExecutorYaml {
  const y = value as ExecutorYamlInput;
  const dynamicBatching: Record<string, DynamicBatchingConfig> = {};
  const batching = { ...y.uses_dynamic_batching, ...y.dynamic_batching } as Record<string, Batching>;
  for (const [endpoint, b] of Object.entries(batching)) {
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
    metas: (y.metas ?? {}) as ExecutorYaml['metas'],
    requests: y.requests ?? {},
    dynamicBatching,
  };
}
