/**
 * `weft gateway --graph-description '{…}' --deployments-addresses '{…}' …`: run a gateway from its arguments alone,
 * with Jina's gateway flags (routing graph, each executor's addresses, `when` conditions, unreduced joins), in front
 * of executors started elsewhere (`weft executor`, containers, Jina workers). Serves every `--protocol` on its
 * `--port` until SIGINT/SIGTERM.
 */
import { accessLogEnabled, createLogger, startAccessLog } from '../observability/index.js';
import { startMonitoring } from '../observability/metrics/index.js';
import { startTelemetry } from '../observability/tracing/index.js';
import { type GatewayConfig, GatewayServer, parseGatewayConfig, protocolNames } from '../runtime/gateway/index.js';
import { parseFlags, required, UsageError } from './args.js';
import type { CliIo, Command } from './command.js';
import {
  type FlagSpec,
  flagOptions,
  optionLines,
  optionValues,
  type ParseOptions,
  usageFromConfig,
} from './option-flags.js';
import { serveUntilSignal } from './serve.js';
import { applyTelemetryFlags, TELEMETRY_FLAGS } from './telemetry-flags.js';

/** Jina's gateway flags, from the option table; validated with the gateway's schema. */
const FLAGS: readonly FlagSpec[] = [
  { id: 'graph', note: `(required), e.g. '{"start-gateway":["a"],"a":["b"],"b":["end-gateway"]}'` },
  { id: 'addresses', note: `(required), e.g. '{"a":["127.0.0.1:50051"],"b":["127.0.0.1:50052"]}'` },
  { id: 'conditions', note: `e.g. '{"b":{"tags__kind":{"$eq":"image"}}}'` },
  'gatewayNoReduce',
  { id: 'protocol', note: '(default grpc; comma-separated or repeated)' },
  { id: 'port', list: true, note: '(one per protocol, same order; default: free ports)' },
  { id: 'host', note: '(default 0.0.0.0)' },
  'prefetch',
  'timeoutSend',
  'retries',
  { id: 'name', note: '(default gateway)' },
  { id: 'sslCertfile', note: '(grpcs, https, wss); the hops to executors stay plain' },
  'sslKeyfile',
  { id: 'protocolOptions', note: `e.g. '{"cors":true,"title":"Shop the look"}'` },
  { id: 'auth', note: `e.g. '{"token_env":"SHOP_TOKENS"}' (a token on the command line shows in ps)` },
  'monitoring',
  { id: 'portMonitoring', note: '(default: a free one, printed)' },
  { id: 'internalTls', note: `verify the executors with cafile: '{"cafile":"/weft/tls/ca.crt"}' (PEM)` },
];

const OPTIONS: ParseOptions = { ...flagOptions([...FLAGS, ...TELEMETRY_FLAGS]), help: { type: 'boolean', short: 'h' } };

const SCHEME: Record<string, string> = { grpc: 'grpc', http: 'http', websocket: 'ws' };
const TLS_SCHEME: Record<string, string> = { grpc: 'grpcs', http: 'https', websocket: 'wss' };

export const gatewayCommand: Command = {
  name: 'gateway',
  summary: "run a gateway from Jina's gateway arguments, in front of running executors",
  help: `Usage: weft gateway --graph-description <json> --deployments-addresses <json> [options]

Run a gateway from its arguments alone, as Jina's \`jina gateway\`: it routes each request through the graph to
the executors at the given addresses (each address a replica), reducing at joins. Print one protocol://host:port
line per protocol on stdout and serve until SIGINT or SIGTERM (requests under way and floating executors finish).

Options:
${optionLines([...FLAGS, ...TELEMETRY_FLAGS], 30)}
  (the access log line per request is on unless WEFT_ACCESS_LOG=0)
  -h, --help                    show this help

Example:
  weft gateway --graph-description '{"start-gateway":["enc"],"enc":["end-gateway"]}' \\
    --deployments-addresses '{"enc":["127.0.0.1:50051"]}' --port 8080`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(argv, OPTIONS);
    const config = gatewayConfigFromFlags(values);
    // this process is the runtime: its logger and its OpenTelemetry read the flags as a child reads its parent's
    applyTelemetryFlags(values);
    return serveUntilSignal('weft gateway', io, async () => {
      const telemetry = await startTelemetry(config.name);
      if (telemetry.interceptors.length > 0) {
        config.interceptors = [...telemetry.interceptors, ...(config.interceptors ?? [])];
      }
      const stopAccessLog = accessLogEnabled()
        ? startAccessLog(createLogger(`weft gateway ${config.name}`))
        : undefined;
      // monitoring first: the bridge sees the gateway's connection pools open
      const m = config.monitoring
        ? await startMonitoring({
            kind: 'gateway',
            name: config.name,
            host: config.host,
            port: config.portMonitoring ?? 0,
          })
        : undefined;
      if (m) io.err(`weft gateway: metrics on http://${config.host}:${m.port}/metrics`);
      const server = new GatewayServer(config);
      let bound: Awaited<ReturnType<GatewayServer['start']>>;
      try {
        bound = await server.start();
      } catch (err) {
        await m?.stop();
        throw err;
      }
      io.err(
        `weft gateway: ${config.name} ready in front of ${Object.keys(config.addresses).join(', ') || 'no executor'}`,
      );
      return {
        addresses: bound.map(
          (b) => `${(b.tls ? TLS_SCHEME : SCHEME)[b.protocol] ?? b.protocol}://${config.host}:${b.port}`,
        ),
        stop: async () => {
          try {
            await server.stop();
          } finally {
            await m?.stop();
            stopAccessLog?.();
            await telemetry.shutdown();
          }
        },
      };
    });
  },
};

/** The gateway configuration the flags describe (validated; mistakes are usage errors naming the flag). */
export function gatewayConfigFromFlags(
  values: Record<string, string | boolean | (string | boolean)[] | undefined>,
): GatewayConfig {
  required(values['graph-description'] as string | undefined, 'graph-description');
  required(values['deployments-addresses'] as string | undefined, 'deployments-addresses');
  const given = optionValues(FLAGS, values) as Record<string, unknown> & { protocol?: string[]; port?: number[] };
  const { protocol, port, addresses, internalTls, ...rest } = given;
  if (addresses === null || typeof addresses !== 'object' || Array.isArray(addresses)) {
    throw new UsageError('--deployments-addresses must be a JSON object of executor → list of addresses');
  }
  const protocols = protocol && protocol.length > 0 ? protocol : ['grpc'];
  const ports = port ?? [];
  const unknown = protocols.filter((p) => !protocolNames().includes(p));
  if (unknown.length > 0) {
    throw new UsageError(`unknown --protocol ${unknown.join(', ')}; available: ${protocolNames().join(', ')}`);
  }
  if (ports.length > protocols.length) {
    throw new UsageError(
      `--port lists ${ports.length} ports for ${protocols.length} protocol(s); give one per protocol`,
    );
  }
  try {
    return parseGatewayConfig({
      ...rest,
      // Jina writes lists; a single address string is accepted too
      addresses: Object.fromEntries(Object.entries(addresses).map(([k, v]) => [k, typeof v === 'string' ? [v] : v])),
      protocols: protocols.map((p, i) => ({ protocol: p, port: ports[i] ?? 0 })),
      ...(internalTls !== undefined ? { internalCafile: internalCafile(internalTls) } : {}),
    });
  } catch (err) {
    throw usageFromConfig(err, [...FLAGS, { id: 'port', list: true }]);
  }
}

/** The CA file of `--internal-tls` (the gateway only dials the executors; it serves no internal TLS itself). */
function internalCafile(option: unknown): string {
  const cafile = (option as { cafile?: unknown } | null)?.cafile;
  if (typeof cafile !== 'string' || cafile === '') {
    throw new UsageError(
      `--internal-tls must be a JSON object with "cafile" (the CA the executors' certificates chain to)`,
    );
  }
  return cafile;
}
