// Runs exported Kubernetes manifests as far as one machine without a cluster allows: each pod of every Deployment
// and StatefulSet (`spec.replicas` of them) as podman containers with the pod template's command, args and
// environment (fieldRef and configMapKeyRef resolved as the kubelet would), its ConfigMap volumes as read-only files
// and its volume claims as podman volumes, reachable on the scope's network under the names of the Services that
// select it (`name`, `name.ns`, `name.ns.svc`, `name.ns.svc.cluster.local`). A pod's second container shares the
// first one's network namespace (its localhost), as in a pod. Each container then passes its own readiness probe.
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { PodmanScope } from './podman.js';

type Obj = Record<string, any>;

export interface KubernetesRun {
  /** container names of each workload's pods, by workload name. */
  pods: Map<string, string[]>;
  /** The loopback port each Service named in `publish` is published on. */
  published: Map<string, number>;
}

export function loadManifests(dir: string): Obj[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as Obj));
}

/**
 * Start every workload of `dir`; `publish` maps a Service name to the loopback port its first port is published
 * on (the gateway, for the test to call). Workloads start together; resolves once every pod is ready.
 */
export async function kubernetesUp(
  dir: string,
  scope: PodmanScope,
  files: string,
  publish: Record<string, number> = {},
): Promise<KubernetesRun> {
  const objects = loadManifests(dir);
  const configMaps = new Map<string, Record<string, string>>(
    objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o.data ?? {}]),
  );
  const services = objects.filter((o) => o.kind === 'Service');
  const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
  const pods = new Map<string, string[]>();
  const published = new Map<string, number>();
  const waits: Promise<void>[] = [];
  for (const w of workloads) {
    const ns = w.metadata.namespace as string;
    const template = w.spec.template as Obj;
    const labels = template.metadata.labels as Record<string, string>;
    const selecting = services.filter((s) =>
      Object.entries(s.spec.selector as Record<string, string>).every(([k, v]) => labels[k] === v),
    );
    const names: string[] = [];
    for (let i = 0; i < (w.spec.replicas ?? 1); i++) {
      const pod = w.kind === 'StatefulSet' ? `${w.metadata.name}-${i}` : `${w.metadata.name}-pod-${i}`;
      const volumes = await podVolumes(template.spec, w, pod, configMaps, scope, join(files, pod));
      const network: string[] = ['--network', scope.network, '--hostname', pod];
      for (const s of selecting) {
        const n = s.metadata.name as string;
        for (const alias of [n, `${n}.${ns}`, `${n}.${ns}.svc`, `${n}.${ns}.svc.cluster.local`]) {
          network.push('--network-alias', alias);
        }
        const port = s.spec.ports[0];
        if (publish[n] !== undefined && i === 0) {
          network.push('--publish', `127.0.0.1:${publish[n]}:${port.targetPort ?? port.port}`);
          published.set(n, publish[n]);
        }
      }
      let first: string | undefined;
      for (const c of template.spec.containers as Obj[]) {
        const options = first === undefined ? [...network] : ['--network', `container:${first}`];
        options.push('--entrypoint', JSON.stringify(c.command));
        for (const e of (c.env ?? []) as Obj[]) options.push('--env', `${e.name}=${envValue(e, pod, ns, configMaps)}`);
        for (const m of (c.volumeMounts ?? []) as Obj[]) {
          const source = volumes.get(m.name);
          if (source === undefined) throw new Error(`${pod}/${c.name}: no volume ${m.name}`);
          options.push('--volume', `${source}:${m.mountPath}${m.readOnly ? ':ro' : ''}`);
        }
        options.push('--stop-timeout', String(template.spec.terminationGracePeriodSeconds ?? 30));
        const name = await scope.run(`${pod}-${c.name}`, options, c.image, (c.args ?? []) as string[]);
        first ??= name;
        names.push(name);
        const probe = (c.readinessProbe ?? c.startupProbe)?.exec?.command as string[] | undefined;
        if (!probe) throw new Error(`${pod}/${c.name}: no exec readiness probe`);
        const startup = c.startupProbe ?? {};
        const budget = (startup.periodSeconds ?? 10) * (startup.failureThreshold ?? 3) * 1000;
        waits.push(scope.healthy(name, probe, budget));
      }
    }
    pods.set(w.metadata.name, names);
  }
  await Promise.all(waits);
  return { pods, published };
}

function envValue(e: Obj, pod: string, ns: string, configMaps: Map<string, Record<string, string>>): string {
  if (e.value !== undefined) return String(e.value);
  const field = e.valueFrom?.fieldRef?.fieldPath;
  if (field === 'metadata.name') return pod;
  if (field === 'metadata.namespace') return ns;
  const ref = e.valueFrom?.configMapKeyRef;
  if (ref) {
    const v = configMaps.get(ref.name)?.[ref.key];
    if (v === undefined) throw new Error(`${pod}: ConfigMap ${ref.name} has no key ${ref.key}`);
    return v;
  }
  throw new Error(`${pod}: env ${e.name}: unsupported ${JSON.stringify(e.valueFrom)}`);
}

/** The source of each pod volume: a folder of ConfigMap files, or a podman volume per claim (emptyDir too). */
async function podVolumes(
  spec: Obj,
  w: Obj,
  pod: string,
  configMaps: Map<string, Record<string, string>>,
  scope: PodmanScope,
  dir: string,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const v of (spec.volumes ?? []) as Obj[]) {
    if (v.configMap) {
      const data = configMaps.get(v.configMap.name);
      if (!data) throw new Error(`${pod}: no ConfigMap ${v.configMap.name}`);
      const folder = join(dir, v.name);
      mkdirSync(folder, { recursive: true });
      const items = (v.configMap.items ?? Object.keys(data).map((key) => ({ key, path: key }))) as Obj[];
      for (const item of items) writeFileSync(join(folder, item.path), data[item.key] as string, { mode: 0o644 });
      // the containers run as the image's unprivileged user: the files and their folders must be readable by it
      for (const d of [dir, folder]) chmodSync(d, 0o755);
      out.set(v.name, folder);
    } else if (v.emptyDir) {
      out.set(v.name, await scope.volume(`${pod}-${v.name}`));
    } else {
      throw new Error(`${pod}: unsupported volume ${JSON.stringify(v)}`);
    }
  }
  for (const claim of (w.spec.volumeClaimTemplates ?? []) as Obj[]) {
    out.set(claim.metadata.name, await scope.volume(`${claim.metadata.name}-${pod}`));
  }
  return out;
}
