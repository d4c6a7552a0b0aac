/**
 * WorkerServer: serves one Executor replica (through its ExecutorRunner) on one gRPC port with the Jina services
 * (`Call`, `process_single_data`, `process_data`, `stream_doc`, `endpoint_discovery`, `_status`), gRPC health and server
 * reflection, and on a second, native port the same unary calls for other weft runtimes (advertised in `_status`
 * as `weft-native-address`). Both transports serve the same RuntimeService. Usable in-process (tests,
 * `weft/testing`) and as the body of the worker process (`worker-main.ts`).
 *
 * Shutdown is graceful: health turns NOT_SERVING, new calls are refused (native clients are told GOAWAY),
 * in-flight requests and batch queues drain, the executor's `close()` runs, then the gRPC server and the native
 * connections shut down (forced once the grace period is over).
 */
import { Server, ServerCredentials, type ServerOptions } from '@grpc/grpc-js';
import { StartupError } from '../../errors/index.js';
import type { ExecutorRunner } from '../../executor/index.js';
import { formatHostPort, NATIVE_ADDRESS_KEY, NativeServer } from '../../networking/index.js';
import { createLogger } from '../../observability/index.js';
import { HealthService } from './health-service.js';
import { type HandlerHost, jinaHandlers } from './jina-handlers.js';
import { jinaInfo } from './jina-info.js';
import { reflectionService } from './reflection.js';
import { RequestHandler } from './request-handler.js';
import {
  dataService,
  discoveryService,
  HEALTH_SERVICE_NAME,
  infoService,
  JINA_SERVICE_NAMES,
  jinaRpcService,
  REFLECTION_SERVICE_NAMES,
  singleDataService,
  singleDocumentService,
} from './service-definitions.js';
import { streamDocHandlers } from './stream-doc.js';
import { workerService } from './worker-service.js';

export type WorkerLogLevel = 'info' | 'warn' | 'error';
export type WorkerLog = (level: WorkerLogLevel, message: string) => void;

export interface WorkerServerOptions {
  runner: ExecutorRunner;
  /** Runtime name (`encoder/rep-0`): keys `__results__`, names the executor in errors; its part before `/` is
   *  the deployment name written into route entries. */
  name: string;
  /** Interface to listen on (default `0.0.0.0`). */
  host?: string;
  /** Port to listen on; 0 picks a free one (default 0). */
  port?: number;
  /** Port of the native transport for other weft runtimes; 0 picks a free one (default), false serves none. */
  nativePort?: number | false;
  /** Largest request accepted, in bytes; -1 = unlimited (default, like Jina). Larger ones get RESOURCE_EXHAUSTED. */
  maxReceiveMessageBytes?: number;
  /** Largest answer sent, in bytes; -1 = unlimited (default). */
  maxSendMessageBytes?: number;
  /** Extra grpc-js server options (they win over the ones above). */
  grpcOptions?: ServerOptions;
  /** Where log lines go (default: warnings and errors to stderr). */
  log?: WorkerLog;
}

export interface StopOptions {
  /** How long in-flight requests may take to finish before the server is shut down anyway (default 30 000 ms). */
  graceMs?: number;
}

/** Lifecycle of a WorkerServer; `serving` is the only state that accepts requests. */
export type WorkerHealth = 'created' | 'starting' | 'serving' | 'draining' | 'stopped';

const DEFAULT_GRACE_MS = 30_000;
/** After draining, how long open connections get to close before they are cut (Jina's gRPC stop grace). */
const SERVER_CLOSE_GRACE_MS = 1_000;

/** Every service name a worker serves (what reflection lists and health reports on). */
export const WORKER_SERVICE_NAMES: readonly string[] = [
  ...Object.values(JINA_SERVICE_NAMES),
  HEALTH_SERVICE_NAME,
  ...REFLECTION_SERVICE_NAMES,
];

export class WorkerServer {
  readonly name: string;
  readonly host: string;
  readonly handler: RequestHandler;
  readonly #options: WorkerServerOptions;
  readonly #log: WorkerLog;
  readonly #health = new HealthService();
  #server: Server | undefined;
  #native: NativeServer | undefined;
  #state: WorkerHealth = 'created';
  #accepting = false;
  #port: number | undefined;
  #inFlight = 0;
  #idle: (() => void)[] = [];
  readonly #streams = new Set<() => void>();
  #starting: Promise<number> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: WorkerServerOptions) {
    this.#options = options;
    this.name = options.name;
    this.host = options.host ?? '0.0.0.0';
    this.#log = options.log ?? stderrLog(options.name);
    this.handler = new RequestHandler(options.runner, options.name, (err) => {
      const e = err instanceof Error ? err : new Error(String(err));
      this.#log('error', `executor raised ${e.name}: ${e.message} (answered in-band)`);
    });
  }

  /** Current lifecycle state. */
  get health(): WorkerHealth {
    return this.#state;
  }

  /** The bound port (after `start()`). */
  get port(): number | undefined {
    return this.#port;
  }

  /** `host:port` a client on this machine can dial (a wildcard host becomes 127.0.0.1). */
  get address(): string {
    const host = this.host === '0.0.0.0' || this.host === '::' ? '127.0.0.1' : this.host;
    return `${host.includes(':') ? `[${host}]` : host}:${this.#port ?? this.#options.port ?? 0}`;
  }

  /** The bound native port (after `start()`; undefined when the worker serves none). */
  get nativePort(): number | undefined {
    return this.#native?.port;
  }

  /** Requests being processed right now (unary calls and messages of open streams). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Bind and serve; resolves with the bound port once every service reports SERVING. */
  start(): Promise<number> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  /** Graceful shutdown (idempotent). Rejects only when the executor's `close()` threw (after shutting down). */
  stop(options: StopOptions = {}): Promise<void> {
    this.#stopping ??= this.#stop(options.graceMs ?? DEFAULT_GRACE_MS);
    return this.#stopping;
  }

  async #start(): Promise<number> {
    if (this.#stopping) throw new StartupError(`worker ${this.name} was stopped; create a new WorkerServer`);
    this.#state = 'starting';
    const o = this.#options;
    const server = new Server({
      // note: keep channelz on; with 'grpc.enable_channelz': 0, grpc-js 1.14's forceShutdown() does not destroy
      // the open sessions (it only tracks them for channelz), so a forced stop would leave connections up
      'grpc.max_receive_message_length': o.maxReceiveMessageBytes ?? -1,
      'grpc.max_send_message_length': o.maxSendMessageBytes ?? -1,
      ...o.grpcOptions,
    });
    const host = this.#host();
    const service = workerService(host);
    const handlers = jinaHandlers(host, service);
    server.addService(jinaRpcService, handlers.call);
    server.addService(singleDataService, handlers.singleData);
    server.addService(dataService, handlers.data);
    server.addService(discoveryService, handlers.discovery);
    server.addService(infoService, handlers.info);
    server.addService(singleDocumentService, streamDocHandlers(host));
    this.#health.addToServer(server);
    reflectionService(WORKER_SERVICE_NAMES).addToServer(server);

    const requested = o.port ?? 0;
    const bindTo = `${this.host.includes(':') && !this.host.startsWith('[') ? `[${this.host}]` : this.host}:${requested}`;
    try {
      this.#port = await new Promise<number>((resolve, reject) => {
        server.bindAsync(bindTo, ServerCredentials.createInsecure(), (err, port) =>
          err ? reject(err) : resolve(port),
        );
      });
    } catch (err) {
      this.#state = 'stopped';
      server.forceShutdown();
      throw new StartupError(`worker ${this.name} cannot listen on ${bindTo}: ${(err as Error).message}`, {
        cause: err,
        details: { host: this.host, port: requested },
      });
    }
    if (o.nativePort !== false) {
      const native = new NativeServer({
        service,
        name: `worker ${this.name}`,
        host: this.host,
        port: o.nativePort ?? 0,
        maxReceiveBytes: o.maxReceiveMessageBytes ?? -1,
        maxSendBytes: o.maxSendMessageBytes ?? -1,
      });
      try {
        await native.start();
      } catch (err) {
        this.#state = 'stopped';
        server.forceShutdown();
        throw err;
      }
      this.#native = native;
    }
    this.#server = server;
    this.#accepting = true;
    for (const name of ['', ...WORKER_SERVICE_NAMES]) this.#health.setStatus(name, 'SERVING');
    this.#state = 'serving';
    return this.#port;
  }

  async #stop(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    if (this.#state === 'starting') await this.#starting?.catch(() => undefined);
    this.#accepting = false;
    for (const service of ['', ...WORKER_SERVICE_NAMES]) this.#health.setStatus(service, 'NOT_SERVING');
    if (this.#state !== 'stopped') this.#state = 'draining';
    const server = this.#server;
    // stop taking connections and calls now; calls under way finish on their sessions
    const closed = server ? new Promise<void>((resolve) => server.tryShutdown(() => resolve())) : Promise.resolve();
    this.#native?.goAway();
    for (const poke of [...this.#streams]) poke();

    const runner = this.handler.runner;
    const drained = await settlesBefore(Promise.all([this.#whenIdle(), runner.drain()]), deadline);
    if (!drained) {
      this.#log(
        'warn',
        `grace period of ${graceMs} ms over with ${this.#inFlight} request(s) in flight; closing anyway`,
      );
    }
    let closeError: unknown;
    try {
      await (drained ? runner.close() : runner.executor.close());
    } catch (err) {
      closeError = err;
      this.#log('error', `executor close() failed: ${(err as Error)?.message ?? String(err)}`);
    }
    // answers are written; connections still open now only carry idle streams (health watches, reflection)
    const nativeClosed = this.#native?.close(SERVER_CLOSE_GRACE_MS);
    if (server && !(await settlesBefore(closed, Date.now() + SERVER_CLOSE_GRACE_MS))) server.forceShutdown();
    await nativeClosed;
    this.#state = 'stopped';
    if (closeError !== undefined) throw closeError;
  }

  /** The narrow view of this server the handlers get. */
  #host(): HandlerHost {
    const self = this;
    return {
      handler: this.handler,
      name: this.name,
      get accepting() {
        return self.#accepting;
      },
      track: (work) => this.#track(work),
      info: () => jinaInfo(this.name, this.#nativeInfo()),
      openStream: (poke) => {
        this.#streams.add(poke);
        return () => this.#streams.delete(poke);
      },
    };
  }

  /** The `_status` keys that let weft clients find the native port. */
  #nativeInfo(): Record<string, string> {
    const port = this.#native?.port;
    return port === undefined ? {} : { [NATIVE_ADDRESS_KEY]: formatHostPort(this.host, port) };
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight++;
    // then(ok, fail) rather than finally(): one promise less on every request's path
    return work.then(
      (value) => {
        this.#done();
        return value;
      },
      (err: unknown) => {
        this.#done();
        throw err;
      },
    );
  }

  #done(): void {
    this.#inFlight--;
    if (this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  #whenIdle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}

/** Whether `work` settles before the epoch-ms `deadline`. */
async function settlesBefore(work: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work.then(() => true as const), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function stderrLog(name: string): WorkerLog {
  const log = createLogger(`weft worker ${name}`);
  return (level, message) => log[level](message);
}
