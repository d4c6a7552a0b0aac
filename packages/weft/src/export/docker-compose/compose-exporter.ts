/** `weft export docker-compose flow.yml docker-compose.yml`: the Flow as one compose file. */
import { planExport } from '../deploy-plan.js';
import { resolveExportOptions } from '../export-options.js';
import type { Exporter } from '../exporter.js';
import { checkFileTarget, GENERATED_HEADER, writeFileAtomic } from '../write-output.js';
import { composeYaml } from './compose-file.js';

export const dockerComposeExporter: Exporter = {
  name: 'docker-compose',
  summary: 'one docker-compose file: a service per replica, shard and head, and the gateway',
  needsFlow: true,
  target: 'file',
  async export(spec, target, options) {
    if (!spec || !target) throw new TypeError('docker-compose export needs a Flow and an output file');
    checkFileTarget(target);
    const plan = await planExport(spec, resolveExportOptions(options));
    return { files: [writeFileAtomic(target, `${GENERATED_HEADER}\n${composeYaml(plan)}`)] };
  },
};
