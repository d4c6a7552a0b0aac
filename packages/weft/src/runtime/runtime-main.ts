/**
 * The shared skeleton of a runtime process (gateway today; worker and head follow the same protocol): start the
 * server, report `{ type: 'ready', port, name, pid }` over IPC (and one line on stderr), or `{ type: 'failed', error }`
 * with the runtime's own error before exiting 1; SIGTERM/SIGINT stop gracefully (exit 0); an uncaught error after
 * start exits 1 so the parent restarts the process; a vanished parent (closed IPC channel) stops it too.
 */
import { failurePayload, type WorkerMessage } from './worker/index.js';

export interface RuntimeMainOptions {
  /** For log lines: `weft gateway`. */
  label: string;
  name: string;
  /** Start serving; resolves with the bound port and how to stop. */
  start: () => Promise<{ port: number; address?: string; stop: () => Promise<void> }>;
}

export async function runRuntimeMain(options: RuntimeMainOptions): Promise<void> {
  const { label } = options;
  let ready = false;
  let exiting = false;
  let stop: (() => Promise<void>) | undefined;
  let stopping: Promise<void> | undefined;

  const send = (message: WorkerMessage): Promise<void> => {
    const channel = process.send?.bind(process);
    if (!channel || !process.connected) return Promise.resolve();
    return new Promise((resolve) => channel(message, undefined, {}, () => resolve()));
  };
  const exit = (code: number): void => {
    if (exiting) return;
    exiting = true;
    if (process.connected) process.disconnect();
    process.exit(code);
  };
  const fail = async (err: unknown, what: string): Promise<void> => {
    if (!ready) {
      const payload = failurePayload(err);
      process.stderr.write(`${label} failed to start: ${payload.stack}\n`);
      await send({ type: 'failed', error: payload });
    } else {
      process.stderr.write(`${label} crashed (${what}): ${(err as Error)?.stack ?? String(err)}\n`);
    }
    exit(1);
  };
  const shutdown = (reason: string): Promise<void> => {
    if (stopping) {
      exit(1);
      return stopping;
    }
    stopping = (async () => {
      process.stderr.write(`${label}: ${reason}, shutting down\n`);
      try {
        await stop?.();
        exit(0);
      } catch (err) {
        process.stderr.write(`${label}: shutdown failed: ${(err as Error)?.stack ?? String(err)}\n`);
        exit(1);
      }
    })();
    return stopping;
  };

  process.on('uncaughtException', (err) => void fail(err, 'uncaught exception'));
  process.on('unhandledRejection', (reason) => void fail(reason, 'unhandled promise rejection'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  if (process.connected) process.on('disconnect', () => void shutdown('parent process gone'));

  try {
    const started = await options.start();
    stop = started.stop;
    ready = true;
    await send({ type: 'ready', port: started.port, name: options.name, pid: process.pid });
    process.stderr.write(`${label} ${options.name} ready on ${started.address ?? `port ${started.port}`}\n`);
  } catch (err) {
    await fail(err, 'start');
  }
}
