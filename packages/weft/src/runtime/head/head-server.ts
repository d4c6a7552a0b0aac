/**
 * HeadServer: the head runtime of a sharded (or replicated) deployment on one gRPC port. It serves the same
 * services as a worker (`process_single_data`, `process_data`, `Call`, `endpoint_discovery` as the union of the
 * shards', `_status`, health, reflection) and hands every request to a HeadHandler, which fans it out to the
 * shards' connection pools. Like a worker it also serves the unary calls on a native port for other weft runtimes
 * (advertised in `_status`), through the same RuntimeService as its gRPC services. Shutdown is graceful: health
 * turns NOT_SERVING, new calls are refused with UNAVAILABLE (native clients are told GOAWAY), calls under way
 * finish (bounded by a grace period), then connections close.
 */
import { Server, ServerCredentials, type ServerDuplexStream, status } from '@grpc/grpc-js';
import { StartupError, statusFromError } from '../../errors/index.js';
import {
  ConnectionPool,
  DEFAULT_SERVER_OPTIONS,
  formatHostPort,
  grpcContext,
  grpcUnaryHandlers,
  JINA_RAW_SERVICES,
  NATIVE_ADDRESS_KEY,
  NativeServer,
  serviceErrorFrom,
} from '../../networking/index.js';
import { createLogger } from '../../observability/index.js';
import { type DataRequest, decodeDataRequest, encodeDataRequest } from '../../request/index.js';
import {
  HEALTH_SERVICE_NAME,
  HealthService,
  jinaInfo,
  REFLECTION_SERVICE_NAMES,
  reflectionService,
} from '../worker/index.js';
import type { HeadConfig, HeadTargetConfig } from './head-config.js';
import { HeadHandler } from './head-handler.js';
import { type HeadHost, headContext, headService, refusalError } from './head-service.js';

/** Every service a head serves (what reflection lists and health reports on). */
export const HEAD_SERVICE_NAMES: readonly string[] = [
  ...Object.keys(JINA_RAW_SERVICES),
  HEALTH_SERVICE_NAME,
  ...REFLECTION_SERVICE_NAMES,
];

export class HeadServer {
  readonly name: string;
  readonly host: string;
  readonly handler: HeadHandler;
  readonly #config: HeadConfig;
  readonly #health = new HealthService();
  readonly #log: (message: string) => void;
  #server: Server | undefined;
  #native: NativeServer | undefined;
  #port: number | undefined;
  #accepting = false;
  #inFlight = 0;
  #idle: (() => void)[] = [];
  #stopping: Promise<void> | undefined;

  constructor(config: HeadConfig, options: { log?: (message: string) => void } = {}) {
    this.#config = config;
    this.name = config.name;
    this.host = config.host ?? '0.0.0.0';
    this.#log = options.log ?? createLogger(`weft head ${config.name}`).warn;
    const pool = (t: HeadTargetConfig) =>
      new ConnectionPool({
        name: t.name,
        addresses: t.replicas.map((r) => r.address),
        replicaNames: t.replicas.map((r, i) => r.name ?? `${t.name}/rep-${i}`),
        ...(config.retries !== undefined ? { retries: config.retries } : {}),
        ...(config.timeoutSend !== undefined ? { timeoutMs: config.timeoutSend } : {}),
        ...(config.strategy !== undefined ? { strategy: config.strategy } : {}),
      });
    this.handler = new HeadHandler({
      deployment: config.deployment,
      shards: config.shards.map(pool),
      ...(config.polling !== undefined ? { polling: config.polling } : {}),
      ...(config.usesBefore ? { usesBefore: pool(config.usesBefore) } : {}),
      ...(config.usesAfter ? { usesAfter: pool(config.usesAfter) } : {}),
      log: this.#log,
    });
  }

  /** The bound port (after `start()`). */
  get port(): number | undefined {
    return this.#port;
  }

  /** The bound native port (after `start()`; undefined when the head serves none). */
  get nativePort(): number | undefined {
    return this.#native?.port;
  }

  /** `host:port` a client on this machine can dial. */
  get address(): string {
    const host = this.host === '0.0.0.0' || this.host === '::' ? '127.0.0.1' : this.host;
    return `${host.includes(':') ? `[${host}]` : host}:${this.#port ?? this.#config.port}`;
  }

  /** Bind and serve; resolves with the bound port. */
  async start(): Promise<number> {
    const max = this.#config.maxMessageBytes ?? -1;
    const server = new Server({
      ...DEFAULT_SERVER_OPTIONS,
      'grpc.max_receive_message_length': max,
      'grpc.max_send_message_length': max,
    });
    const service = headService(this.#host());
    const unary = grpcUnaryHandlers(service, `head ${this.name}`);
    for (const name of [
      'jina.JinaSingleDataRequestRPC',
      'jina.JinaDataRequestRPC',
      'jina.JinaDiscoverEndpointsRPC',
      'jina.JinaInfoRPC',
    ] as const) {
      server.addService(JINA_RAW_SERVICES[name], unary[name]);
    }
    server.addService(JINA_RAW_SERVICES['jina.JinaRPC'], {
      Call: (s: ServerDuplexStream<Buffer, Uint8Array>) => this.#call(s),
    });
    this.#health.addToServer(server);
    reflectionService(HEAD_SERVICE_NAMES).addToServer(server);
    const bindTo = `${this.host.includes(':') && !this.host.startsWith('[') ? `[${this.host}]` : this.host}:${this.#config.port}`;
    try {
      this.#port = await new Promise<number>((resolve, reject) =>
        server.bindAsync(bindTo, ServerCredentials.createInsecure(), (err, port) =>
          err ? reject(err) : resolve(port),
        ),
      );
    } catch (err) {
      server.forceShutdown();
      throw new StartupError(`head ${this.name} cannot listen on ${bindTo}: ${(err as Error).message}`, {
        cause: err,
        details: { host: this.host, port: this.#config.port },
      });
    }
    if (this.#config.nativePort !== false) {
      const native = new NativeServer({
        service,
        name: `head ${this.name}`,
        host: this.host,
        port: this.#config.nativePort ?? 0,
        maxReceiveBytes: max,
        maxSendBytes: max,
      });
      try {
        await native.start();
      } catch (err) {
        server.forceShutdown();
        throw err;
      }
      this.#native = native;
    }
    this.#server = server;
    this.#accepting = true;
    for (const name of ['', ...HEAD_SERVICE_NAMES]) this.#health.setStatus(name, 'SERVING');
    return this.#port;
  }

  /** Graceful shutdown (idempotent): refuse new calls, let calls under way finish within `graceMs`, close. */
  stop(options: { graceMs?: number } = {}): Promise<void> {
    this.#stopping ??= this.#stop(options.graceMs ?? 30_000);
    return this.#stopping;
  }

  async #stop(graceMs: number): Promise<void> {
    this.#accepting = false;
    for (const service of ['', ...HEAD_SERVICE_NAMES]) this.#health.setStatus(service, 'NOT_SERVING');
    const server = this.#server;
    const closed = server ? new Promise<void>((resolve) => server.tryShutdown(() => resolve())) : Promise.resolve();
    this.#native?.goAway();
    const idle = this.#inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => this.#idle.push(r));
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((r) => {
      timer = setTimeout(() => r('expired'), graceMs);
    });
    const outcome = await Promise.race([Promise.all([idle, closed]), expired]);
    clearTimeout(timer);
    if (outcome === 'expired') {
      this.#log(`grace period of ${graceMs} ms over with ${this.#inFlight} request(s) in flight; closing anyway`);
      server?.forceShutdown();
    }
    await this.#native?.close(outcome === 'expired' ? 0 : 1000);
    this.handler.close();
  }

  /** `Call`: every message is handled as it arrives and answered when done; a failed one is answered in-band. */
  #call(stream: ServerDuplexStream<Buffer, Uint8Array>): void {
    let pending = 0;
    let ended = false;
    const settle = () => {
      if (ended && pending === 0) stream.end();
    };
    const ctx = headContext(grpcContext(stream));
    stream.on('data', (bytes: Buffer) => {
      let req: DataRequest;
      try {
        req = decodeDataRequest(bytes);
      } catch (err) {
        stream.emit(
          'error',
          serviceErrorFrom(err, `head ${this.name} cannot decode a request`, status.INVALID_ARGUMENT),
        );
        return;
      }
      pending++;
      const work = this.#accepting ? this.handler.handle([req], ctx) : Promise.reject(refusalError(this.name));
      this.#track(work)
        .then(
          (answer) => stream.write(encodeDataRequest(answer.response)),
          (err) => {
            req.header.status = statusFromError(err, this.name);
            stream.write(encodeDataRequest(req));
          },
        )
        .finally(() => {
          pending--;
          settle();
        });
    });
    stream.on('end', () => {
      ended = true;
      settle();
    });
    stream.on('error', () => undefined);
  }

  /** The narrow view of this server its RuntimeService gets. */
  #host(): HeadHost {
    const self = this;
    return {
      name: this.name,
      handler: this.handler,
      get accepting() {
        return self.#accepting;
      },
      track: (work) => this.#track(work),
      info: () => {
        const port = this.#native?.port;
        return jinaInfo(this.name, port === undefined ? {} : { [NATIVE_ADDRESS_KEY]: formatHostPort(this.host, port) });
      },
    };
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight++;
    return work.finally(() => {
      this.#inFlight--;
      if (this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
    });
  }
}
