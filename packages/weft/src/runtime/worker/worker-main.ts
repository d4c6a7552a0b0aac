/**
 * The worker process: reads its configuration from `WEFT_WORKER_CONFIG`, constructs one Executor replica and
 * serves it with a WorkerServer. Over IPC (when forked) it reports `{ type: 'ready', port }` once serving, or
 * `{ type: 'failed', error }` (the executor's own name, message and stack) before exiting with code 1.
 * SIGTERM/SIGINT shut down gracefully (exit 0); an uncaught error exits with code 1 so the parent can restart it.
 *
 * Start it through `workerEntry()`; from the sources:
 *   WEFT_WORKER_CONFIG='{"uses":"./exec.ts#MyExec","name":"exec","port":0}' \
 *     node --conditions=weft-source --import tsx packages/weft/src/runtime/worker/worker-main.ts
 */
import { ExecutorRunner } from '../../executor/index.js';
import { createExecutor, loadExecutorClass, parseWorkerConfig, type WorkerConfig } from './worker-config.js';
import { failurePayload, type WorkerMessage } from './worker-messages.js';
import { WorkerServer } from './worker-server.js';

let label = 'weft worker';
let config: WorkerConfig | undefined;
let runner: ExecutorRunner | undefined;
let server: WorkerServer | undefined;
let ready = false;
let exiting = false;
let shuttingDown: Promise<void> | undefined;

function send(message: WorkerMessage): Promise<void> {
  const channel = process.send?.bind(process);
  if (!channel || !process.connected) return Promise.resolve();
  return new Promise((resolve) => {
    channel(message, undefined, {}, () => resolve());
  });
}

function exit(code: number): void {
  if (exiting) return;
  exiting = true;
  process.exitCode = code;
  // leave the IPC channel so the parent sees the exit promptly, then go
  if (process.connected) process.disconnect();
  process.exit(code);
}

async function failStartup(err: unknown): Promise<void> {
  const payload = failurePayload(err);
  process.stderr.write(`${label} failed to start: ${payload.stack}\n`);
  await send({ type: 'failed', error: payload });
  exit(1);
}

async function crash(err: unknown, what: string): Promise<void> {
  if (!ready) return failStartup(err);
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`${label} crashed (${what}): ${e.stack ?? e.message}\n`);
  exit(1);
}

function shutdown(reason: string): Promise<void> {
  if (shuttingDown) {
    process.stderr.write(`${label}: ${reason} again during shutdown; exiting now\n`);
    exit(1);
    return shuttingDown;
  }
  shuttingDown = (async () => {
    process.stderr.write(`${label}: ${reason}, shutting down\n`);
    try {
      const graceMs = config?.shutdownGraceMs;
      if (server) await server.stop(graceMs !== undefined ? { graceMs } : {});
      else if (runner) await runner.close();
      exit(0);
    } catch (err) {
      process.stderr.write(`${label}: shutdown failed: ${(err as Error)?.stack ?? String(err)}\n`);
      exit(1);
    }
  })();
  return shuttingDown;
}

async function main(): Promise<void> {
  process.on('uncaughtException', (err) => void crash(err, 'uncaught exception'));
  process.on('unhandledRejection', (reason) => void crash(reason, 'unhandled promise rejection'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  if (process.send) process.on('disconnect', () => void (exiting || shutdown('parent process went away')));

  try {
    config = parseWorkerConfig(process.env.WEFT_WORKER_CONFIG);
    label = `weft worker ${config.name}`;
    const resolved = await loadExecutorClass(config);
    runner = new ExecutorRunner(createExecutor(resolved, config), config.name);
    if (shuttingDown) return;
    server = new WorkerServer({
      runner,
      name: config.name,
      port: config.port,
      ...(config.host !== undefined ? { host: config.host } : {}),
      ...(config.nativePort !== undefined ? { nativePort: config.nativePort } : {}),
      ...(config.maxMessageBytes !== undefined
        ? { maxReceiveMessageBytes: config.maxMessageBytes, maxSendMessageBytes: config.maxMessageBytes }
        : {}),
    });
    const port = await server.start();
    if (shuttingDown) return;
    ready = true;
    process.stderr.write(`${label} ready on ${server.host}:${port}\n`);
    await send({ type: 'ready', port, name: config.name, pid: process.pid });
  } catch (err) {
    await failStartup(err);
  }
}

await main();
