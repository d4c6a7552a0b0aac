/**
 * Configuration: YAML loading with `${{ ENV.X }}` substitution, the one option schema (Flow, executor, Deployment,
 * executor YAML, gateway with its HTTP options, worker, head), the option table the CLI and docs read, the JSON
 * Schema of the YAML files, and schema errors with file:line. zod loads only when something is validated.
 */
export { decodeRuntimeConfig } from './decode-config.js';
export {
  type DeploymentOptions,
  deploymentSchemas,
  type ParsedDeploymentOptions,
  parseDeploymentOptions,
  parseDeploymentYaml,
} from './deployment-schema.js';
export {
  type ExecutorYaml,
  type ExecutorYamlInput,
  executorYamlFromValue,
  executorYamlSchema,
  parseExecutorYaml,
} from './executor-yaml-schema.js';
export {
  type ExecutorOptionsInput,
  type FlowExecutorOptions,
  type FlowOptions,
  type FlowOptionsInput,
  type FlowYaml,
  flowSchemas,
  parseExecutorOptions,
  parseFlowOptions,
  parseFlowYaml,
} from './flow-schema.js';
export {
  type GatewayConfig,
  type GatewayConfigInput,
  gatewaySchemas,
  HTTP_METHODS,
  type HttpOptionsInput,
  parseGatewayConfig,
  parseHttpProtocolOptions,
} from './gateway-schema.js';
export { deploymentJsonSchema, executorJsonSchema, flowJsonSchema, type JsonSchema } from './json-schema.js';
export { camelKeys, snakeToCamel } from './keys.js';
export {
  camelToSnake,
  flagName,
  OPTIONS,
  type OptionId,
  type OptionSpec,
  type OptionType,
  optionHelp,
  optionKey,
  yamlKey,
} from './option-table.js';
export {
  type HeadConfig,
  type HeadTargetConfig,
  runtimeSchemas,
  validateHeadConfig,
  validateWorkerConfig,
  type WorkerConfig,
} from './runtime-schema.js';
export { type ConfigIssue, configErrorFromIssues, configErrorFromZod, issuesOf, validate } from './schema-error.js';
export { isPlainJson } from './schema-parts.js';
export { loadYamlFile, parseYaml, type YamlOptions, type YamlSource } from './yaml-file.js';
