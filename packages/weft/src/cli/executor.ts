/**
 * `weft executor --uses <exec.yml|module#Class|Name> --port N`: serve one Executor in this process with the worker
 * runtime (the Jina gRPC services, health, reflection), as Jina's `jina executor` does; the entrypoint of an
 * executor container and the way to run an executor a Flow reaches as `external`. Its flags come from the option
 * table and are validated with the worker's schema (config/), like a worker a Deployment starts.
 */
import { runtimeSchemas, validate } from '../config/index.js';
import { captureConsole, createLogger, enableRequestContext } from '../observability/index.js';
import { startMonitoring } from '../observability/metrics/index.js';
import { startTelemetry } from '../observability/tracing/index.js';
import { startWorkerInProcess } from '../runtime/worker/index.js';
import { parseFlags, required } from './args.js';
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

const FLAGS: readonly FlagSpec[] = [
  { id: 'uses', note: '(relative to the current directory; required)' },
  { id: 'port', note: '(default 0, printed)' },
  { id: 'host', note: '(default 0.0.0.0)' },
  { id: 'name', note: "(default: the executor's metas name or class)" },
  'usesWith',
  'workspace',
  'monitoring',
  { id: 'portMonitoring', note: '(default: a free one, printed)' },
  { id: 'internalTls', note: `serve TLS: '{"certfile":…,"keyfile":…,"cafile":…}' (PEM files; no native port)` },
];

const OPTIONS: ParseOptions = { ...flagOptions([...FLAGS, ...TELEMETRY_FLAGS]), help: { type: 'boolean', short: 'h' } };

export const executorCommand: Command = {
  name: 'executor',
  summary: 'serve one Executor over the Jina gRPC services',
  help: `Usage: weft executor --uses <exec.yml|module#Class|Name> [--port <port>] [options]

Serve one Executor in this process over the Jina gRPC services (Call, process_single_data, process_data,
endpoint_discovery, _status), gRPC health and reflection; print grpc://host:port on stdout, and serve until
SIGINT or SIGTERM (requests under way finish, the executor's close() runs, exit 0).

Options:
${optionLines([...FLAGS, ...TELEMETRY_FLAGS])}
  -h, --help              show this help

Example:
  weft executor --uses ./encoder.ts#Encoder --port 50051 --name encoder
  weft ping executor 127.0.0.1:50051`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(argv, OPTIONS);
    required(values.uses as string | undefined, 'uses');
    const given = optionValues(FLAGS, values);
    const { workspace, internalTls, ...rest } = given as { workspace?: string; internalTls?: unknown } & Record<
      string,
      unknown
    >;
    let tls: { certfile: string; keyfile: string; cafile: string } | undefined;
    let options: {
      uses: string;
      host?: string;
      port?: number;
      name?: string;
      usesWith?: Record<string, unknown>;
      monitoring?: boolean;
      portMonitoring?: number;
    };
    try {
      const schema = runtimeSchemas().worker.pick({
        uses: true,
        host: true,
        port: true,
        name: true,
        usesWith: true,
        monitoring: true,
        portMonitoring: true,
      });
      options = validate(schema.partial({ port: true, name: true }), rest, 'weft executor flags') as typeof options;
      if (workspace !== undefined) validate(runtimeSchemas().worker.shape.cwd, workspace, 'weft executor flags');
      if (internalTls !== undefined) {
        tls = validate(runtimeSchemas().worker.shape.tls.unwrap(), internalTls, 'weft executor --internal-tls');
      }
    } catch (err) {
      throw usageFromConfig(err, FLAGS);
    }
    const { monitoring, portMonitoring, ...workerOptions } = options;
    const host = options.host ?? '0.0.0.0';
    // this process is the runtime: its logger and its OpenTelemetry read the flags as a child reads its parent's
    applyTelemetryFlags(values);
    return serveUntilSignal('weft executor', io, async () => {
      const telemetry = await startTelemetry(options.name ?? 'executor');
      // the executor's console output: lines of this runtime, with the request id while one is handled
      const restoreConsole = captureConsole(createLogger(`weft executor ${options.name ?? 'executor'}`));
      enableRequestContext();
      const worker = await startWorkerInProcess({
        ...workerOptions,
        ...(telemetry.interceptors.length > 0 ? { interceptors: telemetry.interceptors } : {}),
        host,
        port: options.port ?? 0,
        cwd: process.cwd(),
        ...(workspace !== undefined ? { runtimeArgs: { workspace } } : {}),
        ...(tls ? { tls } : {}),
      });
      io.err(`weft executor: ${worker.server.name} ready on ${host}:${worker.port}`);
      // the executor reads its metrics handle when it uses it, so monitoring may start after it was constructed
      const m = monitoring
        ? await startMonitoring({ kind: 'worker', name: worker.server.name, host, port: portMonitoring ?? 0 })
        : undefined;
      if (m) io.err(`weft executor: metrics on http://${host}:${m.port}/metrics`);
      return {
        addresses: [`grpc://${host}:${worker.port}`],
        stop: async () => {
          try {
            await worker.stop();
          } finally {
            await m?.stop();
            await telemetry.shutdown();
            restoreConsole();
          }
        },
      };
    });
  },
};
