/**
 * The JSON Schema of weft's YAML files (a Flow: `jtype: Flow`; otherwise an executor YAML), for editors to validate
 * and complete them (`# yaml-language-server: $schema=…`). The schemas come from the one option schema in config/
 * (`flowJsonSchema`, `executorJsonSchema`: zod 4's `z.toJSONSchema`, keys in the YAML's snake_case, `${{ ENV.X }}`
 * accepted where a number or boolean is expected); this file combines them into one document.
 */
import { executorJsonSchema, flowJsonSchema } from '../../config/index.js';

export { executorJsonSchema, flowJsonSchema };

type Json = Record<string, unknown>;

/** `schema` without its `$schema` (it becomes a definition inside another document). */
function embedded(schema: Json): Json {
  const { $schema: _, ...rest } = schema;
  return rest;
}

/** One schema for every weft YAML file: a Flow when `jtype` is `Flow`, else an executor YAML. */
export function weftYamlJsonSchema(): Json {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'weft YAML (Flow or executor)',
    $defs: { flow: embedded(flowJsonSchema()), executor: embedded(executorJsonSchema()) },
    if: { properties: { jtype: { const: 'Flow' } }, required: ['jtype'] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else, not a promise
    then: { $ref: '#/$defs/flow' },
    else: { $ref: '#/$defs/executor' },
  };
}
