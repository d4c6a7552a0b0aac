/** Configuration: YAML loading with `${{ ENV.X }}` substitution and schema errors that point at file:line. */
export { configErrorFromZod } from './schema-error.js';
export { loadYamlFile, parseYaml, type YamlOptions, type YamlSource } from './yaml-file.js';
