/**
 * Starting and stopping what a Flow runs: one Deployment per executor, external executors' addresses, and the
 * gateway process configured from the routing graph and those addresses. Every address is chosen up front, so the
 * executors and the gateway start together; the first failure stops everything and is reported with the
 * executor's name and own error.
 */
import { resolve } from 'node:path';
import type { ClientTlsOptions } from '../client/index.js';
import { type FlowExecutorOptions, type FlowOptions, parseGatewayConfig } from '../config/index.js';
import { ConfigError, StartupError } from '../errors/index.js';
import { formatHost, formatHostPort } from '../networking/index.js';
import { observabilityEnv } from '../observability/index.js';
import {
  GATEWAY_CONFIG_ENV,
  type GatewayConfigInput,
  type GraphDescription,
  gatewayEntry,
} from '../runtime/gateway/index.js';
import { PARENT_PID_ENV } from '../runtime/parent-watch.js';
import { GATEWAY_TOKENS_ENV, resolveAuthTokens, TokenAuth } from '../security/index.js';
import { Deployment } from './deployment.js';
import type { DeploymentOptions } from './deployment-options.js';
import { planFlowTls } from './flow-tls.js';
import { type InternalTlsPlan, planInternalTls } from './internal-tls.js';
import { freePort, freePorts, reservePort } from './ports.js';
import { RuntimeProcess } from './runtime-process.js';

export interface FlowRuntimes {
  deployments: Map<string, Deployment>;
  addresses: Record<string, string[]>;
  gatewayConfig: GatewayConfigInput;
  /** The gateway process; `host` is where this process reaches it, `ports` one per protocol. */
  gateway: {
    process: RuntimeProcess;
    host: string;
    ports: { protocol: string; port: number; url: string }[];
    /** How a Client trusts the gateway, when it serves TLS. */
    tls?: ClientTlsOptions;
    /** A token the gateway accepts, when it wants one (what the Flow's own Client sends). */
    token?: string;
    /** The port of the gateway's Prometheus `/metrics` (with `monitoring: true`). */
    portMonitoring?: number;
  };
  close(): Promise<void>;
}

const SCHEME: Record<string, string> = { grpc: 'grpc', http: 'http', websocket: 'ws' };
const TLS_SCHEME: Record<string, string> = { grpc: 'grpcs', http: 'https', websocket: 'wss' };

export async function startFlowRuntimes(
  flow: FlowOptions,
  executors: readonly FlowExecutorOptions[],
  graph: GraphDescription,
  cwd: string,
): Promise<FlowRuntimes> {
  // the internal TLS material first (made now with `internalTls: true`); removed again when the start fails
  const internal = await planInternalTls(flow.internalTls, cwd);
  try {
    return await startPlanned(flow, executors, graph, cwd, internal);
  } catch (err) {
    await internal?.remove();
    throw err;
  }
}

async function startPlanned(
  flow: FlowOptions,
  executors: readonly FlowExecutorOptions[],
  graph: GraphDescription,
  cwd: string,
  internal: InternalTlsPlan | undefined,
): Promise<FlowRuntimes> {
  // everything is planned (and validated) before any process starts
  const protocols = asList(flow.protocol ?? 'grpc');
  const wanted = asList(flow.port ?? []);
  if (wanted.length > protocols.length) {
    throw new ConfigError(
      `the Flow lists ${wanted.length} ports for ${protocols.length} protocol(s); give one port per protocol`,
    );
  }
  const deployments = new Map<string, Deployment>();
  const addresses: Record<string, string[]> = {};
  for (const e of executors) {
    const name = e.name as string;
    if (e.external) {
      addresses[name] = externalAddresses(e);
      continue;
    }
    // the entry port is chosen now, so the gateway (which only needs the addresses) starts alongside the executors
    const options = deploymentOptions(flow, e, cwd);
    const port = options.port || (await freePort('127.0.0.1')); // 0: a free port
    deployments.set(name, new Deployment({ ...options, port, ...(internal ? { internalTls: internal.files } : {}) }));
    addresses[name] = [`127.0.0.1:${port}`];
  }
  // port 0 means "any free port", chosen here (not by the gateway's bind) so that `flow.endpoints` can name it
  for (const p of wanted) if (p !== 0) reservePort(p);
  const free = await freePorts(protocols.length - wanted.filter((p) => p !== 0).length, '127.0.0.1');
  let nextFree = 0;
  const ports = protocols.map((protocol, i) => {
    const w = wanted[i];
    return { protocol, port: (w !== undefined && w !== 0 ? w : free[nextFree++]) as number };
  });
  const host = flow.host ?? '0.0.0.0';
  // where this process reaches the gateway: loopback when it listens on every interface, else its own address
  const dialHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const dial = formatHost(dialHost);
  const tls = planFlowTls(flow, cwd, dialHost);
  // the tokens are resolved here: a tokenEnv that is not set fails before anything starts
  const tokens = resolveAuthTokens(flow.auth, { ...process.env, ...flow.env });
  if (tokens) new TokenAuth(tokens); // a token the gateway would refuse (too short…) fails here, not in its process
  let portMonitoring: number | undefined;
  if (flow.monitoring) {
    if (flow.portMonitoring) reservePort(flow.portMonitoring);
    portMonitoring = flow.portMonitoring || (await freePort('127.0.0.1'));
  }
  const conditions: Record<string, Record<string, unknown>> = {};
  const timeoutSend: Record<string, number> = {};
  const retries: Record<string, number> = {};
  for (const e of executors) {
    const name = e.name as string;
    if (e.when) conditions[name] = e.when;
    const t = e.timeoutSend ?? flow.timeoutSend;
    if (t !== undefined) timeoutSend[name] = t;
    const r = e.retries ?? flow.retries;
    if (r !== undefined) retries[name] = r;
  }
  const gatewayConfig: GatewayConfigInput = {
    name: 'gateway',
    graph,
    addresses,
    conditions,
    noReduce: executors.filter((e) => e.noReduce).map((e) => e.name as string),
    timeoutSend,
    retries,
    ...(flow.prefetch !== undefined ? { prefetch: flow.prefetch } : {}),
    host,
    protocols: ports,
    ...(flow.maxMessageBytes !== undefined ? { maxMessageBytes: flow.maxMessageBytes } : {}),
    ...(flow.limits !== undefined ? { limits: flow.limits } : {}),
    protocolOptions: gatewayProtocolOptions(flow, (p) => resolve(cwd, p)),
    ...(tls ? { sslCertfile: tls.certfile, sslKeyfile: tls.keyfile } : {}),
    ...(flow.interceptors ? { interceptors: moduleNames(flow.interceptors, 'the Flow') } : {}),
    // the tokens themselves travel in a variable of the gateway process only (masked in `_status` like every
    // *TOKEN* variable), never in the configuration (`flow.gatewayConfig`)
    ...(tokens ? { auth: { tokenEnv: GATEWAY_TOKENS_ENV } } : {}),
    ...(internal ? { internalCafile: internal.files.cafile } : {}),
    ...(portMonitoring !== undefined ? { monitoring: true, portMonitoring } : {}),
    cwd,
  };
  // validated here, once: the gateway process only decodes it
  const validated = parseGatewayConfig(gatewayConfig);
  const grpc = ports.find((p) => p.protocol === 'grpc');
  const gateway = new RuntimeProcess({
    label: 'the gateway',
    name: 'gateway',
    entry: gatewayEntry(),
    env: { ...gatewayEnv(flow, validated), ...(tokens ? { [GATEWAY_TOKENS_ENV]: tokens.join(',') } : {}) },
    address: formatHostPort(dialHost, (grpc ?? ports[0])?.port as number),
    // a TLS gRPC port would need the Client's trust settings to be health-checked; the IPC `ready` comes after
    // every protocol is bound anyway
    healthCheck: grpc !== undefined && tls === undefined,
    timeoutReady: flow.timeoutReady ?? 600_000,
  });

  // the executors and the gateway start together; the first failure stops everything and is reported
  const starting = [
    ...[...deployments.values()].map((d) => d.start().then(() => undefined)),
    gateway.start().catch((err: unknown) => {
      throw err instanceof StartupError
        ? err
        : new StartupError(`the gateway failed to start: ${(err as Error).message}`, { cause: err });
    }),
  ];
  try {
    await Promise.all(starting);
  } catch (err) {
    await Promise.allSettled([gateway.stop(2000), ...[...deployments.values()].map((d) => d.close())]);
    await Promise.allSettled(starting);
    throw err;
  }
  return {
    deployments,
    addresses,
    gatewayConfig,
    gateway: {
      process: gateway,
      host: dial,
      ports: ports.map((p) => ({
        ...p,
        url: `${(tls ? TLS_SCHEME : SCHEME)[p.protocol] ?? p.protocol}://${dial}:${p.port}`,
      })),
      ...(tls ? { tls: tls.client } : {}),
      ...(tokens ? { token: tokens[0] as string } : {}),
      ...(portMonitoring !== undefined ? { portMonitoring } : {}),
    },
    close: async () => {
      await gateway.stop(10_000);
      await Promise.allSettled([...deployments.values()].map((d) => d.close()));
      await internal?.remove();
    },
  };
}

function deploymentOptions(flow: FlowOptions, e: FlowExecutorOptions, cwd: string): DeploymentOptions {
  const { accessLog: _gatewayOnly, ...flowLogs } = flow;
  const env = { ...observabilityEnv(flowLogs), ...observabilityEnv(e), ...flow.env, ...e.env };
  const workspace = e.workspace ?? flow.workspace;
  const timeoutReady = e.timeoutReady ?? flow.timeoutReady;
  const retries = e.retries ?? flow.retries;
  const timeoutSend = e.timeoutSend ?? flow.timeoutSend;
  // as in Jina, a monitored Flow monitors its executors unless one says otherwise
  const monitoring = e.monitoring ?? flow.monitoring;
  if (Array.isArray(e.port))
    throw new ConfigError(`executor '${e.name}': a list of ports is only for external executors`);
  return {
    uses: e.uses as DeploymentOptions['uses'],
    name: e.name as string,
    cwd,
    ...(e.replicas !== undefined ? { replicas: e.replicas } : {}),
    ...(e.shards !== undefined ? { shards: e.shards } : {}),
    ...(e.polling !== undefined ? { polling: e.polling } : {}),
    ...(e.port !== undefined ? { port: e.port } : {}),
    ...(e.usesWith ? { usesWith: e.usesWith } : {}),
    ...(e.usesMetas ? { usesMetas: e.usesMetas } : {}),
    ...(e.usesRequests ? { usesRequests: e.usesRequests } : {}),
    ...(e.usesDynamicBatching ? { usesDynamicBatching: e.usesDynamicBatching } : {}),
    ...(e.usesBefore ? { usesBefore: e.usesBefore } : {}),
    ...(e.usesAfter ? { usesAfter: e.usesAfter } : {}),
    ...(Object.keys(env).length > 0 ? { env } : {}),
    ...(workspace !== undefined ? { workspace } : {}),
    ...(timeoutReady !== undefined ? { timeoutReady } : {}),
    ...(retries !== undefined ? { retries } : {}),
    ...(timeoutSend !== undefined ? { timeoutSend } : {}),
    ...(monitoring ? { monitoring } : {}),
    ...(flow.container !== undefined ? { container: flow.container } : {}),
    ...(e.portMonitoring !== undefined ? { portMonitoring: e.portMonitoring } : {}),
    ...(e.interceptors ? { interceptors: moduleNames(e.interceptors, `executor '${e.name}'`) } : {}),
  };
}

/** `host`/`port` lists of an external executor: each pair is a replica (also what an export addresses). */
export function externalAddresses(e: FlowExecutorOptions): string[] {
  const hosts = asList(e.host ?? '127.0.0.1');
  const ports = asList(e.port ?? []);
  if (ports.length === 0) throw new ConfigError(`external executor '${e.name}' needs a port (or a list of ports)`);
  if (hosts.length !== 1 && hosts.length !== ports.length) {
    throw new ConfigError(
      `external executor '${e.name}' lists ${hosts.length} hosts and ${ports.length} ports; give one host or one per port`,
    );
  }
  return ports.map((p, i) => formatHostPort((hosts.length === 1 ? hosts[0] : hosts[i]) as string, p));
}

/**
 * The Flow options a gateway serves its protocols with (what `weft flow` and an export pass it); `folder` maps the
 * static folder to where the gateway will find it (this machine's path, or the path inside an image).
 */
export function gatewayProtocolOptions(
  flow: Pick<FlowOptions, (typeof GATEWAY_PROTOCOL_KEYS)[number] | 'staticFolder'>,
  folder: (path: string) => string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of GATEWAY_PROTOCOL_KEYS) if (flow[k] !== undefined) out[k] = flow[k];
  if (flow.staticFolder !== undefined) out.staticFolder = folder(flow.staticFolder);
  return out;
}

const GATEWAY_PROTOCOL_KEYS = [
  'cors',
  'title',
  'description',
  'noDebugEndpoints',
  'noCrudEndpoints',
  'exposeEndpoints',
  'exposeGraphqlEndpoint',
  'httpPlugins',
  'staticPrefix',
] as const;

function gatewayEnv(flow: FlowOptions, config: GatewayConfigInput): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...observabilityEnv(flow),
    ...flow.env,
    [PARENT_PID_ENV]: String(process.pid),
  };
  env[GATEWAY_CONFIG_ENV] = JSON.stringify(config);
  delete env.NODE_TEST_CONTEXT;
  return env;
}

function asList<T>(v: T | readonly T[]): T[] {
  return Array.isArray(v) ? [...v] : [v as T];
}

/** Interceptors as module names: runtimes are processes of their own, so functions cannot be handed to them. */
function moduleNames(list: readonly unknown[], who: string): string[] {
  return list.map((i) => {
    if (typeof i === 'string') return i;
    throw new ConfigError(
      `${who}: interceptors run in the runtime processes, so name them by module ('./auth.ts#check'), not as functions`,
    );
  });
}
