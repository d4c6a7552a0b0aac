/** `weft export kubernetes flow.yml OUT_DIR`: the Flow's Kubernetes manifests, one file per executor + gateway. */
import { planExport } from '../deploy-plan.js';
import { resolveExportOptions } from '../export-options.js';
import type { Exporter } from '../exporter.js';
import { checkDirTarget, writeDirAtomic } from '../write-output.js';
import { kubernetesManifests, manifestYaml } from './kubernetes-manifests.js';

export const kubernetesExporter: Exporter = {
  name: 'kubernetes',
  summary: 'a folder of Kubernetes manifests: ConfigMap, Service, Deployment/StatefulSet per executor, the gateway',
  needsFlow: true,
  target: 'folder',
  async export(spec, target, options) {
    if (!spec || !target) throw new TypeError('kubernetes export needs a Flow and an output folder');
    checkDirTarget(target); // before planning: a full folder is refused even when the Flow is fine
    const plan = await planExport(spec, resolveExportOptions(options));
    const files = new Map([...kubernetesManifests(plan)].map(([name, objects]) => [name, manifestYaml(objects)]));
    const dir = writeDirAtomic(target, files);
    return { files: [...files.keys()].map((f) => `${dir}/${f}`) };
  },
};
