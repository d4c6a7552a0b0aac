/**
 * The Kubernetes objects of a deployment plan, one file per executor and one for the gateway (Jina's layout):
 * a ConfigMap (environment + executor YAML), a ClusterIP Service and a Deployment per workload — a StatefulSet with
 * a volumeClaimTemplate when the executor keeps state; a sharded executor gets one workload + Service per shard and
 * a head; replicas are `spec.replicas`; `--autoscale` adds a HorizontalPodAutoscaler per stateless executor workload.
 */
import { stringify } from 'yaml';
import { grafanaDashboard, K8S_MONITORING_PORT } from '../../observability/metrics/index.js';
import { CLIENT_ENV, executorArgs, gatewayArgs, headArgs } from '../commands.js';
import type { DeployPlan, PlannedExecutor } from '../deploy-plan.js';
import { WORKSPACE_DIR } from '../deploy-plan.js';
import { AUTH_SECRET, K8S_TLS_FILES, TLS_DIR, TLS_SECRET } from '../deploy-security.js';
import {
  configVolume,
  container,
  envFromConfigMap,
  K8S_PORT,
  type Obj,
  podTemplate,
  resourcesOf,
  WORKSPACE_MOUNT,
} from './pod-spec.js';

/** Storage each stateful replica claims for its workspace. */
export const WORKSPACE_STORAGE = '10Gi';

/** File name → the objects in it. */
export type Manifests = Map<string, Obj[]>;

export function kubernetesManifests(plan: DeployPlan): Manifests {
  const ns = plan.options.namespace;
  const out: Manifests = new Map();
  const addresses: Record<string, string[]> = {};
  for (const e of plan.executors) {
    out.set(`${e.dns}.yml`, executorObjects(e, plan));
    addresses[e.name] = [`grpc://${e.head ? `${e.dns}-head` : e.dns}.${ns}.svc:${K8S_PORT}`];
  }
  for (const x of plan.externals) addresses[x.name] = x.addresses;
  out.set('gateway.yml', gatewayObjects(plan, addresses));
  if (plan.gateway.monitoring || plan.executors.some((e) => e.monitoring))
    out.set('monitoring.yml', monitoringObjects(plan));
  return out;
}

/** The label of every Service with a `monitoring` port (what the ServiceMonitor selects). */
const MONITORED = 'weft/monitoring';

/**
 * `monitoring.yml`: the Grafana dashboard as a ConfigMap (labelled for Grafana's dashboard sidecar) and, with
 * `serviceMonitor`, a Prometheus Operator ServiceMonitor scraping every monitored Service's `monitoring*` ports.
 */
function monitoringObjects(plan: DeployPlan): Obj[] {
  const ns = plan.options.namespace;
  const objects: Obj[] = [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('weft-grafana-dashboard', ns, { grafana_dashboard: '1', app: 'weft' }),
      data: { 'weft.json': `${JSON.stringify(grafanaDashboard(), null, 2)}\n` },
    },
  ];
  if (plan.options.serviceMonitor) {
    objects.push({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: meta('weft', ns, { app: 'weft' }),
      spec: {
        selector: { matchLabels: { [MONITORED]: 'true' } },
        namespaceSelector: { matchNames: [ns] },
        endpoints: ['monitoring', 'monitoring-before', 'monitoring-after'].map((port) => ({
          port,
          path: '/metrics',
          interval: '15s',
        })),
      },
    });
  }
  return objects;
}

/** The container and Service ports of `/metrics` (`name`, on `port`). */
function monitoringPort(name: string, port: number): { container: Obj; service: Obj } {
  return {
    container: { name, containerPort: port, protocol: 'TCP' },
    service: { name, port, targetPort: port, protocol: 'TCP' },
  };
}

/**
 * Internal TLS: the `weft-internal-tls` Secret (tls.crt, tls.key, ca.crt — what cert-manager writes) as a
 * read-only volume at /weft/tls, and the `--internal-tls` files in it. Nothing when the Flow has no internal TLS.
 */
function tlsMount(plan: DeployPlan): { volume: Obj; mount: Obj; files: typeof K8S_TLS_FILES } | undefined {
  if (!plan.internalTls) return undefined;
  return {
    volume: { name: 'internal-tls', secret: { secretName: TLS_SECRET.name } },
    mount: { name: 'internal-tls', mountPath: TLS_DIR, readOnly: true },
    files: K8S_TLS_FILES,
  };
}

/** The gateway's token variable, read from the `weft-auth` Secret (never a value in the manifest). */
function authEnv(plan: DeployPlan): Obj[] {
  const auth = plan.gateway.auth;
  if (!auth) return [];
  return [{ name: auth.tokenEnv, valueFrom: { secretKeyRef: { name: AUTH_SECRET.name, key: AUTH_SECRET.key } } }];
}

/** The objects as multi-document YAML. */
export function manifestYaml(objects: readonly Obj[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}

function meta(name: string, ns: string, labels?: Obj): Obj {
  return { name, namespace: ns, ...(labels ? { labels } : {}) };
}

function service(name: string, ns: string, selector: Obj, ports: Obj[]): Obj {
  const monitored = ports.some((p) => String(p.name).startsWith('monitoring'));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(name, ns, monitored ? { ...selector, [MONITORED]: 'true' } : selector),
    spec: { type: 'ClusterIP', selector, ports },
  };
}

function grpcPort(port = K8S_PORT): Obj {
  return { name: 'grpc', port, targetPort: port, protocol: 'TCP' };
}

function executorObjects(e: PlannedExecutor, plan: DeployPlan): Obj[] {
  const ns = plan.options.namespace;
  const cm = `${e.dns}-configmap`;
  const envKeys = Object.keys(e.env).sort();
  const data: Record<string, string> = { ...e.env };
  const yamlKey = (c: { executorYaml?: Obj } | undefined, key: string): string | undefined => {
    if (!c?.executorYaml) return undefined;
    data[key] = stringify(c.executorYaml, { lineWidth: 0, aliasDuplicateObjects: false });
    return key;
  };
  const mainKey = yamlKey(e.container, 'executor.yml');
  const beforeKey = yamlKey(e.usesBefore, 'uses-before.yml');
  const afterKey = yamlKey(e.usesAfter, 'uses-after.yml');
  const objects: Obj[] = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(cm, ns, { app: e.dns }), data: sortKeys(data) },
  ];
  const env = envFromConfigMap(cm, envKeys);
  const resources = resourcesOf(e, plan.options.autoscale && !e.stateful);
  const metrics = e.monitoring ? monitoringPort('monitoring', K8S_MONITORING_PORT) : undefined;
  const tls = tlsMount(plan);
  const shardNames = e.head ? Array.from({ length: e.shards }, (_, s) => `${e.dns}-${s}`) : [e.dns];
  shardNames.forEach((workload, s) => {
    const labels: Obj = {
      app: workload,
      'weft/executor': e.dns,
      'weft/role': 'worker',
      ...(e.head ? { 'weft/shard': String(s) } : {}),
    };
    const volumes: Obj[] = [];
    const mounts: Obj[] = [];
    if (mainKey) {
      const v = configVolume('config', cm, mainKey);
      volumes.push(v.volume);
      mounts.push(v.mount);
    }
    if (e.stateful) mounts.push(WORKSPACE_MOUNT);
    if (tls) {
      volumes.push(tls.volume);
      mounts.push(tls.mount);
    }
    const c = container({
      name: 'executor',
      image: e.container.image,
      args: executorArgs(e.container, {
        name: e.name,
        port: K8S_PORT,
        ...(e.stateful ? { workspace: WORKSPACE_DIR } : {}),
        ...(metrics ? { portMonitoring: K8S_MONITORING_PORT } : {}),
        ...(tls ? { internalTls: tls.files } : {}),
      }),
      port: K8S_PORT,
      ...(metrics ? { extraPorts: [metrics.container] } : {}),
      ping: { kind: 'executor', protocol: 'grpc' },
      ...(tls ? { tcpProbe: true } : {}),
      env,
      mounts,
      timeoutReadyMs: e.timeoutReadyMs,
      ...(resources ? { resources } : {}),
    });
    objects.push(service(workload, ns, { app: workload }, [grpcPort(), ...(metrics ? [metrics.service] : [])]));
    objects.push(
      workloadObject(
        workload,
        ns,
        labels,
        podTemplate(labels, [c], volumes, e.replicas, { claimsVolume: e.stateful }),
        e,
      ),
    );
    if (plan.options.autoscale && !e.stateful) objects.push(autoscaler(workload, ns, e.replicas));
  });
  if (e.head) objects.push(...headObjects(e, plan, cm, shardNames, { beforeKey, afterKey, env }));
  return objects;
}

function workloadObject(name: string, ns: string, labels: Obj, template: Obj, e: PlannedExecutor): Obj {
  const selector = { matchLabels: { app: name } };
  if (!e.stateful) {
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(name, ns, labels),
      spec: {
        replicas: e.replicas,
        selector,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template,
      },
    };
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta(name, ns, labels),
    spec: {
      serviceName: name,
      replicas: e.replicas,
      podManagementPolicy: 'Parallel',
      selector,
      template,
      volumeClaimTemplates: [
        {
          metadata: { name: 'workspace' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: WORKSPACE_STORAGE } } },
        },
      ],
    },
  };
}

function autoscaler(name: string, ns: string, replicas: number): Obj {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta(name, ns),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: replicas,
      maxReplicas: Math.max(4 * replicas, replicas + 1),
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
      ],
    },
  };
}

function headObjects(
  e: PlannedExecutor,
  plan: DeployPlan,
  cm: string,
  shardNames: string[],
  keys: { beforeKey: string | undefined; afterKey: string | undefined; env: Obj[] },
): Obj[] {
  const ns = plan.options.namespace;
  const name = `${e.dns}-head`;
  const labels: Obj = { app: name, 'weft/executor': e.dns, 'weft/role': 'head' };
  const clientEnv = Object.entries(CLIENT_ENV).map(([k, v]) => ({ name: k, value: v }));
  const volumes: Obj[] = [];
  const containers: Obj[] = [];
  // one pod: the head's /metrics on 9090, the uses_before/uses_after sidecars' on 9091 and 9092
  const metricsOf = (name: string, offset: number) =>
    e.monitoring ? monitoringPort(name, K8S_MONITORING_PORT + offset) : undefined;
  const serviceMetrics: Obj[] = [];
  const tls = tlsMount(plan);
  if (tls) volumes.push(tls.volume);
  const sidecar = (role: 'uses-before' | 'uses-after', port: number, key: string | undefined) => {
    const c = role === 'uses-before' ? e.usesBefore : e.usesAfter;
    if (!c) return undefined;
    const mounts: Obj[] = [];
    if (key) {
      const v = configVolume(`config-${role}`, cm, key);
      volumes.push(v.volume);
      mounts.push(v.mount);
    }
    if (tls) mounts.push(tls.mount);
    const m = metricsOf(role === 'uses-before' ? 'monitoring-before' : 'monitoring-after', port - K8S_PORT);
    if (m) serviceMetrics.push(m.service);
    containers.push(
      container({
        name: role,
        image: c.image,
        args: executorArgs(c, {
          name: `${e.name}/${role}`,
          port,
          ...(m ? { portMonitoring: m.container.containerPort as number } : {}),
          ...(tls ? { internalTls: tls.files } : {}),
        }),
        port,
        ...(m ? { extraPorts: [m.container] } : {}),
        portName: role === 'uses-before' ? 'grpc-before' : 'grpc-after',
        ping: { kind: 'executor', protocol: 'grpc' },
        ...(tls ? { tcpProbe: true } : {}),
        env: keys.env,
        mounts,
        timeoutReadyMs: e.timeoutReadyMs,
      }),
    );
    return `127.0.0.1:${port}`;
  };
  const headMetrics = metricsOf('monitoring', 0);
  if (headMetrics) serviceMetrics.push(headMetrics.service);
  const head = container({
    name: 'head',
    image: plan.options.gatewayImage,
    args: [],
    port: K8S_PORT,
    ...(headMetrics ? { extraPorts: [headMetrics.container] } : {}),
    ping: { kind: 'executor', protocol: 'grpc' },
    ...(tls ? { tcpProbe: true } : {}),
    env: clientEnv,
    mounts: tls ? [tls.mount] : [],
    timeoutReadyMs: e.timeoutReadyMs,
  });
  containers.unshift(head);
  const usesBefore = sidecar('uses-before', K8S_PORT + 1, keys.beforeKey);
  const usesAfter = sidecar('uses-after', K8S_PORT + 2, keys.afterKey);
  head.args = headArgs(e, {
    port: K8S_PORT,
    shards: shardNames.map((s) => [`${s}.${ns}.svc:${K8S_PORT}`]),
    ...(usesBefore ? { usesBefore } : {}),
    ...(usesAfter ? { usesAfter } : {}),
    ...(headMetrics ? { portMonitoring: K8S_MONITORING_PORT } : {}),
    ...(tls ? { internalTls: tls.files } : {}),
  });
  return [
    service(name, ns, { app: name }, [grpcPort(), ...serviceMetrics]),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(name, ns, labels),
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: podTemplate(labels, containers, volumes, 1),
      },
    },
  ];
}

function gatewayObjects(plan: DeployPlan, addresses: Record<string, string[]>): Obj[] {
  const ns = plan.options.namespace;
  const g = plan.gateway;
  const ports = g.protocols.map((_, i) => K8S_PORT + i);
  const labels: Obj = { app: 'gateway', 'weft/role': 'gateway' };
  const cm = 'gateway-configmap';
  const env = [
    ...Object.entries(CLIENT_ENV).map(([k, v]) => ({ name: k, value: v })),
    ...envFromConfigMap(cm, Object.keys(g.env).sort()),
    ...authEnv(plan),
  ];
  const metrics = g.monitoring ? monitoringPort('monitoring', K8S_MONITORING_PORT) : undefined;
  const tls = tlsMount(plan);
  const c = container({
    name: 'gateway',
    image: plan.options.gatewayImage,
    args: gatewayArgs(plan, addresses, ports, {
      ...(metrics ? { portMonitoring: K8S_MONITORING_PORT } : {}),
      ...(tls ? { internalTls: tls.files } : {}),
    }),
    port: ports[0] as number,
    portName: g.protocols[0] as string,
    extraPorts: [
      ...g.protocols.slice(1).map((p, i) => ({ name: p, containerPort: ports[i + 1], protocol: 'TCP' })),
      ...(metrics ? [metrics.container] : []),
    ],
    ping: { kind: 'gateway', protocol: g.protocols[0] as string },
    env,
    mounts: tls ? [tls.mount] : [],
    timeoutReadyMs: 600_000,
  });
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(cm, ns, { app: 'gateway' }), data: sortKeys({ ...g.env }) },
    service('gateway', ns, { app: 'gateway' }, [
      ...g.protocols.map((p, i) => ({ name: p, port: ports[i], targetPort: ports[i], protocol: 'TCP' })),
      ...(metrics ? [metrics.service] : []),
    ]),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('gateway', ns, labels),
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'gateway' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: podTemplate(labels, [c], tls ? [tls.volume] : [], 1),
      },
    },
  ];
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
