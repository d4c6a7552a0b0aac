/**
 * The container commands of an export: the real `weft executor`, `weft head`, `weft gateway` and `weft ping`
 * command lines (see src/cli/), so an exported workload runs exactly what a user could type.
 */
import type { ContainerExecutor } from './containerize.js';
import type { DeployPlan, PlannedExecutor } from './deploy-plan.js';
import { authArgs, internalTlsArgs, type TlsFiles } from './deploy-security.js';

/** The executable inside every weft image. */
export const WEFT = 'weft';

/** `weft executor …` arguments (after `weft`) for one replica listening on `port`. */
export function executorArgs(
  c: ContainerExecutor,
  o: { name: string; port: number; workspace?: string; portMonitoring?: number; internalTls?: TlsFiles },
): string[] {
  return [
    'executor',
    '--uses',
    c.uses,
    '--port',
    String(o.port),
    '--name',
    o.name,
    ...(c.usesWith ? ['--uses-with', JSON.stringify(c.usesWith)] : []),
    ...(o.workspace !== undefined ? ['--workspace', o.workspace] : []),
    ...monitoringArgs(o.portMonitoring),
    ...internalTlsArgs(o.internalTls, 'runtime'),
  ];
}

/** `--monitoring --port-monitoring <port>` when the runtime is monitored. */
function monitoringArgs(port: number | undefined): string[] {
  return port === undefined ? [] : ['--monitoring', '--port-monitoring', String(port)];
}

/** `weft head …` arguments: shard id → addresses, polling, and the uses_before/uses_after addresses. */
export function headArgs(
  e: PlannedExecutor,
  o: {
    port: number;
    shards: string[][];
    usesBefore?: string;
    usesAfter?: string;
    retries?: number;
    timeoutSend?: number;
    portMonitoring?: number;
    internalTls?: TlsFiles;
  },
): string[] {
  const list = Object.fromEntries(o.shards.map((addresses, i) => [String(i), addresses]));
  return [
    'head',
    '--deployment',
    e.name,
    '--port',
    String(o.port),
    '--connection-list',
    JSON.stringify(list),
    ...(e.polling !== undefined
      ? ['--polling', typeof e.polling === 'string' ? e.polling : JSON.stringify(e.polling)]
      : []),
    ...(o.usesBefore !== undefined ? ['--uses-before-address', o.usesBefore] : []),
    ...(o.usesAfter !== undefined ? ['--uses-after-address', o.usesAfter] : []),
    ...monitoringArgs(o.portMonitoring),
    ...internalTlsArgs(o.internalTls, 'runtime'),
  ];
}

/**
 * `weft gateway …` arguments: the routing graph, every executor's addresses, conditions and protocols, and its
 * monitoring, auth and internal TLS.
 */
export function gatewayArgs(
  plan: DeployPlan,
  addresses: Record<string, string[]>,
  ports: number[],
  o: { portMonitoring?: number; internalTls?: TlsFiles } = {},
): string[] {
  const g = plan.gateway;
  return [
    'gateway',
    '--graph-description',
    JSON.stringify(g.graph),
    '--deployments-addresses',
    JSON.stringify(addresses),
    ...(Object.keys(g.conditions).length > 0 ? ['--graph-conditions', JSON.stringify(g.conditions)] : []),
    ...(g.noReduce.length > 0 ? ['--deployments-no-reduce', JSON.stringify(g.noReduce)] : []),
    '--protocol',
    g.protocols.join(','),
    '--port',
    ports.join(','),
    ...(g.timeoutSend !== undefined ? ['--timeout-send', String(g.timeoutSend)] : []),
    ...(g.retries !== undefined ? ['--retries', String(g.retries)] : []),
    ...(g.prefetch !== undefined ? ['--prefetch', String(g.prefetch)] : []),
    ...(Object.keys(g.protocolOptions).length > 0 ? ['--protocol-options', JSON.stringify(g.protocolOptions)] : []),
    ...monitoringArgs(o.portMonitoring),
    ...authArgs(g.auth),
    ...internalTlsArgs(o.internalTls, 'gateway'),
  ];
}

/** `weft ping …` probing a runtime in the same container/pod. */
export function pingCommand(kind: 'executor' | 'gateway', protocol: string, port: number, timeoutMs = 3000): string[] {
  const target = protocol === 'grpc' ? `127.0.0.1:${port}` : `http://127.0.0.1:${port}`;
  return [WEFT, 'ping', kind, target, '--timeout', String(timeoutMs)];
}

/**
 * Environment of the gateway and the heads: their hops stay on gRPC. A weft runtime also serves a native
 * transport on a port of its own choosing; an export publishes only the gRPC port (one port per Service, what a
 * gRPC-aware service mesh balances per request), so the clients inside the cluster do not try the native one.
 */
export const CLIENT_ENV: Readonly<Record<string, string>> = { WEFT_TRANSPORT: 'grpc' };
