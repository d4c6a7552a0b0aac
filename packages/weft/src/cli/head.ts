/**
 * `weft head --deployment enc --connection-list '{"0":["enc-0:8080"],"1":["enc-1:8080"]}' --port 8080`: run the
 * head of a sharded executor from its arguments alone (Jina's head takes the same `--connection-list`), in front of
 * shards started elsewhere: the head workload of a Kubernetes or compose export. It fans each request out by
 * `--polling`, reduces the shards' answers, and runs the optional uses_before/uses_after executors.
 */
import { ConfigError } from '../errors/index.js';
import { HeadServer, parseHeadConfig } from '../runtime/head/index.js';
import { integer, json, parseFlags, required, UsageError } from './args.js';
import type { CliIo, Command } from './command.js';
import { serveUntilSignal } from './serve.js';

const OPTIONS = {
  deployment: { type: 'string' },
  'connection-list': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  name: { type: 'string' },
  polling: { type: 'string' },
  'uses-before-address': { type: 'string' },
  'uses-after-address': { type: 'string' },
  retries: { type: 'string' },
  'timeout-send': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const headCommand: Command = {
  name: 'head',
  summary: 'run the head of a sharded executor in front of shards started elsewhere',
  help: `Usage: weft head --deployment <name> --connection-list <json> [--port <port>] [options]

Run the head of a sharded executor from its arguments alone (the head workload of \`weft export\`): each request
goes to the shards by --polling, their answers are reduced, and the optional uses_before/uses_after executors run
before and after. Print grpc://host:port on stdout and serve until SIGINT or SIGTERM.

Options:
  --deployment <name>            the executor (deployment) name, as in the Flow (required)
  --connection-list <json>       shard id → list of replica addresses (required),
                                 e.g. '{"0":["enc-0.default.svc:8080"],"1":["enc-1.default.svc:8080"]}'
  --port <port>                  port to listen on (default 0: a free port, printed)
  --host <host>                  interface to listen on (default 0.0.0.0)
  --name <name>                  runtime name (default <deployment>/head)
  --polling <ANY|ALL|json>       ANY (one shard, default), ALL (every shard), or per endpoint
                                 '{"/search":"ALL","*":"ANY"}'
  --uses-before-address <addr>   an executor run before the shards see a request
  --uses-after-address <addr>    an executor that receives all shards' answers instead of the built-in reduce
  --retries <n>                  extra tries on an unavailable replica (default -1: max(3, replicas))
  --timeout-send <ms>            per-call timeout towards the shards (default: none)
  -h, --help                     show this help

Example:
  weft head --deployment enc --port 8080 \\
    --connection-list '{"0":["127.0.0.1:50051"],"1":["127.0.0.1:50052"]}' --polling ALL`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(argv, OPTIONS);
    const deployment = required(values.deployment, 'deployment');
    const list = json(
      required(values['connection-list'], 'connection-list'),
      'connection-list',
      'shard id → list of addresses',
    );
    if (list === null || typeof list !== 'object' || Array.isArray(list)) {
      throw new UsageError('--connection-list must be a JSON object of shard id → list of addresses');
    }
    const shards = Object.entries(list as Record<string, unknown>)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([id, v]) => ({
        name: `${deployment}/shard-${id}`,
        replicas: (typeof v === 'string' ? [v] : (v as string[])).map((address) => ({ address })),
      }));
    let polling: unknown = values.polling;
    if (polling !== undefined && (polling as string).trim().startsWith('{')) {
      polling = json(polling as string, 'polling', 'endpoint → ANY|ALL');
    }
    const target = (address: string | undefined, role: string) =>
      address === undefined ? undefined : { name: `${deployment}/${role}`, replicas: [{ address }] };
    const before = target(values['uses-before-address'], 'uses-before');
    const after = target(values['uses-after-address'], 'uses-after');
    let config: ReturnType<typeof parseHeadConfig>;
    try {
      config = parseHeadConfig({
        name: values.name ?? `${deployment}/head`,
        deployment,
        host: values.host ?? '0.0.0.0',
        port: values.port === undefined ? 0 : integer(values.port, 'port', { min: 0, max: 65535 }),
        shards,
        ...(polling !== undefined ? { polling } : {}),
        ...(before ? { usesBefore: before } : {}),
        ...(after ? { usesAfter: after } : {}),
        ...(values.retries !== undefined ? { retries: integer(values.retries, 'retries', { min: -1 }) } : {}),
        ...(values['timeout-send'] !== undefined
          ? { timeoutSend: integer(values['timeout-send'], 'timeout-send', { min: 1 }) }
          : {}),
      });
    } catch (err) {
      if (err instanceof ConfigError) throw new UsageError(err.message);
      throw err;
    }
    return serveUntilSignal('weft head', io, async () => {
      const server = new HeadServer(config);
      const port = await server.start();
      io.err(`weft head: ${config.name} ready in front of ${shards.length} shard(s)`);
      return { addresses: [`grpc://${config.host}:${port}`], stop: () => server.stop() };
    });
  },
};
