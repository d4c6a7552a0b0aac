/**
 * The one skeleton of every runtime process (worker, head, gateway): read the configuration, start the server,
 * report `{ type: 'ready', port, name, pid }` over IPC (and one line on stderr), or `{ type: 'failed', error }` with
 * the runtime's own error before exiting 1. SIGTERM stops gracefully (exit 0); a second SIGTERM during the stop
 * exits at once (1). An uncaught error after start exits 1 so the parent restarts the process; a vanished parent
 * (closed IPC channel, or the pid in `WEFT_PARENT_PID` gone) stops it too.
 *
 * SIGINT stops like SIGTERM. (Ctrl-C in a terminal does not reach runtimes started by a Deployment or Flow: they run
 * in a session of their own, and their parent stops them in order; see `RuntimeProcess`.)
 */
import { watchParent } from './parent-watch.js';
import { failurePayload, type WorkerMessage } from './server/index.js';

export interface RuntimeMainOptions<C extends { name: string }> {
  /** For log lines, before the name: `weft worker`. */
  kind: string;
  /** Read and validate the process's configuration (a throw is a start-up failure, reported like any other). */
  config: () => C;
  /** Start serving; resolves with the bound port and how to stop. */
  start: (config: C) => Promise<{ port: number; address?: string; stop: () => Promise<void> }>;
}

export async function runRuntimeMain<C extends { name: string }>(options: RuntimeMainOptions<C>): Promise<void> {
  let label = options.kind;
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
    process.exitCode = code;
    // leave the IPC channel so the parent sees the exit promptly, then go
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
      process.stderr.write(`${label}: ${reason} again during shutdown; exiting now\n`);
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
  watchParent((why) => {
    if (!exiting) void shutdown(`parent process went away (${why})`);
  });

  try {
    const config = options.config();
    label = `${options.kind} ${config.name}`;
    const started = await options.start(config);
    stop = started.stop;
    ready = true;
    process.stderr.write(`${label} ready on ${started.address ?? `port ${started.port}`}\n`);
    await send({ type: 'ready', port: started.port, name: config.name, pid: process.pid });
  } catch (err) {
    await fail(err, 'start');
  }
}
