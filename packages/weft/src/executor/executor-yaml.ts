/**
 * Reading an executor YAML for `uses`: validated against the one schema (config/executor-yaml-schema.ts), or,
 * in a worker process whose parent validated the file already, only decoded (so the worker never loads zod).
 */
import {
  type ExecutorYaml,
  executorYamlFromValue,
  parseExecutorYaml as validated,
  type YamlSource,
} from '../config/index.js';

export type { ExecutorYaml };

/** The executor YAML of `source`; `validate: false` trusts that it was validated (by the parent process). */
export function parseExecutorYaml(source: YamlSource, options: { validate?: boolean } = {}): ExecutorYaml {
  return options.validate === false ? executorYamlFromValue(source.value) : validated(source);
}
