/** `weft export schema [weft.schema.json]`: the JSON Schema of weft's Flow and executor YAML (stdout without a file). */
import type { Exporter } from '../exporter.js';
import { writeFileAtomic } from '../write-output.js';
import { weftYamlJsonSchema } from './json-schema.js';

export const schemaExporter: Exporter = {
  name: 'schema',
  summary: 'the JSON Schema of Flow and executor YAML, for editors (stdout, or a .json file)',
  needsFlow: false,
  target: 'optional-file',
  async export(_spec, target) {
    const text = `${JSON.stringify(weftYamlJsonSchema(), null, 2)}\n`;
    if (target === undefined) return { files: [], text };
    // JSON has no comments: the schema's own title marks the file as weft's
    return { files: [writeFileAtomic(target, text, { ours: (t) => t.includes('"weft YAML (Flow or executor)"') })] };
  },
};
