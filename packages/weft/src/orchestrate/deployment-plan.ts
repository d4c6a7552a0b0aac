/**
 * The process layout of a Deployment, computed before anything starts: one worker per shard × replica (plus the
 * uses_before/uses_after executors), and a head in front when there is more than one worker or a uses_before/after;
 * each with its runtime name, a human label, its port (and the port of its native transport, when given) and the
 * JSON configuration its process reads.
 */
import { resolve } from 'node:path';
import { formatHostPort } from '../networking/index.js';
import type { HeadConfig, HeadTargetConfig } from '../runtime/head/index.js';
import type { ParsedDeploymentOptions as DeploymentOptions } from './deployment-options.js';
import type { ChildUses } from './uses-spec.js';

export type RuntimeRole = 'worker' | 'head' | 'uses-before' | 'uses-after';

export interface PlannedRuntime {
  role: RuntimeRole;
  /** Runtime name (`enc/shard-1/rep-0`). */
  name: string;
  /** For messages: `executor 'enc' (shard 1, replica 0)`. */
  label: string;
  shardId?: number;
  replicaId?: number;
  port: number;
  address: string;
  /** The port of its Prometheus `/metrics` endpoint, when the Deployment is monitored. */
  portMonitoring?: number;
  /** The configuration passed to the process as JSON. */
  config: Record<string, unknown>;
}

export interface DeploymentPlan {
  runtimes: PlannedRuntime[];
  /** The runtime callers talk to (the head, or the only worker). */
  entry: PlannedRuntime;
}

export interface PlanInput {
  name: string;
  options: DeploymentOptions;
  uses: ChildUses;
  usesBefore?: ChildUses;
  usesAfter?: ChildUses;
  /** Free ports; `needsHead(options)` + workers + uses_before/after of them are used. */
  ports: number[];
  /**
   * The runtimes' native-transport ports, in the order of `ports` (chosen up front like the gRPC ports, so no
   * runtime binds a port handed out to another one that has not started yet). Without them each runtime picks a
   * free native port when it starts.
   */
  nativePorts?: number[];
  /**
   * With `options.monitoring`: the runtimes' `/metrics` ports, in the order of `ports` (the first one is the entry
   * runtime's: the user's `portMonitoring` when given).
   */
  monitoringPorts?: number[];
  cwd: string;
  /** Grace period runtimes get on SIGTERM. */
  shutdownGraceMs: number;
}

/** Whether a Deployment with these options runs a head. */
export function needsHead(o: Pick<DeploymentOptions, 'replicas' | 'shards' | 'usesBefore' | 'usesAfter'>): boolean {
  return (o.replicas ?? 1) > 1 || (o.shards ?? 1) > 1 || o.usesBefore !== undefined || o.usesAfter !== undefined;
}

/** How many ports the plan needs. */
export function portsNeeded(o: DeploymentOptions): number {
  const workers = (o.replicas ?? 1) * (o.shards ?? 1);
  return workers + (needsHead(o) ? 1 : 0) + (o.usesBefore !== undefined ? 1 : 0) + (o.usesAfter !== undefined ? 1 : 0);
}

/** Lay out the runtimes. `ports[0]` is the entry runtime's (the user's `port` when given). */
export function planDeployment(input: PlanInput): DeploymentPlan {
  const { name, options: o } = input;
  const host = o.host ?? '127.0.0.1';
  const dial = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const replicas = o.replicas ?? 1;
  const shards = o.shards ?? 1;
  const ports = [...input.ports];
  const take = (): number => {
    const p = ports.shift();
    if (p === undefined) throw new RangeError('planDeployment: not enough ports');
    return p;
  };
  /** `{ nativePort }` for the runtime on gRPC port `port`, when native ports were given. */
  const native = (port: number): { nativePort?: number } => {
    const n = input.nativePorts?.[input.ports.indexOf(port)];
    return n === undefined ? {} : { nativePort: n };
  };
  /** `{ monitoring, portMonitoring }` for the runtime on gRPC port `port`, when the Deployment is monitored. */
  const monitored = (port: number): { monitoring?: true; portMonitoring?: number } => {
    const m = o.monitoring ? input.monitoringPorts?.[input.ports.indexOf(port)] : undefined;
    return m === undefined ? {} : { monitoring: true, portMonitoring: m };
  };
  const head = needsHead(o);
  const headPort = head ? take() : undefined;
  // internal TLS: every runtime serves it (and no native port); the head trusts the CA towards its shards
  const t = o.internalTls;
  const tls = t
    ? {
        tls: {
          certfile: resolve(input.cwd, t.certfile),
          keyfile: resolve(input.cwd, t.keyfile),
          cafile: resolve(input.cwd, t.cafile),
        },
      }
    : {};
  const common = {
    ...tls,
    host,
    cwd: input.cwd,
    shutdownGraceMs: input.shutdownGraceMs,
    ...(o.usesWith ? { usesWith: o.usesWith } : {}),
    ...(o.usesMetas ? { metas: o.usesMetas } : {}),
    ...(o.usesRequests ? { requests: o.usesRequests } : {}),
    ...(o.usesDynamicBatching ? { dynamicBatching: o.usesDynamicBatching } : {}),
    ...(o.interceptors ? { interceptors: o.interceptors } : {}),
  };
  const runtimes: PlannedRuntime[] = [];
  for (let shardId = 0; shardId < shards; shardId++) {
    for (let replicaId = 0; replicaId < replicas; replicaId++) {
      const runtimeName = shards > 1 ? `${name}/shard-${shardId}/rep-${replicaId}` : `${name}/rep-${replicaId}`;
      const port = take();
      runtimes.push({
        role: 'worker',
        name: runtimeName,
        label: `executor '${name}' (shard ${shardId}, replica ${replicaId})`,
        shardId,
        replicaId,
        port,
        address: formatHostPort(dial, port),
        ...withPortMonitoring(monitored(port)),
        config: {
          ...common,
          uses: input.uses,
          name: runtimeName,
          port,
          ...native(port),
          ...monitored(port),
          runtimeArgs: {
            name: runtimeName,
            replicas,
            shards,
            shardId,
            ...(o.workspace ? { workspace: o.workspace } : {}),
          },
        },
      });
    }
  }
  const extra = (role: 'uses-before' | 'uses-after', uses: ChildUses): PlannedRuntime => {
    const runtimeName = `${name}/${role}`;
    const port = take();
    return {
      role,
      name: runtimeName,
      label: `${role.replace('-', '_')} executor of '${name}'`,
      port,
      address: formatHostPort(dial, port),
      ...withPortMonitoring(monitored(port)),
      config: {
        ...tls,
        host,
        cwd: input.cwd,
        shutdownGraceMs: input.shutdownGraceMs,
        uses,
        name: runtimeName,
        port,
        ...native(port),
        ...monitored(port),
        runtimeArgs: { name: runtimeName, ...(o.workspace ? { workspace: o.workspace } : {}) },
      },
    };
  };
  const before = input.usesBefore !== undefined ? extra('uses-before', input.usesBefore) : undefined;
  const after = input.usesAfter !== undefined ? extra('uses-after', input.usesAfter) : undefined;
  const workers = [...runtimes];
  if (before) runtimes.push(before);
  if (after) runtimes.push(after);
  if (headPort === undefined) return { runtimes, entry: workers[0] as PlannedRuntime };

  const target = (t: PlannedRuntime[], targetName: string): HeadTargetConfig => ({
    name: targetName,
    replicas: t.map((r) => ({ address: r.address, name: r.name })),
  });
  const headConfig: HeadConfig = {
    ...tls,
    name: `${name}/head`,
    deployment: name,
    host,
    port: headPort,
    ...native(headPort),
    ...monitored(headPort),
    shards: Array.from({ length: shards }, (_, s) =>
      target(
        workers.filter((w) => w.shardId === s),
        shards > 1 ? `${name}/shard-${s}` : name,
      ),
    ),
    shutdownGraceMs: input.shutdownGraceMs,
    ...(o.polling !== undefined ? { polling: o.polling } : {}),
    ...(before ? { usesBefore: target([before], before.name) } : {}),
    ...(after ? { usesAfter: target([after], after.name) } : {}),
    ...(o.retries !== undefined ? { retries: o.retries } : {}),
    ...(o.timeoutSend !== undefined ? { timeoutSend: o.timeoutSend } : {}),
  };
  const headRuntime: PlannedRuntime = {
    role: 'head',
    name: headConfig.name,
    label: `head of '${name}'`,
    port: headPort,
    address: formatHostPort(dial, headPort),
    ...withPortMonitoring(monitored(headPort)),
    config: headConfig as unknown as Record<string, unknown>,
  };
  runtimes.push(headRuntime);
  return { runtimes, entry: headRuntime };
}

function withPortMonitoring(m: { portMonitoring?: number }): { portMonitoring?: number } {
  return m.portMonitoring === undefined ? {} : { portMonitoring: m.portMonitoring };
}
