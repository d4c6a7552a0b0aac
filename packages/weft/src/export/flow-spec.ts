/**
 * What an exporter reads: a Flow's options, its executors (names filled in), its routing graph and the folder its
 * relative `uses` paths resolve against. `flowSpecFromFile` loads it from a Flow YAML (errors name file and line);
 * `Flow#toKubernetesYaml` and friends pass their own.
 */
import { dirname, resolve } from 'node:path';
import type { FlowExecutorOptions, FlowOptions } from '../config/index.js';
import { Flow } from '../orchestrate/index.js';
import type { GraphDescription } from '../runtime/gateway/index.js';

export interface FlowSpec {
  options: FlowOptions;
  executors: readonly (FlowExecutorOptions & { name: string })[];
  graph: GraphDescription;
  /** The Flow's folder: relative `uses` resolve against it, and it is the project an image is built from. */
  cwd: string;
}

/**
 * Load a Flow YAML for export (`${{ ENV.X }}` from `env`, default process.env).
 * @example const spec = flowSpecFromFile('flow.yml')
 */
export function flowSpecFromFile(file: string, env?: Record<string, string | undefined>): FlowSpec {
  const path = resolve(file);
  const flow = Flow.load(path, env ? { env } : {});
  return { options: flow.options, executors: flow.executors, graph: flow.graph, cwd: dirname(path) };
}
