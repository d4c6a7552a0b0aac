/**
 * `weft gateway --graph-description '{…}' --deployments-addresses '{…}' …`: run a gateway from its arguments alone,
 * with Jina's gateway flags (routing graph, each executor's addresses, `when` conditions, unreduced joins), in front
 * of executors started elsewhere (`weft executor`, containers, Jina workers). Serves every `--protocol` on its
 * `--port` until SIGINT/SIGTERM.
 */
import { ConfigError } from '../errors/index.js';
import { type GatewayConfig, GatewayServer, parseGatewayConfig, protocolNames } from '../runtime/gateway/index.js';
import { integer, json, list, type ParsedFlags, parseFlags, required, UsageError } from './args.js';
import type { CliIo, Command } from './command.js';
import { serveUntilSignal } from './serve.js';

const OPTIONS = {
  'graph-description': { type: 'string' },
  'deployments-addresses': { type: 'string' },
  'graph-conditions': { type: 'string' },
  'deployments-no-reduce': { type: 'string' },
  port: { type: 'string', multiple: true },
  protocol: { type: 'string', multiple: true },
  host: { type: 'string' },
  prefetch: { type: 'string' },
  'timeout-send': { type: 'string' },
  retries: { type: 'string' },
  name: { type: 'string' },
  'ssl-certfile': { type: 'string' },
  'ssl-keyfile': { type: 'string' },
  'protocol-options': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

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
  --graph-description <json>      node → children, from "start-gateway" to "end-gateway" (required)
                                  e.g. '{"start-gateway":["a"],"a":["b"],"b":["end-gateway"]}'
  --deployments-addresses <json>  executor → list of addresses (host:port or grpc://host:port) (required)
                                  e.g. '{"a":["127.0.0.1:50051"],"b":["127.0.0.1:50052","127.0.0.1:50053"]}'
  --graph-conditions <json>       executor → \`when\` filter, e.g. '{"b":{"tags__kind":{"$eq":"image"}}}'
  --deployments-no-reduce <json>  executors that get their parents' requests unreduced, e.g. '["b"]'
  --protocol <list>               grpc, http, websocket; comma-separated or repeated (default grpc)
  --port <list>                   one port per protocol, same order (default: free ports)
  --host <host>                   interface to listen on (default 0.0.0.0)
  --prefetch <n>                  requests in flight per client stream (default 1000; 0 = unlimited)
  --timeout-send <ms>             per-call timeout towards executors (default: none)
  --retries <n>                   extra tries on an unavailable replica (default -1: max(3, replicas))
  --name <name>                   the gateway's name in routes and messages (default gateway)
  --ssl-certfile <file>           PEM certificate (chain): every protocol serves TLS (grpcs, https, wss);
                                  the hops to executors stay plain
  --ssl-keyfile <file>            PEM private key of that certificate (required with --ssl-certfile)
  --protocol-options <json>       the Flow's HTTP options, e.g. '{"cors":true,"title":"Shop the look"}'
                                  (cors, title, description, noDebugEndpoints, noCrudEndpoints, …)
  -h, --help                      show this help

Example:
  weft gateway --graph-description '{"start-gateway":["enc"],"enc":["end-gateway"]}' \\
    --deployments-addresses '{"enc":["127.0.0.1:50051"]}' --port 8080`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const config = gatewayConfigFromFlags(parseFlags(argv, OPTIONS).values);
    return serveUntilSignal('weft gateway', io, async () => {
      const server = new GatewayServer(config);
      const bound = await server.start();
      io.err(
        `weft gateway: ${config.name} ready in front of ${Object.keys(config.addresses).join(', ') || 'no executor'}`,
      );
      return {
        addresses: bound.map(
          (b) => `${(b.tls ? TLS_SCHEME : SCHEME)[b.protocol] ?? b.protocol}://${config.host}:${b.port}`,
        ),
        stop: () => server.stop(),
      };
    });
  },
};

/** The gateway configuration the flags describe (validated; mistakes are usage errors naming the flag). */
export function gatewayConfigFromFlags(values: ParsedFlags<typeof OPTIONS>['values']): GatewayConfig {
  const graph = json(
    required(values['graph-description'], 'graph-description'),
    'graph-description',
    'node → children',
  );
  const rawAddresses = json(
    required(values['deployments-addresses'], 'deployments-addresses'),
    'deployments-addresses',
    'executor → list of addresses',
  );
  if (rawAddresses === null || typeof rawAddresses !== 'object' || Array.isArray(rawAddresses)) {
    throw new UsageError('--deployments-addresses must be a JSON object of executor → list of addresses');
  }
  // Jina writes lists; a single address string is accepted too
  const addresses = Object.fromEntries(
    Object.entries(rawAddresses).map(([k, v]) => [k, typeof v === 'string' ? [v] : v]),
  );
  const protocols = list(values.protocol);
  const ports = list(values.port).map((p) => integer(p, 'port', { min: 0, max: 65535 }));
  if (protocols.length === 0) protocols.push('grpc');
  const unknown = protocols.filter((p) => !protocolNames().includes(p));
  if (unknown.length > 0) {
    throw new UsageError(`unknown --protocol ${unknown.join(', ')}; available: ${protocolNames().join(', ')}`);
  }
  if (ports.length > protocols.length) {
    throw new UsageError(
      `--port lists ${ports.length} ports for ${protocols.length} protocol(s); give one per protocol`,
    );
  }
  const input = {
    name: values.name ?? 'gateway',
    graph,
    addresses,
    ...(values['graph-conditions'] !== undefined
      ? { conditions: json(values['graph-conditions'], 'graph-conditions', 'executor → filter') }
      : {}),
    ...(values['deployments-no-reduce'] !== undefined
      ? { noReduce: json(values['deployments-no-reduce'], 'deployments-no-reduce', 'a list of executor names') }
      : {}),
    ...(values.prefetch !== undefined ? { prefetch: integer(values.prefetch, 'prefetch', { min: 0 }) } : {}),
    ...(values['timeout-send'] !== undefined
      ? { timeoutSend: integer(values['timeout-send'], 'timeout-send', { min: 0 }) }
      : {}),
    ...(values.retries !== undefined ? { retries: integer(values.retries, 'retries', { min: -1 }) } : {}),
    host: values.host ?? '0.0.0.0',
    protocols: protocols.map((protocol, i) => ({ protocol, port: ports[i] ?? 0 })),
    ...(values['ssl-certfile'] !== undefined ? { sslCertfile: values['ssl-certfile'] } : {}),
    ...(values['ssl-keyfile'] !== undefined ? { sslKeyfile: values['ssl-keyfile'] } : {}),
    ...(values['protocol-options'] !== undefined
      ? { protocolOptions: json(values['protocol-options'], 'protocol-options', 'option → value') }
      : {}),
  };
  try {
    return parseGatewayConfig(input);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}
