/**
 * The one skeleton of every runtime process (worker, head, gateway): read the configuration, start the server,
 * report `{ type: 'ready', port, name, pid }` over IPC (and one line on stderr), or `{ type: 'failed', error }` with
 * the runtime's own error before exiting 1; publishes `runtimeUp` / `runtimeDown` (observability/events.ts). SIGTERM stops gracefully (exit 0); a second SIGTERM during the stop
 * exits at once (1). An uncaught error after start exits 1 so the parent restarts the process; a vanished parent
 * (closed IPC channel, or the pid in `WEFT_PARENT_PID` gone) stops it too.
 *
 * SIGINT stops like SIGTERM. (Ctrl-C in a terminal does not reach runtimes started by a Deployment or Flow: they run
 * in a session of their own, and their parent stops them in order; see `RuntimeProcess`.)
 */
import {
  accessLogEnabled,
  captureConsole,
  channels,
  createLogger,
  enableRequestContext,
  type Logger,
  startAccessLog,
  withoutInternalFrames,
} from '../observability/index.js';
import { startMonitoring } from '../observability/metrics/index.js';
import { type RuntimeTelemetry, startTelemetry } from '../observability/tracing/index.js';
import { watchParent } from './parent-watch.js';
import { failurePayload, type StartupTimings, type WorkerMessage } from './server/index.js';

/** What every runtime's configuration may carry besides its own keys: monitoring (`/metrics` on its port). */
interface MonitoredConfig {
  name: string;
  host?: string;
  monitoring?: boolean;
  portMonitoring?: number;
}

export interface RuntimeMainOptions<C extends { name: string }> {
  /** For log lines, before the name: `weft worker`. */
  kind: string;
  /** Read and validate the process's configuration (a throw is a start-up failure, reported like any other). */
  config: () => C;
  /**
   * Start serving; resolves with the bound port and how to stop. `phase(name)` closes a start-up phase (the time
   * since the previous one), reported with `ready` (StartupTimings).
   */
  start: (
    config: C,
    phase: (name: string) => void,
  ) => Promise<{ port: number; address?: string; stop: () => Promise<void> }>;
}

/** Start-up phases as they close: each takes the time since the previous one. */
function startupClock(): { phase: (name: string) => void; timings: () => StartupTimings } {
  // the main's first line runs once every static import is loaded and evaluated
  const node = performance.nodeTiming.bootstrapComplete;
  const phases: Record<string, number> = { node, imports: performance.now() - node };
  let last = performance.now();
  return {
    phase: (name) => {
      const now = performance.now();
      phases[name] = (phases[name] ?? 0) + now - last;
      last = now;
    },
    timings: () => {
      const cpu = process.cpuUsage();
      return { phases, cpuMs: (cpu.user + cpu.system) / 1000, readyMs: performance.now() };
    },
  };
}

export async function runRuntimeMain<C extends { name: string }>(options: RuntimeMainOptions<C>): Promise<void> {
  const clock = startupClock();
  let log: Logger = createLogger(options.kind);
  let name = '';
  let ready = false;
  let exiting = false;
  let stop: (() => Promise<void>) | undefined;
  let stopping: Promise<void> | undefined;
  let telemetry: RuntimeTelemetry | undefined;

  const send = (message: WorkerMessage): Promise<void> => {
    const channel = process.send?.bind(process);
    if (!channel || !process.connected) return Promise.resolve();
    return new Promise((resolve) => channel(message, undefined, {}, () => resolve()));
  };
  const kind = options.kind.replace(/^weft /, '');
  const exit = (code: number, reason: string): void => {
    if (exiting) return;
    exiting = true;
    if (ready && channels.runtimeDown.hasSubscribers) {
      channels.runtimeDown.publish({ kind, name, pid: process.pid, reason });
    }
    process.exitCode = code;
    // leave the IPC channel so the parent sees the exit promptly, then go
    if (process.connected) process.disconnect();
    process.exit(code);
  };
  const fail = async (err: unknown, what: string): Promise<void> => {
    if (!ready) {
      const payload = failurePayload(err);
      // a parent that hears of it over IPC reports it (once); weft's own frames only at level debug
      const stack = log.enabled('debug') ? payload.stack : withoutInternalFrames(payload.stack);
      if (process.connected) log.debug(`failed to start: ${stack}`);
      else log.error(`failed to start: ${stack}`);
      await send({ type: 'failed', error: payload });
    } else {
      log.error(`crashed (${what}): ${(err as Error)?.stack ?? String(err)}`);
    }
    exit(1, what);
  };
  const shutdown = (reason: string): Promise<void> => {
    if (stopping) {
      log.warn(`${reason} again during shutdown; exiting now`);
      exit(1, reason);
      return stopping;
    }
    stopping = (async () => {
      log.info(`${reason}, shutting down`);
      try {
        await stop?.();
        await telemetry?.shutdown();
        exit(0, reason);
      } catch (err) {
        log.error(`shutdown failed: ${(err as Error)?.stack ?? String(err)}`);
        exit(1, reason);
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
    clock.phase('config');
    name = config.name;
    log = createLogger(`${options.kind} ${config.name}`);
    if (kind === 'worker') {
      // the executor's console output: lines of this runtime, with the request id while one is handled
      captureConsole(log);
      enableRequestContext();
    }
    if (kind === 'gateway' && accessLogEnabled()) startAccessLog(log);
    telemetry = await startTelemetry(config.name);
    clock.phase('telemetry');
    if (telemetry.interceptors.length > 0 && kind !== 'head') {
      // the runtime's chain (gateway, worker) starts with the telemetry interceptors, so their span encloses the rest
      const c = config as { interceptors?: string[] };
      c.interceptors = [...telemetry.interceptors, ...(c.interceptors ?? [])];
    }
    // monitoring first: its subscribers see the runtime's pools and executor from their start
    const m = config as MonitoredConfig;
    const monitoring = m.monitoring
      ? await startMonitoring({
          kind,
          name,
          ...(m.host !== undefined ? { host: m.host } : {}),
          port: m.portMonitoring ?? 0,
        })
      : undefined;
    if (monitoring) clock.phase('monitoring');
    let started: Awaited<ReturnType<typeof options.start>>;
    try {
      started = await options.start(config, clock.phase);
    } catch (err) {
      await monitoring?.stop();
      throw err;
    }
    stop = monitoring
      ? async () => {
          try {
            await started.stop();
          } finally {
            await monitoring.stop();
          }
        }
      : started.stop;
    if (monitoring) log.info(`metrics on http://${m.host ?? '0.0.0.0'}:${monitoring.port}/metrics`);
    ready = true;
    const address = started.address ?? `port ${started.port}`;
    log.info(`ready on ${address}`);
    if (channels.runtimeUp.hasSubscribers) {
      channels.runtimeUp.publish({ kind, name, pid: process.pid, port: started.port, address });
    }
    const startup = clock.timings();
    await send({ type: 'ready', port: started.port, name: config.name, pid: process.pid, startup });
  } catch (err) {
    await fail(err, 'start');
  }
}
