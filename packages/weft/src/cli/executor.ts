/**
 * `weft executor --uses <exec.yml|module#Class|Name> --port N`: serve one Executor in this process with the worker
 * runtime (the Jina gRPC services, health, reflection), as Jina's `jina executor` does; the entrypoint of an
 * executor container and the way to run an executor a Flow reaches as `external`.
 */
import { startWorkerInProcess } from '../runtime/worker/index.js';
import { integer, json, parseFlags, required, UsageError } from './args.js';
import type { CliIo, Command } from './command.js';
import { serveUntilSignal } from './serve.js';

const OPTIONS = {
  uses: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  name: { type: 'string' },
  'uses-with': { type: 'string' },
  workspace: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const executorCommand: Command = {
  name: 'executor',
  summary: 'serve one Executor over the Jina gRPC services',
  help: `Usage: weft executor --uses <exec.yml|module#Class|Name> [--port <port>] [options]

Serve one Executor in this process over the Jina gRPC services (Call, process_single_data, process_data,
endpoint_discovery, _status), gRPC health and reflection; print grpc://host:port on stdout, and serve until
SIGINT or SIGTERM (requests under way finish, the executor's close() runs, exit 0).

Options:
  --uses <spec>         executor YAML (jtype: MyExec), module#ExportName (relative to the current directory),
                        or a registered/built-in executor name (required)
  --port <port>         port to listen on (default 0: a free port, printed)
  --host <host>         interface to listen on (default 0.0.0.0)
  --name <name>         runtime name: routes and __results__ use it (default: the executor's metas name or class)
  --uses-with <json>    constructor options, overriding the YAML's with:
  --workspace <dir>     base workspace directory
  -h, --help            show this help

Example:
  weft executor --uses ./encoder.ts#Encoder --port 50051 --name encoder
  weft ping executor 127.0.0.1:50051`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(argv, OPTIONS);
    const uses = required(values.uses, 'uses');
    const port = values.port === undefined ? 0 : integer(values.port, 'port', { min: 0, max: 65535 });
    const host = values.host ?? '0.0.0.0';
    let usesWith: Record<string, unknown> | undefined;
    if (values['uses-with'] !== undefined) {
      const v = json(values['uses-with'], 'uses-with', 'an object of constructor options');
      if (v === null || typeof v !== 'object' || Array.isArray(v))
        throw new UsageError('--uses-with must be a JSON object');
      usesWith = v as Record<string, unknown>;
    }
    return serveUntilSignal('weft executor', io, async () => {
      const worker = await startWorkerInProcess({
        uses,
        host,
        port,
        cwd: process.cwd(),
        ...(values.name !== undefined ? { name: values.name } : {}),
        ...(usesWith ? { usesWith } : {}),
        ...(values.workspace !== undefined ? { runtimeArgs: { workspace: values.workspace } } : {}),
      });
      io.err(`weft executor: ${worker.server.name} ready on ${host}:${worker.port}`);
      return { addresses: [`grpc://${host}:${worker.port}`], stop: () => worker.stop() };
    });
  },
};
