/**
 * Export: a Flow as Kubernetes manifests, a docker-compose file, a flowchart (SVG or Mermaid), and the JSON Schema
 * of weft's YAML — `weft export …`, `flow.toKubernetesYaml(dir)`, `flow.toDockerCompose(file)`, or `exportFlow()`.
 * Every exporter shares one shape and registry (`exporter.ts`) and one deployment plan (`deploy-plan.ts`), so
 * Kubernetes and compose run the same `weft` commands; output is written all or nothing (`write-output.ts`).
 *
 * @example
 * import { exportFlow } from '@weft-ai/weft/export';
 * await exportFlow('kubernetes', 'flow.yml', 'k8s/', { namespace: 'shop' });
 */
import { dockerComposeExporter } from './docker-compose/index.js';
import type { ExportOptions } from './export-options.js';
import { type ExportResult, registerExporter, resolveExporter } from './exporter.js';
import { type FlowSpec, flowSpecFromFile } from './flow-spec.js';
import { flowchartExporter } from './flowchart/index.js';
import { kubernetesExporter } from './kubernetes/index.js';
import { schemaExporter } from './schema/index.js';

for (const e of [kubernetesExporter, dockerComposeExporter, flowchartExporter, schemaExporter]) registerExporter(e);

/**
 * Export a Flow (its YAML file, or a spec) with the exporter called `format` to `target`.
 * @example await exportFlow('docker-compose', 'flow.yml', 'docker-compose.yml')
 */
export async function exportFlow(
  format: string,
  flow: string | FlowSpec | undefined,
  target: string | undefined,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const exporter = resolveExporter(format);
  const spec = typeof flow === 'string' ? flowSpecFromFile(flow, options.env) : flow;
  return exporter.export(exporter.needsFlow ? spec : undefined, target, options);
}

export { executorArgs } from './commands.js';
export { type ContainerExecutor, containerize } from './containerize.js';
export {
  CONFIG_FILE,
  type DeployPlan,
  dnsLabel,
  type PlannedExecutor,
  type PlannedExternal,
  planExport,
  STATEFUL_BUILTINS,
  WORKSPACE_DIR,
} from './deploy-plan.js';
export { COMPOSE_PORT, composeFile, composeYaml, dockerComposeExporter } from './docker-compose/index.js';
export {
  type ExportOptions,
  type ResolvedExportOptions,
  resolveExportOptions,
  WEFT_IMAGES,
  weftVersion,
} from './export-options.js';
export { type Exporter, type ExportResult, exporterNames, registerExporter, resolveExporter } from './exporter.js';
export { type FlowSpec, flowSpecFromFile } from './flow-spec.js';
export { flowchartExporter, flowDiagram, mermaidSource, svgSource } from './flowchart/index.js';
export { K8S_PORT, kubernetesExporter, kubernetesManifests, manifestYaml } from './kubernetes/index.js';
export { executorJsonSchema, flowJsonSchema, schemaExporter, weftYamlJsonSchema } from './schema/index.js';
export { GENERATED_HEADER } from './write-output.js';
