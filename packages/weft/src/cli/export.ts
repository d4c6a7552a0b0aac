/**
 * `weft export kubernetes|docker-compose|flowchart|schema …`: write a Flow as Kubernetes manifests, a compose file,
 * a picture, or print the JSON Schema of weft's YAML (see docs/guides/deploy.md). A mistake in the Flow or its
 * executors, or a target that holds other files, exits 1 with the error's code and nothing written.
 */
import { WeftError } from '../errors/index.js';
import { parseFlags, UsageError } from './args.js';
import type { CliIo, Command } from './command.js';

const OPTIONS = {
  'k8s-namespace': { type: 'string' },
  autoscale: { type: 'boolean' },
  'service-monitor': { type: 'boolean' },
  image: { type: 'string' },
  'gateway-image': { type: 'string' },
  'image-registry': { type: 'string' },
  'image-tag': { type: 'string' },
  'app-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const FORMATS = ['kubernetes', 'docker-compose', 'flowchart', 'schema'];

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a Flow as Kubernetes manifests, a docker-compose file or a flowchart; print the YAML schema',
  help: `Usage: weft export kubernetes <flow.yml> <out-dir> [--k8s-namespace <ns>] [--autoscale] [--service-monitor] [image options]
       weft export docker-compose <flow.yml> <docker-compose.yml> [image options]
       weft export flowchart <flow.yml> <flow.svg|flow.md>
       weft export schema [<weft.schema.json>]

Write a Flow YAML (\${{ ENV.X }} substituted) for containers: a folder with, per executor, a ConfigMap, a
ClusterIP Service and a Deployment (a StatefulSet when it keeps state; one per shard plus a head) and the
gateway; or one compose file with a service per replica, shard and head; or a picture of the Flow (SVG, or
Mermaid in Markdown). \`schema\` prints (or writes) the JSON Schema of Flow and executor YAML for editors.
Output is written all or nothing; a target holding other files is refused. Exits 1 on a bad Flow (with the
error code), 2 on a usage mistake.

Options:
  --k8s-namespace <ns>     namespace of every object and of the *.svc addresses (default default)
  --autoscale              a HorizontalPodAutoscaler (CPU) per stateless executor workload
  --service-monitor        a Prometheus Operator ServiceMonitor for the runtimes with monitoring: true (their
                           /metrics on port 9090; monitoring.yml also holds the Grafana dashboard ConfigMap)
  --image <image>          image of the project's own executors (modules, YAML; default weft-executor:<tag>);
                           a built-in runs in its package's image (weft-image-encoder:<tag>,
                           weft-vector-indexer:<tag>; BaseExecutor: weft-gateway:<tag>), a docker://… uses
                           that image, and an executor's own image: option wins over all
  --gateway-image <image>  image of the gateway and heads (default weft-gateway:<tag>)
  --image-registry <reg>   registry (and path) in front of every default image name (default none)
  --image-tag <tag>        tag of every default image (default the weft version)
  --app-dir <dir>          where the project (the Flow's folder) sits in the images (default /app)
  -h, --help               show this help

Example:
  weft export kubernetes flow.yml k8s --k8s-namespace shop && kubectl apply -f k8s
  weft export docker-compose flow.yml docker-compose.yml && podman compose up
  weft export flowchart flow.yml flow.svg`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(argv, OPTIONS, true);
    const [format, ...rest] = positionals;
    if (format === undefined || !FORMATS.includes(format)) {
      throw new UsageError(
        `say what to export: ${FORMATS.join(', ')} (got ${format === undefined ? 'nothing' : `'${format}'`})`,
      );
    }
    const [flow, target, ...extra] = format === 'schema' ? [undefined, ...rest] : rest;
    if (format !== 'schema' && (flow === undefined || target === undefined)) {
      throw new UsageError(
        `weft export ${format} needs <flow.yml> and an output ${format === 'kubernetes' ? 'folder' : 'file'}`,
      );
    }
    if (extra.length > 0) throw new UsageError(`unexpected argument(s): ${extra.join(' ')}`);
    if (
      format !== 'kubernetes' &&
      (values['k8s-namespace'] !== undefined || values.autoscale || values['service-monitor'])
    ) {
      throw new UsageError('--k8s-namespace, --autoscale and --service-monitor are for weft export kubernetes');
    }
    const { exportFlow } = await import('../export/index.js');
    try {
      const result = await exportFlow(format, flow, target, {
        ...(values['k8s-namespace'] !== undefined ? { namespace: values['k8s-namespace'] } : {}),
        ...(values.autoscale ? { autoscale: true } : {}),
        ...(values['service-monitor'] ? { serviceMonitor: true } : {}),
        ...(values.image !== undefined ? { image: values.image } : {}),
        ...(values['gateway-image'] !== undefined ? { gatewayImage: values['gateway-image'] } : {}),
        ...(values['image-registry'] !== undefined ? { imageRegistry: values['image-registry'] } : {}),
        ...(values['image-tag'] !== undefined ? { imageTag: values['image-tag'] } : {}),
        ...(values['app-dir'] !== undefined ? { appDir: values['app-dir'] } : {}),
      });
      if (result.text !== undefined) io.out(result.text.trimEnd());
      for (const f of result.files) io.err(`weft export: wrote ${f}`);
      return 0;
    } catch (err) {
      if (!(err instanceof WeftError)) throw err;
      io.err(`weft export ${format}: ${err.code}: ${err.message}`);
      return 1;
    }
  },
};
