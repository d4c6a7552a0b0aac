/**
 * RuntimeProcess: one supervised runtime child process (a worker replica or a head). `start()` forks it and waits
 * until it is ready (its IPC `ready` message AND a gRPC health check answering SERVING), failing with a
 * `StartupError` that carries the child's own error when it reports `failed`, exits early, or misses
 * `timeoutReady`. Once ready, an unexpected exit is followed by a restart on the same port with exponential
 * back-off (reset after the process stayed up a while). `stop()` sends SIGTERM, waits, then SIGKILLs.
 * A command entry (a container engine's foreground `run`) has no IPC: it is ready when its health check answers.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { StartupError } from '../errors/index.js';
import { RuntimeClient } from '../networking/index.js';
import {
  LOG_ENV,
  logFormatFromEnv,
  logLevelFromEnv,
  withoutInternalFrames,
  writeStderr,
} from '../observability/index.js';
import { trackChild } from './child-registry.js';
import { childExecArgv } from './node-flags.js';

export interface RestartPolicy {
  /** First delay before a restart (default 100 ms); doubles per failed or short-lived run. */
  initialDelayMs: number;
  /** Largest delay (default 5 000 ms). */
  maxDelayMs: number;
  /** A run that stayed up this long resets the delay (default 10 000 ms). */
  resetAfterMs: number;
}

export interface RuntimeProcessOptions {
  /** What the process is, for messages: `executor 'enc' (shard 0, replica 1)`. */
  label: string;
  /** Runtime name (`enc/rep-1`). */
  name: string;
  entry: ForkEntry | CommandEntry;
  /** The child's complete environment. */
  env: NodeJS.ProcessEnv;
  /** `host:port` the runtime listens on (for the health check). */
  address: string;
  /** How long to wait for readiness, in ms; negative waits forever. */
  timeoutReady: number;
  /** Restart after unexpected exits (default on, with the default policy). */
  restart?: Partial<RestartPolicy> | false;
  /** Also wait for a gRPC health check answering SERVING at `address` (default true; false trusts the IPC `ready`). */
  healthCheck?: boolean;
}

/** A runtime forked from a weft entry file (IPC `ready`/`failed` messages). */
export interface ForkEntry {
  file: string;
  execArgv: string[];
}

/** A runtime that is another program (`podman run …`); `cleanup` runs before each start and after each exit. */
export interface CommandEntry {
  command: string;
  args: string[];
  cleanup?: { command: string; args: string[] };
}

export interface ExitInfo {
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export type RuntimeState = 'idle' | 'starting' | 'ready' | 'restarting' | 'stopping' | 'stopped' | 'failed';

interface Launched {
  child: ChildProcess;
  exited: Promise<ExitInfo>;
}

const STDERR_TAIL_LINES = 40;

/**
 * Events: `spawn` (pid, every fork), `exit` (ExitInfo, an unexpected exit of a ready process), `restarting`
 * ({ attempt, delayMs }), `restarted` (pid), `restart-failed` (StartupError).
 */
export class RuntimeProcess extends EventEmitter {
  readonly label: string;
  readonly name: string;
  readonly address: string;
  readonly #options: RuntimeProcessOptions;
  readonly #policy: RestartPolicy | undefined;
  #current: Launched | undefined;
  #state: RuntimeState = 'idle';
  #readyAt = 0;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #stderrTail: string[] = [];

  constructor(options: RuntimeProcessOptions) {
    super();
    this.#options = options;
    this.label = options.label;
    this.name = options.name;
    this.address = options.address;
    this.#policy =
      options.restart === false
        ? undefined
        : { initialDelayMs: 100, maxDelayMs: 5000, resetAfterMs: 10_000, ...options.restart };
  }

  get state(): RuntimeState {
    return this.#state;
  }

  /** Pid of the current child process (undefined between a crash and its restart). */
  get pid(): number | undefined {
    const child = this.#current?.child;
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  /** Fork the process and wait until it is ready; on failure nothing is left running. */
  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new StartupError(`${this.label} was already started`);
    this.#state = 'starting';
    try {
      await this.#launch();
    } catch (err) {
      if (this.#state === 'starting') this.#state = 'failed';
      throw err;
    }
    if (this.#state === 'starting') this.#state = 'ready';
  }

  /**
   * Replace a ready process with a fresh one on the same address (it loads the executor's code again, e.g. after a
   * source change): SIGTERM (SIGKILL after `graceMs`), then fork and wait until ready. Resolves with the new pid;
   * rejects with the `StartupError` of a new process that fails to start (then the crash-restart policy retries).
   * A process that is not ready (starting, restarting, stopped) is left alone: resolves with undefined.
   */
  async restart(graceMs = 10_000): Promise<number | undefined> {
    const current = this.#current;
    if (this.#state !== 'ready' || !current) return undefined;
    this.#state = 'restarting';
    current.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((r) => {
      timer = setTimeout(() => r('expired'), graceMs);
    });
    if ((await Promise.race([current.exited, expired])) === 'expired') {
      current.child.kill('SIGKILL');
      await current.exited;
    }
    clearTimeout(timer);
    if (this.#state !== 'restarting') return undefined; // stopped meanwhile
    try {
      await this.#launch();
    } catch (err) {
      if (this.#state === 'restarting') this.#scheduleRestart();
      throw err;
    }
    if (this.#state !== 'restarting') return undefined;
    this.#failures = 0;
    this.#state = 'ready';
    this.emit('restarted', this.pid);
    return this.pid;
  }

  /** SIGTERM, wait up to `graceMs`, then SIGKILL; resolves once the process has exited. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopping';
    clearTimeout(this.#timer);
    const current = this.#current;
    if (current && current.child.exitCode === null && current.child.signalCode === null) {
      current.child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<'expired'>((r) => {
        timer = setTimeout(() => r('expired'), graceMs);
      });
      const outcome = await Promise.race([current.exited, expired]);
      clearTimeout(timer);
      if (outcome === 'expired') {
        current.child.kill('SIGKILL');
        await current.exited;
      }
    }
    this.#state = 'stopped';
  }

  async #launch(): Promise<void> {
    const o = this.#options;
    const entry = o.entry;
    // the child's stderr is a pipe: it writes the format this process would (readable on a terminal)
    const env = { ...o.env, [LOG_ENV.format]: o.env[LOG_ENV.format] ?? logFormatFromEnv(o.env) };
    // a session of its own: Ctrl-C in a terminal signals the foreground process group, and a runtime that took
    // that SIGINT would then see our orderly SIGTERM as a second signal and cut its graceful stop short. The
    // parent stops its runtimes; one whose parent died notices (watchParent) and stops itself.
    let child: ChildProcess;
    if ('command' in entry) {
      await cleanUp(entry); // a container of an earlier run under the same name
      child = spawn(entry.command, entry.args, { env, stdio: ['ignore', 'inherit', 'pipe'], detached: true });
    } else {
      child = fork(entry.file, [], {
        execArgv: childExecArgv(entry.execArgv),
        env,
        stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
        serialization: 'json',
        detached: true,
      });
    }
    trackChild(child);
    if (child.pid !== undefined) this.emit('spawn', child.pid);
    const exited = new Promise<ExitInfo>((resolve) =>
      child.once('exit', (code, signal) => {
        const info = { pid: child.pid, code, signal };
        if ('command' in entry) void cleanUp(entry).then(() => resolve(info));
        else resolve(info);
      }),
    );
    this.#current = { child, exited };
    this.#stderrTail = [];
    child.stderr?.on('data', (chunk: Buffer) => {
      writeStderr(chunk); // the child's own lines (its logger named it), passed through
      this.#remember(chunk.toString('utf8'));
    });
    try {
      await this.#whenReady(child, exited);
    } catch (err) {
      child.kill('SIGKILL');
      await exited;
      throw err;
    }
    this.#readyAt = Date.now();
    void exited.then((info) => this.#onExit(child, info));
  }

  /** Resolve when the child reported ready and answers health checks; reject with the reason it never will. */
  async #whenReady(child: ChildProcess, exited: Promise<ExitInfo>): Promise<void> {
    const o = this.#options;
    const deadline = o.timeoutReady < 0 ? Number.POSITIVE_INFINITY : Date.now() + o.timeoutReady;
    let timer: NodeJS.Timeout | undefined;
    const failure = new Promise<never>((_, reject) => {
      child.on(
        'message',
        (m: { type?: string; error?: { name?: string; message?: string; stack?: string; code?: string } }) => {
          if (m?.type !== 'failed') return;
          const e = m.error ?? {};
          const whole =
            e.stack && e.message && e.stack.includes(e.message) ? e.stack : `${e.name}: ${e.message}\n${e.stack ?? ''}`;
          // the child logged nothing (it leaves the report to us): weft's own frames only at level debug
          const own = logLevelFromEnv(o.env) === 'debug' ? whole : withoutInternalFrames(whole).trimEnd();
          reject(
            new StartupError(`${this.label} failed to start: ${own}`, {
              details: { runtime: o.name, pid: child.pid, address: o.address, error: e },
            }),
          );
        },
      );
      child.once('error', (err) =>
        reject(new StartupError(`${this.label} could not be started: ${err.message}`, { cause: err })),
      );
      void exited.then((info) =>
        reject(
          new StartupError(
            `${this.label} exited (${info.signal ? `signal ${info.signal}` : `code ${info.code}`}) before becoming ready${this.#tail()}`,
            { details: { runtime: o.name, pid: info.pid, exitCode: info.code, signal: info.signal } },
          ),
        ),
      );
      if (Number.isFinite(deadline)) {
        timer = setTimeout(
          () =>
            reject(
              new StartupError(
                `timed out after ${o.timeoutReady} ms waiting for ${this.label} (pid ${child.pid}, ${o.address}) to become ready; raise timeoutReady if it needs longer to load`,
                { details: { runtime: o.name, pid: child.pid, address: o.address, timeoutReady: o.timeoutReady } },
              ),
            ),
          o.timeoutReady,
        );
      }
    });
    failure.catch(() => undefined);
    // once this attempt is decided either way, the health polling below stops
    const decided = new AbortController();
    const reported = new Promise<void>((resolve) => {
      if (!child.connected) return resolve(); // no IPC (a command entry): its health check is the signal
      const onMessage = (m: { type?: string }) => {
        if (m?.type !== 'ready') return;
        child.off('message', onMessage);
        resolve();
      };
      child.on('message', onMessage);
    });
    try {
      await Promise.race([reported, failure]);
      if (this.#options.healthCheck !== false) {
        await Promise.race([this.#healthy(deadline, decided.signal), failure]);
      }
    } finally {
      clearTimeout(timer);
      decided.abort();
    }
  }

  /**
   * Poll the health service until it answers SERVING, or until `stop` aborts (the attempt was decided otherwise).
   * Each wait is short and the channel is closed only between waits: grpc-js channels closed while `waitForReady`
   * is pending can go on reconnecting until that deadline, keeping this process alive for `timeoutReady`.
   */
  async #healthy(deadline: number, stop: AbortSignal): Promise<void> {
    const client = new RuntimeClient(this.address, { name: this.name });
    try {
      while (!stop.aborted) {
        const connected = await client.waitForReady(Math.min(deadline, Date.now() + 1000)).then(
          () => true,
          () => false,
        );
        if (stop.aborted) return;
        if (connected) {
          const status = await client
            .healthCheck('', { deadline: Math.min(deadline, Date.now() + 5000) })
            .catch(() => 'UNREACHABLE');
          if (status === 'SERVING') return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      client.close();
    }
  }

  #onExit(child: ChildProcess, info: ExitInfo): void {
    if (this.#current?.child !== child || this.#state === 'stopping' || this.#state === 'stopped') return;
    if (this.#state === 'restarting') return; // restart() stopped it on purpose and starts the next one
    this.emit('exit', info);
    if (!this.#policy) {
      this.#state = 'failed';
      return;
    }
    if (Date.now() - this.#readyAt >= this.#policy.resetAfterMs) this.#failures = 0;
    this.#scheduleRestart();
  }

  #scheduleRestart(): void {
    const policy = this.#policy as RestartPolicy;
    const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** this.#failures);
    this.#failures++;
    this.#state = 'restarting';
    this.emit('restarting', { attempt: this.#failures, delayMs });
    this.#timer = setTimeout(async () => {
      if (this.#state !== 'restarting') return;
      try {
        await this.#launch();
      } catch (err) {
        if (this.#state !== 'restarting') return;
        this.emit('restart-failed', err);
        this.#scheduleRestart();
        return;
      }
      if (this.#state !== 'restarting') return;
      this.#state = 'ready';
      this.emit('restarted', this.pid);
    }, delayMs);
  }

  #remember(text: string): void {
    this.#stderrTail.push(...text.split('\n').filter((l) => l.length > 0));
    if (this.#stderrTail.length > STDERR_TAIL_LINES)
      this.#stderrTail.splice(0, this.#stderrTail.length - STDERR_TAIL_LINES);
  }

  #tail(): string {
    return this.#stderrTail.length === 0 ? '' : `; its last output:\n  ${this.#stderrTail.join('\n  ')}`;
  }
}

/** Run a command entry's cleanup (bounded; its failure is not the runtime's). */
function cleanUp(entry: CommandEntry): Promise<void> {
  const c = entry.cleanup;
  if (!c) return Promise.resolve();
  return new Promise((resolve) => {
    const p = spawn(c.command, c.args, { stdio: 'ignore', timeout: 30_000 });
    p.once('error', () => resolve());
    p.once('exit', () => resolve());
  });
}
