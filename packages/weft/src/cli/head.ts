/**
 * `weft head --deployment enc --connection-list '{"0":["enc-0:8080"],"1":["enc-1:8080"]}' --port 8080`: run the
 * head of a sharded executor from its arguments alone (Jina's head takes the same `--connection-list`), in front of
 * shards started elsewhere: the head workload of a Kubernetes or compose export. It fans each request out by
 * `--polling`, reduces the shards' answers, and runs the optional uses_before/uses_after executors.
 */
import { type HeadConfig, validateHeadConfig } from '../config/index.js';
import { startMonitoring } from '../observability/metrics/index.js';
import { HeadServer } from '../runtime/head/index.js';
import { json, parseFlags, required, UsageError } from './args.js';
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

/** The head's flags, from the option table; validated with the head's schema, as a Deployment's heads are. */
const FLAGS: readonly FlagSpec[] = [
  { id: 'deployment', note: '(required)' },
  { id: 'connectionList', note: '(required)' },
  { id: 'port', note: '(default 0, printed)' },
  { id: 'host', note: '(default 0.0.0.0)' },
  { id: 'name', note: '(default <deployment>/head)' },
  { id: 'polling', note: `(default ANY; per endpoint as JSON: '{"/search":"ALL","*":"ANY"}')` },
  'usesBeforeAddress',
  'usesAfterAddress',
  'retries',
  'timeoutSend',
  'monitoring',
  { id: 'portMonitoring', note: '(default: a free one, printed)' },
  {
    id: 'internalTls',
    note: `serve TLS and verify the shards with cafile: '{"certfile":…,"keyfile":…,"cafile":…}'`,
  },
];

const OPTIONS: ParseOptions = { ...flagOptions(FLAGS), help: { type: 'boolean', short: 'h' } };

export const headCommand: Command = {
  name: 'head',
  summary: 'run the head of a sharded executor in front of shards started elsewhere',
  help: `Usage: weft head --deployment <name> --connection-list <json> [--port <port>] [options]

Run the head of a sharded executor from its arguments alone (the head workload of \`weft export\`): each request
goes to the shards by --polling, their answers are reduced, and the optional uses_before/uses_after executors run
before and after. Print grpc://host:port on stdout and serve until SIGINT or SIGTERM.

Options:
${optionLines(FLAGS, 31)}
  -h, --help                     show this help

Example:
  weft head --deployment enc --port 8080 \\
    --connection-list '{"0":["127.0.0.1:50051"],"1":["127.0.0.1:50052"]}' --polling ALL`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(argv, OPTIONS);
    const deployment = required(values.deployment as string | undefined, 'deployment');
    required(values['connection-list'] as string | undefined, 'connection-list');
    const given = optionValues(FLAGS, values) as Record<string, unknown> & {
      connectionList: unknown;
      polling?: string;
      usesBeforeAddress?: string;
      usesAfterAddress?: string;
    };
    const { connectionList: list, polling, usesBeforeAddress, usesAfterAddress, internalTls, ...rest } = given;
    if (list === null || typeof list !== 'object' || Array.isArray(list)) {
      throw new UsageError('--connection-list must be a JSON object of shard id → list of addresses');
    }
    const shards = Object.entries(list as Record<string, unknown>)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([id, v]) => ({
        name: `${deployment}/shard-${id}`,
        replicas: (typeof v === 'string' ? [v] : (v as string[])).map((address) => ({ address })),
      }));
    const target = (address: string | undefined, role: string) =>
      address === undefined ? undefined : { name: `${deployment}/${role}`, replicas: [{ address }] };
    const before = target(usesBeforeAddress, 'uses-before');
    const after = target(usesAfterAddress, 'uses-after');
    let config: HeadConfig;
    try {
      // validated with the head's schema, as a Deployment validates the heads it starts
      config = validateHeadConfig({
        name: `${deployment}/head`,
        host: '0.0.0.0',
        port: 0,
        ...rest,
        deployment,
        shards,
        ...(polling !== undefined
          ? { polling: polling.trim().startsWith('{') ? json(polling, 'polling', 'endpoint → ANY|ALL') : polling }
          : {}),
        ...(before ? { usesBefore: before } : {}),
        ...(after ? { usesAfter: after } : {}),
        ...(internalTls !== undefined ? { tls: internalTls } : {}),
      });
    } catch (err) {
      throw usageFromConfig(err, FLAGS);
    }
    return serveUntilSignal('weft head', io, async () => {
      // monitoring first: the bridge sees the head's connection pools open
      const m = config.monitoring
        ? await startMonitoring({
            kind: 'head',
            name: config.name,
            host: config.host ?? '0.0.0.0',
            port: config.portMonitoring ?? 0,
          })
        : undefined;
      if (m) io.err(`weft head: metrics on http://${config.host}:${m.port}/metrics`);
      const server = new HeadServer(config);
      let port: number;
      try {
        port = await server.start();
      } catch (err) {
        await m?.stop();
        throw err;
      }
      io.err(`weft head: ${config.name} ready in front of ${shards.length} shard(s)`);
      return {
        addresses: [`grpc://${config.host}:${port}`],
        stop: () => server.stop().finally(() => m?.stop()),
      };
    });
  },
};
