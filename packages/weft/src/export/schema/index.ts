/** Schema export: the JSON Schema of Flow and executor YAML, from the option schemas. */
export { executorJsonSchema, flowJsonSchema, weftYamlJsonSchema } from './json-schema.js';
export { schemaExporter } from './schema-exporter.js';
