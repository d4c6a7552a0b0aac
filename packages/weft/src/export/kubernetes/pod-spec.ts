/**
 * The pod template of every exported workload: one weft container (or a head with its uses_before/uses_after
 * sidecars), probes that run `weft ping`, a preStop pause and a termination grace period that let requests under
 * way finish, resources and GPUs from the executor's options, and the ConfigMap mounted where the command reads it.
 */

import { pingCommand, WEFT } from '../commands.js';
import { CONFIG_DIR, type PlannedExecutor, WORKSPACE_DIR } from '../deploy-plan.js';

/** Every weft container listens on this port in Kubernetes (Jina's K8S_PORT); sidecars use the next ones. */
export const K8S_PORT = 8080;
/** Seconds a pod waits in preStop before SIGTERM, so Services stop sending it new requests first. */
export const PRESTOP_SECONDS = 5;
/** preStop pause + the runtimes' own drain (30 s) + margin. */
export const TERMINATION_GRACE_SECONDS = 60;

export type Obj = Record<string, unknown>;

export interface ContainerInput {
  name: string;
  image: string;
  args: string[];
  port: number;
  /** What `weft ping` calls it and over which protocol. */
  ping: { kind: 'executor' | 'gateway'; protocol: string };
  /** Probe with a TCP connect instead (a runtime serving internal TLS, which `weft ping` cannot dial). */
  tcpProbe?: boolean;
  env: Obj[];
  mounts: Obj[];
  timeoutReadyMs: number;
  resources?: Obj;
  portName?: string;
  extraPorts?: Obj[];
}

export function container(c: ContainerInput): Obj {
  const probe = (timeoutMs: number, more: Obj): Obj => ({
    ...(c.tcpProbe
      ? { tcpSocket: { port: c.port } }
      : { exec: { command: pingCommand(c.ping.kind, c.ping.protocol, c.port, timeoutMs) } }),
    timeoutSeconds: 10,
    ...more,
  });
  return {
    name: c.name,
    image: c.image,
    imagePullPolicy: 'IfNotPresent',
    command: [WEFT],
    args: c.args,
    ports: [{ name: c.portName ?? 'grpc', containerPort: c.port, protocol: 'TCP' }, ...(c.extraPorts ?? [])],
    env: [
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'K8S_NAMESPACE_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      ...c.env,
    ],
    ...(c.mounts.length > 0 ? { volumeMounts: c.mounts } : {}),
    // a slow model load is a slow start, not a dead container: the startup probe covers timeout_ready
    startupProbe: probe(3000, {
      periodSeconds: 5,
      failureThreshold: Math.max(Math.ceil(c.timeoutReadyMs / 5000), 3),
    }),
    readinessProbe: probe(3000, { periodSeconds: 10, failureThreshold: 3 }),
    livenessProbe: probe(9000, { periodSeconds: 30, failureThreshold: 3 }),
    lifecycle: { preStop: { exec: { command: ['sleep', String(PRESTOP_SECONDS)] } } },
    ...(c.resources ? { resources: c.resources } : {}),
  };
}

/** `resources` of an executor's containers: its requests/limits, GPUs as `nvidia.com/gpu`. */
export function resourcesOf(e: PlannedExecutor, autoscale: boolean): Obj | undefined {
  const requests: Obj = { ...stringify(e.resources?.requests) };
  const limits: Obj = { ...stringify(e.resources?.limits) };
  if (e.gpus) limits['nvidia.com/gpu'] = String(e.gpus);
  // a HorizontalPodAutoscaler measures CPU against the request: without one it cannot scale
  if (autoscale && requests.cpu === undefined) requests.cpu = '250m';
  const out: Obj = {};
  if (Object.keys(requests).length > 0) out.requests = requests;
  if (Object.keys(limits).length > 0) out.limits = limits;
  return Object.keys(out).length > 0 ? out : undefined;
}

function stringify(r: Record<string, string | number> | undefined): Obj {
  return Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, String(v)]));
}

/** env entries reading each key of the executor's ConfigMap. */
export function envFromConfigMap(configMap: string, keys: readonly string[]): Obj[] {
  return keys.map((key) => ({ name: key, valueFrom: { configMapKeyRef: { name: configMap, key } } }));
}

/** A volume with one key of a ConfigMap as `executor.yml`, and its mount. */
export function configVolume(volume: string, configMap: string, key: string): { volume: Obj; mount: Obj } {
  return {
    volume: { name: volume, configMap: { name: configMap, items: [{ key, path: 'executor.yml' }] } },
    mount: { name: volume, mountPath: CONFIG_DIR, readOnly: true },
  };
}

export const WORKSPACE_MOUNT: Obj = { name: 'workspace', mountPath: WORKSPACE_DIR };

/** The uid and gid weft's images run as (the `node` user of the Node images). */
export const IMAGE_GID = 1000;

export function podTemplate(
  labels: Obj,
  containers: Obj[],
  volumes: Obj[],
  replicas: number,
  options: { claimsVolume?: boolean } = {},
): Obj {
  return {
    metadata: {
      labels,
      // replicas behind one ClusterIP Service need a gRPC-aware mesh to balance requests, not connections
      ...(replicas > 1 ? { annotations: { 'linkerd.io/inject': 'enabled' } } : {}),
    },
    spec: {
      // a fresh volume claim is usually owned by root; the image's unprivileged user must be able to write to it
      ...(options.claimsVolume ? { securityContext: { fsGroup: IMAGE_GID } } : {}),
      containers,
      ...(volumes.length > 0 ? { volumes } : {}),
      terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
    },
  };
}
