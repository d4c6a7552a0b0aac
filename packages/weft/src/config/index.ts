/** Configuration: YAML loading with `${{ ENV.X }}` substitution, the option schemas, and schema errors with file:line. */
export {
  type ExecutorOptionsInput,
  executorOptionsSchema,
  type FlowExecutorOptions,
  type FlowOptions,
  type FlowYaml,
  flowOptionsSchema,
  parseExecutorOptions,
  parseFlowOptions,
  parseFlowYaml,
} from './flow-schema.js';
export { camelKeys, snakeToCamel } from './keys.js';
export { type ConfigIssue, configErrorFromIssues, configErrorFromZod } from './schema-error.js';
export { loadYamlFile, parseYaml, type YamlOptions, type YamlSource } from './yaml-file.js';
