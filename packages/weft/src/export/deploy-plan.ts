/**
 * The deployment plan every exporter shares: for each executor of a Flow, how it runs in containers (image,
 * `weft executor` arguments, executor YAML, environment), whether it keeps state, its replicas, shards and head,
 * and for the gateway its routing graph, conditions and protocols. Exporters only lay this out as Kubernetes
 * objects or compose services, so both formats run the same commands.
 */
import { relative, resolve, sep } from 'node:path';
import { ConfigError } from '../errors/index.js';
import { BUILTIN_EXECUTORS } from '../executor/index.js';
import { observabilityEnv } from '../observability/index.js';
import { externalAddresses, gatewayProtocolOptions } from '../orchestrate/index.js';
import { type ContainerExecutor, containerize } from './containerize.js';
import { type PlannedAuth, planAuth } from './deploy-security.js';
import type { ResolvedExportOptions } from './export-options.js';
import type { FlowSpec } from './flow-spec.js';

/** Built-in executors that keep state on disk (their workspace) unless an executor says `stateful: false`. */
export const STATEFUL_BUILTINS: ReadonlySet<string> = new Set(['VectorIndexer']);

/** Inside every container: the executor YAML the export writes, and the workspace of a stateful executor. */
export const CONFIG_DIR = '/weft/config';
export const CONFIG_FILE = `${CONFIG_DIR}/executor.yml`;
export const WORKSPACE_DIR = '/weft/workspace';

export interface PlannedExecutor {
  /** The executor's name in the Flow (graph, conditions, routes). */
  name: string;
  /** DNS-1035 label derived from the name: Kubernetes objects and compose services are named after it. */
  dns: string;
  container: ContainerExecutor;
  env: Record<string, string>;
  stateful: boolean;
  replicas: number;
  shards: number;
  polling?: string | Record<string, string>;
  usesBefore?: ContainerExecutor;
  usesAfter?: ContainerExecutor;
  /** A head in front (shards, or uses_before/uses_after). */
  head: boolean;
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  gpus?: number;
  timeoutReadyMs: number;
  floating: boolean;
  /** Its runtimes serve Prometheus `/metrics` (the executor's `monitoring`, else the Flow's). */
  monitoring?: true;
}

export interface PlannedExternal {
  name: string;
  /** `host:port` per replica, as the gateway dials them. */
  addresses: string[];
}

export interface DeployPlan {
  executors: PlannedExecutor[];
  externals: PlannedExternal[];
  gateway: {
    graph: FlowSpec['graph'];
    conditions: Record<string, Record<string, unknown>>;
    noReduce: string[];
    protocols: string[];
    /** Ports the gateway is published on (the Flow's `port`, else 8080, 8081, …), one per protocol. */
    publishedPorts: number[];
    env: Record<string, string>;
    timeoutSend?: number;
    retries?: number;
    prefetch?: number;
    /** The Flow's HTTP/GraphQL options (cors, title, …), for `--protocol-options`. */
    protocolOptions: Record<string, unknown>;
    /** The gateway serves Prometheus `/metrics` (the Flow's `monitoring`). */
    monitoring?: true;
    /** Token auth (the Flow's `auth`): the variable the gateway reads its token(s) from, filled from a secret. */
    auth?: PlannedAuth;
  };
  /** TLS on the internal hops (the Flow's `internal_tls`): the material is mounted from a secret. */
  internalTls?: true;
  options: ResolvedExportOptions;
}

/**
 * Plan a Flow for containers; every executor is checked (resolvable, containerizable) before anything is written.
 * @example const plan = await planExport(flowSpecFromFile('flow.yml'), resolveExportOptions())
 */
export async function planExport(spec: FlowSpec, options: ResolvedExportOptions): Promise<DeployPlan> {
  const f = spec.options;
  const executors: PlannedExecutor[] = [];
  const externals: PlannedExternal[] = [];
  const taken = new Map<string, string>([['gateway', 'gateway']]);
  const ctx = {
    cwd: spec.cwd,
    appDir: options.appDir,
    image: options.image,
    builtinImages: options.builtinImages,
    configPath: CONFIG_FILE,
  };
  const auth = planAuth(f.auth);
  /** The environment of a runtime, without the token variable (the gateway's comes from a secret). */
  const withoutToken = (env: Record<string, string>): Record<string, string> => {
    if (auth) delete env[auth.tokenEnv];
    return env;
  };
  for (const e of spec.executors) {
    if (e.external) {
      externals.push({ name: e.name, addresses: externalAddresses(e) });
      continue;
    }
    const dns = dnsLabel(e.name);
    const clash = taken.get(dns);
    if (clash !== undefined) {
      throw new ConfigError(
        `executors '${clash}' and '${e.name}' both become '${dns}' as Kubernetes/compose names; rename one`,
        { details: { executor: e.name } },
      );
    }
    taken.set(dns, e.name);
    const container = await containerize({ ...e, uses: e.uses ?? 'BaseExecutor' }, ctx);
    const side = async (uses: string | undefined, role: string): Promise<ContainerExecutor | undefined> =>
      uses === undefined ? undefined : containerize({ name: `${e.name} (${role})`, uses }, ctx);
    const usesBefore = await side(e.usesBefore, 'uses_before');
    const usesAfter = await side(e.usesAfter, 'uses_after');
    const shards = e.shards ?? 1;
    const builtin = typeof e.uses === 'string' && e.uses in BUILTIN_EXECUTORS ? e.uses : undefined;
    executors.push({
      name: e.name,
      dns,
      container,
      // the log and OpenTelemetry options reach the containers as the environment the runtimes read
      env: withoutToken({
        ...observabilityEnv({ ...f, accessLog: undefined }),
        ...observabilityEnv(e),
        ...f.env,
        ...e.env,
      }),
      stateful: e.stateful ?? (e.workspace !== undefined || (builtin !== undefined && STATEFUL_BUILTINS.has(builtin))),
      replicas: e.replicas ?? 1,
      shards,
      ...(e.polling !== undefined ? { polling: e.polling } : {}),
      ...(usesBefore ? { usesBefore } : {}),
      ...(usesAfter ? { usesAfter } : {}),
      head: shards > 1 || usesBefore !== undefined || usesAfter !== undefined,
      ...(e.resources ? { resources: e.resources } : {}),
      ...(e.gpus ? { gpus: e.gpus } : {}),
      timeoutReadyMs: e.timeoutReady ?? f.timeoutReady ?? 600_000,
      floating: e.floating ?? false,
      ...((e.monitoring ?? f.monitoring) ? { monitoring: true as const } : {}),
    });
  }
  const protocols = asList(f.protocol ?? 'grpc');
  const wanted = asList(f.port ?? []);
  const conditions: Record<string, Record<string, unknown>> = {};
  for (const e of spec.executors) if (e.when) conditions[e.name] = e.when;
  // the token comes from a secret at run time; a value the Flow's env gives for it is not written anywhere
  const gatewayEnv = withoutToken({ ...observabilityEnv(f), ...f.env });
  return {
    executors,
    externals,
    gateway: {
      graph: spec.graph,
      conditions,
      noReduce: spec.executors.filter((e) => e.noReduce).map((e) => e.name),
      protocols,
      publishedPorts: protocols.map((_, i) => (wanted[i] !== undefined && wanted[i] !== 0 ? wanted[i] : 8080 + i)),
      env: gatewayEnv,
      ...(f.timeoutSend !== undefined ? { timeoutSend: f.timeoutSend } : {}),
      ...(f.retries !== undefined ? { retries: f.retries } : {}),
      ...(f.prefetch !== undefined ? { prefetch: f.prefetch } : {}),
      protocolOptions: gatewayProtocolOptions(f, (p) => inAppDir(p, spec.cwd, options.appDir)),
      ...(f.monitoring ? { monitoring: true as const } : {}),
      ...(auth ? { auth } : {}),
    },
    ...(f.internalTls ? { internalTls: true as const } : {}),
    options,
  };
}

/** A DNS-1035 label (lowercase letters, digits and '-', starting with a letter), short enough for suffixes. */
export function dnsLabel(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  if (s.length === 0) {
    throw new ConfigError(`executor name '${name}' has no letters to build a Kubernetes/compose name from; rename it`);
  }
  return s;
}

function asList<T>(v: T | readonly T[]): T[] {
  return Array.isArray(v) ? [...v] : [v as T];
}

/** A project path as it lies in the image (the project folder is copied to `appDir`). */
function inAppDir(path: string, cwd: string, appDir: string): string {
  return `${appDir}/${relative(cwd, resolve(cwd, path)).split(sep).join('/')}`;
}
