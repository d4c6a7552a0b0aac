/**
 * WorkerServer: serves one Executor replica (through its ExecutorRunner) on the server kit: one gRPC port with the
 * Jina services (`Call`, `process_single_data`, `process_data`, `stream_doc`, `endpoint_discovery`, `_status`),
 * gRPC health and server reflection, and on a second, native port the same unary calls for other weft runtimes
 * (advertised in `_status` as `weft-native-address`). Usable in-process (tests, `@weft-ai/weft/testing`) and as the body
 * of the worker process (`worker-main.ts`).
 *
 * Shutdown is graceful (the kit's): health turns NOT_SERVING, new calls are refused (native clients are told
 * GOAWAY), in-flight requests and batch queues drain, the executor's `close()` runs, then the gRPC server and the
 * native connections shut down (forced once the grace period is over).
 */
import type { ServerOptions } from '@grpc/grpc-js';
import type { ExecutorRunner } from '../../executor/index.js';
import { createLogger } from '../../observability/index.js';
import {
  type RuntimeLog,
  type RuntimeLogLevel,
  RuntimeServer,
  type RuntimeState,
  servedServices,
} from '../server/index.js';
import { RequestHandler } from './request-handler.js';
import { workerCalls } from './worker-service.js';

export type WorkerLogLevel = RuntimeLogLevel;
export type WorkerLog = RuntimeLog;

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
  /** Serve TLS with this PEM certificate chain and key (internal TLS); then no native port is served. */
  tls?: { cert: Buffer; key: Buffer };
  /** Where log lines go (default: warnings and errors to stderr). */
  log?: WorkerLog;
}

export interface StopOptions {
  /** How long in-flight requests may take to finish before the server is shut down anyway (default 30 000 ms). */
  graceMs?: number;
}

/** Lifecycle of a WorkerServer; `serving` is the only state that accepts requests. */
export type WorkerHealth = RuntimeState;

const DEFAULT_GRACE_MS = 30_000;

/** Every service name a worker serves (what reflection lists and health reports on). */
export const WORKER_SERVICE_NAMES: readonly string[] = servedServices({ processData: true, streamDoc: true });

export class WorkerServer {
  readonly name: string;
  readonly host: string;
  readonly handler: RequestHandler;
  readonly #server: RuntimeServer;
  readonly #log: WorkerLog;

  constructor(options: WorkerServerOptions) {
    this.name = options.name;
    this.host = options.host ?? '0.0.0.0';
    const log = options.log ?? stderrLog(options.name);
    this.#log = log;
    this.handler = new RequestHandler(options.runner, options.name, (err) => {
      const e = err instanceof Error ? err : new Error(String(err));
      log('error', `executor raised ${e.name}: ${e.message} (answered in-band)`);
    });
    this.#server = new RuntimeServer(
      {
        kind: 'worker',
        name: options.name,
        host: this.host,
        port: options.port ?? 0,
        // the native transport is plain TCP: a worker serving TLS serves gRPC only
        nativePort: options.tls ? false : (options.nativePort ?? 0),
        ...(options.tls ? { tls: options.tls } : {}),
        ...(options.maxReceiveMessageBytes !== undefined
          ? { maxReceiveMessageBytes: options.maxReceiveMessageBytes }
          : {}),
        ...(options.maxSendMessageBytes !== undefined ? { maxSendMessageBytes: options.maxSendMessageBytes } : {}),
        ...(options.grpcOptions ? { grpcOptions: options.grpcOptions } : {}),
        log,
      },
      workerCalls(this.handler, options.name),
    );
  }

  /** Current lifecycle state. */
  get health(): WorkerHealth {
    return this.#server.state;
  }

  /** The bound port (after `start()`). */
  get port(): number | undefined {
    return this.#server.port;
  }

  /** `host:port` a client on this machine can dial (a wildcard host becomes 127.0.0.1). */
  get address(): string {
    return this.#server.address;
  }

  /** The bound native port (after `start()`; undefined when the worker serves none). */
  get nativePort(): number | undefined {
    return this.#server.nativePort;
  }

  /** Requests being processed right now (unary calls and messages of open streams). */
  get inFlight(): number {
    return this.#server.inFlight;
  }

  /** Bind and serve; resolves with the bound port once every service reports SERVING. */
  start(): Promise<number> {
    return this.#server.start();
  }

  /** Graceful shutdown (idempotent). Rejects only when the executor's `close()` threw (after shutting down). */
  stop(options: StopOptions = {}): Promise<void> {
    const runner = this.handler.runner;
    return this.#server.stop(options.graceMs ?? DEFAULT_GRACE_MS, {
      drain: () => runner.drain(),
      close: async (drained) => {
        try {
          await (drained ? runner.close() : runner.executor.close());
        } catch (err) {
          this.#log('error', `executor close() failed: ${(err as Error)?.message ?? String(err)}`);
          throw err;
        }
      },
    });
  }
}

function stderrLog(name: string): WorkerLog {
  const log = createLogger(`weft worker ${name}`);
  return (level, message) => log[level](message);
}
