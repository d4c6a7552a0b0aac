/**
 * The JSON Schema of weft's YAML files (a Flow: `jtype: Flow`; otherwise an executor YAML), for editors to validate
 * and complete them (`# yaml-language-server: $schema=…`). Generated with zod 4's `z.toJSONSchema` from the option
 * schemas in config/ — `yamlSchemaSources()` is the one place that names them — with option keys in the YAML's
 * snake_case.
 */
import { z } from 'zod';
import { executorOptionsSchema, flowOptionsSchema } from '../../config/index.js';
import { executorYamlSchema } from '../../executor/index.js';

type Json = Record<string, unknown>;

/** The schemas the YAML files are checked against (swap here when the option schemas move). */
export function yamlSchemaSources(): { flowOptions: z.ZodType; executorOptions: z.ZodType; executorYaml: z.ZodType } {
  return { flowOptions: flowOptionsSchema, executorOptions: executorOptionsSchema, executorYaml: executorYamlSchema };
}

function toJson(schema: z.ZodType): Json {
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  delete out.$schema;
  return out;
}

/** A whole-scalar `${{ ENV.X }}` / `${{ CONTEXT.X }}`, which may stand for any option's value before substitution. */
const SUBSTITUTION: Json = {
  type: 'string',
  pattern: '^\\s*\\$\\{\\{\\s*(ENV|CONTEXT)\\.[A-Za-z_][A-Za-z0-9_]*\\s*\\}\\}\\s*$',
};

/**
 * The option keys of one object schema in snake_case (nested user data such as `uses_with` is left alone), each
 * option also accepting a `${{ ENV.X }}` substitution.
 */
function snakeKeys(schema: Json): Json {
  const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const props = schema.properties as Record<string, unknown> | undefined;
  if (!props) return schema;
  return {
    ...schema,
    properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [snake(k), { anyOf: [v, SUBSTITUTION] }])),
    ...(Array.isArray(schema.required) ? { required: (schema.required as string[]).map(snake) } : {}),
  };
}

/** The JSON Schema of a Flow YAML. */
export function flowJsonSchema(): Json {
  const s = yamlSchemaSources();
  const options = snakeKeys(toJson(s.flowOptions));
  return {
    title: 'weft Flow YAML',
    type: 'object',
    required: ['jtype'],
    properties: {
      jtype: { const: 'Flow' },
      version: { type: ['string', 'number'] },
      with: options,
      gateway: options,
      executors: { type: 'array', items: snakeKeys(toJson(s.executorOptions)) },
    },
    additionalProperties: false,
  };
}

/** The JSON Schema of an executor YAML (`jtype: MyExec`, `modules`, `with`, `metas`, `requests`, …). */
export function executorJsonSchema(): Json {
  return { title: 'weft executor YAML', ...toJson(yamlSchemaSources().executorYaml) };
}

/** One schema for every weft YAML file: a Flow when `jtype` is `Flow`, else an executor YAML. */
export function weftYamlJsonSchema(): Json {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'weft YAML (Flow or executor)',
    $defs: { flow: flowJsonSchema(), executor: executorJsonSchema() },
    if: { properties: { jtype: { const: 'Flow' } }, required: ['jtype'] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else, not a promise
    then: { $ref: '#/$defs/flow' },
    else: { $ref: '#/$defs/executor' },
  };
}
