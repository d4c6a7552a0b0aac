/**
 * The one table of option metadata: every option of a Flow, an executor, a Deployment and a gateway, once, with
 * its help text and how a command line writes it. The schemas (`*-schema.ts`) attach the help to their fields (so
 * it reaches the JSON Schema), the CLI builds its flags and `--help` lines from it (`cli/option-flags.ts`), and the
 * YAML key is the option's name in snake_case. Plain data: reading it loads no validation library.
 */

/** How a command line writes the value (the schema decides what is valid). */
export type OptionType = 'string' | 'integer' | 'number' | 'boolean' | 'json' | 'list';

export interface OptionSpec {
  /** One line (or two) for `--help`, the JSON Schema's `description` and the docs. */
  readonly help: string;
  readonly type: OptionType;
  /** The key in code when the table's id differs (two options of different concepts share a key). */
  readonly key?: string;
  /** The command-line flag when it is not the key in kebab-case (Jina's gateway flags). */
  readonly flag?: string;
  /** The placeholder after the flag in `--help` (`<port>`). */
  readonly arg?: string;
}

const ms = 'ms';

export const OPTIONS = {
  // what runs
  uses: {
    type: 'string',
    arg: 'spec',
    help: 'the executor: ./module.ts#ExportName, an executor YAML (jtype: MyExec), or a registered or built-in name',
  },
  usesWith: { type: 'json', arg: 'json', help: "constructor options of the executor, over its YAML's with:" },
  usesMetas: { type: 'json', arg: 'json', help: 'the executor metas (name, description)' },
  usesRequests: { type: 'json', arg: 'json', help: 'endpoint → method bindings, over the decorators' },
  usesDynamicBatching: {
    type: 'json',
    arg: 'json',
    help: 'dynamic batching per endpoint: {"/encode": {"preferred_batch_size": 16, "timeout": 10}} (timeout in ms)',
  },
  usesBefore: {
    type: 'string',
    arg: 'spec',
    help: 'an executor every request passes before the shards (needs a head)',
  },
  usesAfter: {
    type: 'string',
    arg: 'spec',
    help: "an executor that receives all shards' answers instead of the reduce",
  },
  name: { type: 'string', help: 'the name (of an executor: unique in a Flow; its runtimes are <name>/rep-<i>)' },
  // layout
  replicas: { type: 'integer', arg: 'n', help: 'copies of the executor, each its own process (round robin)' },
  shards: { type: 'integer', arg: 'n', help: 'partitions; with more than one a head fans requests out by polling' },
  polling: {
    type: 'string',
    arg: 'ANY|ALL',
    help: 'ANY (one shard serves) or ALL (every shard), or endpoint → ANY|ALL',
  },
  needs: { type: 'list', help: "the executors this one follows ('gateway': the start; default: the previous one)" },
  when: { type: 'json', arg: 'json', help: 'a filter: only matching documents reach the executor' },
  floating: { type: 'boolean', help: 'fired but not awaited: its answer does not reach the client' },
  external: { type: 'boolean', help: 'already running at host:port; the Flow starts nothing for it' },
  container: {
    type: 'string',
    arg: 'podman|docker',
    help: 'the container engine that runs docker://image executors on this machine (default: none, export them)',
  },
  noReduce: { type: 'boolean', help: "receive the parents' requests unreduced, one by one" },
  // where
  host: { type: 'string', help: 'the interface to listen on (of an external executor: where it runs)' },
  port: { type: 'integer', arg: 'port', help: 'the port to listen on; 0 picks a free one' },
  protocol: { type: 'list', arg: 'p[,…]', help: "the gateway's protocols (grpc, http, websocket), each on a port" },
  workspace: { type: 'string', arg: 'dir', help: 'the base workspace directory of the executors' },
  env: { type: 'json', arg: 'json', help: 'environment variables of every process started (string values)' },
  cwd: { type: 'string', arg: 'dir', help: 'the directory relative uses paths resolve against' },
  // timing and failure
  timeoutSend: { type: 'integer', arg: ms, help: 'per-call timeout towards executors, in ms (default: none)' },
  timeoutReady: {
    type: 'integer',
    arg: ms,
    help: 'how long each runtime may take to become ready, in ms (-1: forever)',
  },
  retries: { type: 'integer', arg: 'n', help: 'extra tries on an unavailable replica (-1: max(3, replicas))' },
  restart: { type: 'json', arg: 'json', help: 'restart policy of crashed runtimes ({initial_delay_ms, …}), or false' },
  closeTimeoutMs: { type: 'integer', arg: ms, help: 'how long close() lets each runtime drain before killing it' },
  prefetch: { type: 'integer', arg: 'n', help: 'requests in flight per client stream (default 1000; 0 = unlimited)' },
  maxMessageBytes: {
    type: 'integer',
    arg: 'bytes',
    help: 'the largest message accepted or sent, in bytes (gateway default 256 MiB on every protocol; -1: none)',
  },
  limits: {
    type: 'json',
    arg: 'json',
    help: 'gateway limits: {maxDocs, maxConcurrent, maxConcurrentPerConnection, maxHeaderBytes, graphqlMaxDepth, graphqlMaxBytes} (0: off)',
  },
  // the HTTP gateway
  cors: { type: 'boolean', help: 'HTTP gateway: allow cross-origin requests' },
  title: { type: 'string', help: 'HTTP gateway: the title of the OpenAPI document' },
  description: { type: 'string', help: 'HTTP gateway: the description of the OpenAPI document' },
  noDebugEndpoints: { type: 'boolean', help: 'HTTP gateway: no /post and /status' },
  noCrudEndpoints: { type: 'boolean', help: 'HTTP gateway: no /index, /search, /update, /delete shortcuts' },
  exposeEndpoints: {
    type: 'json',
    arg: 'json',
    help: 'HTTP gateway: executor endpoint → route ({"/foo": {"methods": ["GET"]}})',
  },
  exposeGraphqlEndpoint: { type: 'boolean', help: 'HTTP gateway: serve GraphQL at /graphql' },
  httpPlugins: {
    type: 'list',
    arg: 'module[,…]',
    help: 'HTTP gateway: fastify plugins (modules) mounting user routes',
  },
  staticFolder: { type: 'string', arg: 'dir', help: 'HTTP gateway: a folder served as static files' },
  staticPrefix: {
    type: 'string',
    arg: 'path',
    help: "HTTP gateway: the URL prefix of the static folder (default '/')",
  },
  discoveryTimeoutMs: {
    type: 'integer',
    arg: ms,
    help: "HTTP gateway: how long start-up waits for the executors' endpoints",
  },
  interceptors: { type: 'list', arg: 'module[,…]', help: '(ctx, next) interceptors (modules) around every request' },
  // logs and OpenTelemetry (Jina's names)
  logLevel: { type: 'string', arg: 'level', help: 'log level of the runtimes: error, warn, info (default) or debug' },
  accessLog: { type: 'boolean', help: 'gateway: one log line per request (default true; false turns it off)' },
  tracing: { type: 'boolean', help: 'export OpenTelemetry spans of every request over OTLP/HTTP' },
  tracesExporterHost: { type: 'string', arg: 'host', help: 'host of the OTLP/HTTP trace receiver (default 127.0.0.1)' },
  tracesExporterPort: { type: 'integer', arg: 'port', help: 'port of the OTLP/HTTP trace receiver (default 4318)' },
  metrics: { type: 'boolean', help: "push Jina's metrics over OTLP/HTTP (an alternative to Prometheus)" },
  metricsExporterHost: {
    type: 'string',
    arg: 'host',
    help: 'host of the OTLP/HTTP metrics receiver (default 127.0.0.1)',
  },
  metricsExporterPort: {
    type: 'integer',
    arg: 'port',
    help: 'port of the OTLP/HTTP metrics receiver (default 4318)',
  },
  // monitoring (Prometheus)
  monitoring: {
    type: 'boolean',
    help: 'serve Prometheus metrics at GET /metrics, each runtime (gateway, head, replica) on its own port',
  },
  portMonitoring: {
    type: 'integer',
    arg: 'port',
    help: 'the port of /metrics (of the gateway, or the entry runtime of an executor; 0 or absent: a free one)',
  },
  // deployment (read by `weft export`; a local Flow ignores them)
  image: {
    type: 'string',
    help: 'deployment only: the container image of this executor (default: the export --image)',
  },
  stateful: { type: 'boolean', help: 'deployment only: keeps state on disk (a StatefulSet with a volume claim)' },
  resources: {
    type: 'json',
    arg: 'json',
    help: 'deployment only: {requests, limits} of cpu and memory of each replica',
  },
  gpus: { type: 'integer', arg: 'n', help: 'deployment only: GPUs per replica' },
  // TLS
  sslCertfile: {
    type: 'string',
    arg: 'file',
    help: 'PEM certificate (chain): the gateway serves TLS on every protocol',
  },
  sslKeyfile: {
    type: 'string',
    arg: 'file',
    help: 'PEM private key of that certificate (required with the certificate)',
  },
  // security
  auth: {
    type: 'json',
    arg: 'json',
    help: 'token auth on every protocol: {"token": …} | {"tokens": […]} | {"token_env": "VAR"} (or set WEFT_AUTH_TOKEN)',
  },
  internalTls: {
    type: 'json',
    arg: 'json',
    help: 'TLS between the gateway and executors: true (a generated CA) or {"certfile", "keyfile", "cafile"}',
  },
  // the gateway's routing (Jina's gateway flags)
  graph: {
    type: 'json',
    arg: 'json',
    flag: 'graph-description',
    help: 'node → children, from "start-gateway" to "end-gateway"',
  },
  addresses: {
    type: 'json',
    arg: 'json',
    flag: 'deployments-addresses',
    help: 'executor → list of addresses (host:port or grpc://host:port)',
  },
  conditions: { type: 'json', arg: 'json', flag: 'graph-conditions', help: 'executor → when filter' },
  // a head's own (weft head, the head workload of an export)
  deployment: { type: 'string', arg: 'name', help: 'the executor (deployment) name, as in the Flow' },
  connectionList: {
    type: 'json',
    arg: 'json',
    help: 'shard id → list of replica addresses, e.g. \'{"0":["enc-0:8080"],"1":["enc-1:8080"]}\'',
  },
  usesBeforeAddress: { type: 'string', arg: 'addr', help: 'an executor run before the shards see a request' },
  usesAfterAddress: {
    type: 'string',
    arg: 'addr',
    help: "an executor that receives all shards' answers instead of the built-in reduce",
  },
  protocolOptions: {
    type: 'json',
    arg: 'json',
    help: "the gateway's HTTP options (cors, title, description, noDebugEndpoints, noCrudEndpoints, …)",
  },
  gatewayNoReduce: {
    type: 'json',
    arg: 'json',
    key: 'noReduce',
    flag: 'deployments-no-reduce',
    help: "executors that get their parents' requests unreduced, e.g. '[\"b\"]'",
  },
} as const satisfies Record<string, OptionSpec>;

export type OptionId = keyof typeof OPTIONS;

/** `timeoutSend` → `timeout_send`. */
export function camelToSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The key of an option in code (camelCase). */
export function optionKey(id: OptionId): string {
  const spec: OptionSpec = OPTIONS[id];
  return spec.key ?? id;
}

/** The key of an option in YAML (snake_case). */
export function yamlKey(id: OptionId): string {
  return camelToSnake(optionKey(id));
}

/** The command-line flag of an option, without the dashes (kebab-case). */
export function flagName(id: OptionId): string {
  const spec: OptionSpec = OPTIONS[id];
  return spec.flag ?? optionKey(id).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The help text of an option. */
export function optionHelp(id: OptionId): string {
  return OPTIONS[id].help;
}
