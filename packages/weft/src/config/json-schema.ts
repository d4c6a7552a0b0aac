/**
 * The JSON Schema of weft's YAML files, derived from the option schemas (zod's `toJSONSchema`), for editors and
 * `weft export schema`. YAML may write `${{ ENV.X }}` for any value, so wherever a number or a boolean is expected
 * such an expression string is accepted too. Options only code can pass (an Executor class, a function) become
 * unconstrained in the JSON Schema.
 */
import type { z as Z } from 'zod';
import { deploymentSchemas } from './deployment-schema.js';
import { executorYamlSchema } from './executor-yaml-schema.js';
import { flowSchemas } from './flow-schema.js';
import { zod } from './zod-lib.js';

export type JsonSchema = Record<string, unknown>;

/** A `${{ ENV.X }}` / `${{ CONTEXT.X }}` expression, substituted when the file is loaded. */
const EXPRESSION = {
  type: 'string',
  pattern: '^\\s*\\$\\{\\{\\s*(ENV|CONTEXT)\\.[A-Za-z_][A-Za-z0-9_]*\\s*\\}\\}\\s*$',
};

function toJsonSchema(schema: Z.ZodType, title: string): JsonSchema {
  const json = zod().toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-7' });
  return { ...(allowExpressions(json) as JsonSchema), title };
}

/** Wherever a schema asks for a number, integer or boolean, an expression string is fine too. */
function allowExpressions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowExpressions);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'enum' || k === 'const' ? v : allowExpressions(v);
  const type = out.type;
  if (type !== 'number' && type !== 'integer' && type !== 'boolean') return out;
  const { description, ...value } = out; // the description stays on the option, for editors to show
  return { anyOf: [value, EXPRESSION], ...(description !== undefined ? { description } : {}) };
}

/**
 * The JSON Schema of a Flow YAML (`jtype: Flow`).
 * @example writeFileSync('flow.schema.json', JSON.stringify(flowJsonSchema(), null, 2))
 */
export function flowJsonSchema(): JsonSchema {
  return toJsonSchema(flowSchemas().yaml, 'weft Flow YAML');
}

/** The JSON Schema of an executor YAML (`jtype: MyExec`, `modules:`, `with:`, …). */
export function executorJsonSchema(): JsonSchema {
  return toJsonSchema(executorYamlSchema(), 'weft executor YAML');
}

/** The JSON Schema of a Deployment YAML (`jtype: Deployment`, options under `with:`). */
export function deploymentJsonSchema(): JsonSchema {
  return toJsonSchema(deploymentSchemas().yaml, 'weft Deployment YAML');
}
