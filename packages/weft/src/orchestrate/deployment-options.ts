/**
 * The options of a Deployment. They are defined once, in the option schema (config/deployment-schema.ts), which
 * gives the TypeScript types, the YAML validation (`deployment-yaml.ts`: the same keys in snake_case under
 * `with:`), the CLI flags and the JSON Schema.
 */
import type { ExecutorClass } from '../executor/index.js';

export type { DeploymentOptions, ParsedDeploymentOptions } from '../config/index.js';

/** What an executor of a Deployment may be: a class, or a string `resolveUses` understands. */
export type DeploymentUses = ExecutorClass | string;
