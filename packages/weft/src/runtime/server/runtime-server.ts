/**
 * RuntimeServer: the one server kit every runtime kind serves with (`WorkerServer`, `HeadServer`, the gateway's
 * `GrpcProtocol`). A runtime supplies what it does with each call (`RuntimeCalls`); the kit does the rest, once:
 *
 * - bind: one gRPC port (IPv6 hosts in brackets, TLS when given; a port that cannot be bound is a
 *   `StartupError` naming it) and, optionally, the native port for other weft runtimes (advertised in `_status`
 *   as `weft-native-address`), both serving the same `RuntimeService`;
 * - services: the Jina services of the one table in `networking/jina-services.ts` — `Call` (`serveCallStream`,
 *   see its rule), `process_single_data`, `endpoint_discovery`, `_status` (`jinaInfo`, the same for every
 *   runtime), and when the runtime supplies them `process_data`, `stream_doc` and `dry_run` — plus gRPC health
 *   and reflection over exactly the services served;
 * - in-flight tracking: data calls (unary, stream messages, `stream_doc` streams) count as in flight until they
 *   settle; a draining runtime refuses new ones with UNAVAILABLE; a data call whose caller's deadline passed before
 *   it was dispatched (it waited behind a busy executor) is answered DEADLINE_EXCEEDED without being processed;
 * - graceful stop: health turns NOT_SERVING, new calls are refused (native clients are told GOAWAY), open `Call`
 *   streams end once their answers are out, the calls under way finish — raced against the grace period — then
 *   the runtime's own `close` hook runs and the connections close (cut one second later, or at once when the
 *   grace period ran out).
 */
import { Server, ServerCredentials, type ServerOptions, type ServerWritableStream, status } from '@grpc/grpc-js';
import { DeadlineExceededError, StartupError, UnavailableError } from '../../errors/index.js';
import {
  DEFAULT_SERVER_OPTIONS,
  formatHostPort,
  grpcContext,
  grpcUnaryHandlers,
  JINA_RAW_SERVICES,
  NATIVE_ADDRESS_KEY,
  NativeServer,
  type RuntimeService,
  type ServiceOutcome,
  serveServerStream,
  serviceErrorFrom,
} from '../../networking/index.js';
import { channels, createLogger } from '../../observability/index.js';
import {
  decodeStreamDocRequest,
  encodeJinaInfo,
  encodeStatus,
  type JinaInfo,
  type SingleDocumentRequest,
} from '../../request/index.js';
import { serveCallStream } from './call-stream.js';
import { HealthService } from './health-service.js';
import { jinaInfo } from './jina-info.js';
import { reflectionService } from './reflection.js';
import { type RuntimeCalls, type StreamDocHandler, servedServices } from './runtime-calls.js';

export type RuntimeKind = 'worker' | 'head' | 'gateway';
/** Lifecycle of a runtime server; `serving` is the only state that accepts requests. */
export type RuntimeState = 'created' | 'starting' | 'serving' | 'draining' | 'stopped';
export type RuntimeLogLevel = 'info' | 'warn' | 'error';
export type RuntimeLog = (level: RuntimeLogLevel, message: string) => void;

export interface RuntimeServerOptions {
  kind: RuntimeKind;
  /** Runtime name (`encoder/rep-0`, `encoder/head`, `gateway`). */
  name: string;
  /** Interface to listen on (default `0.0.0.0`). */
  host?: string;
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Port of the native transport for other weft runtimes; 0 picks a free one, false (default) serves none. */
  nativePort?: number | false;
  /** Largest request accepted, in bytes; -1 = unlimited (default, like Jina). Larger ones get RESOURCE_EXHAUSTED. */
  maxReceiveMessageBytes?: number;
  /** Largest answer sent, in bytes; -1 = unlimited (default). */
  maxSendMessageBytes?: number;
  /** Extra grpc-js server options (they win over the ones above). */
  grpcOptions?: ServerOptions;
  /** Serve TLS with this PEM certificate chain and key (plain text without). */
  tls?: { cert: Buffer; key: Buffer };
  /** Most messages handled at once on one `Call` stream (default and 0: no limit). */
  prefetch?: number;
  /** Where the kit's log lines go (default: warnings and errors to stderr). */
  log?: RuntimeLog;
}

/** After draining, how long open connections get to close before they are cut (Jina's gRPC stop grace). */
const SERVER_CLOSE_GRACE_MS = 1_000;

/** The hooks of a graceful stop. */
export interface StopHooks {
  /** More to wait for (racing the grace period) besides the calls in flight: a worker's batch queues. */
  drain?: () => Promise<unknown>;
  /** Runs once drained (or the grace period is over), before connections close: an executor's `close()`. A
   *  throw is rethrown by `stop()` after shutting down. */
  close?: (drained: boolean) => unknown;
}

/**
 * One runtime's server (see the module comment).
 * @example
 * const server = new RuntimeServer({ kind: 'worker', name: 'enc/rep-0', nativePort: 0 }, workerCalls(handler, 'enc/rep-0'));
 * const port = await server.start();
 * // … serve …
 * await server.stop(30_000, { drain: () => runner.drain(), close: () => runner.close() });
 */
export class RuntimeServer {
  readonly kind: RuntimeKind;
  readonly name: string;
  readonly host: string;
  /** `worker encoder/rep-0`: who serves, in messages. */
  readonly label: string;
  /** The services served (reflection lists them, health reports each). */
  readonly services: readonly string[];
  readonly #options: RuntimeServerOptions;
  readonly #calls: RuntimeCalls;
  readonly #log: RuntimeLog;
  readonly #health = new HealthService();
  readonly #streams = new Set<() => void>();
  readonly #service: RuntimeService;
  #server: Server | undefined;
  #native: NativeServer | undefined;
  #state: RuntimeState = 'created';
  #accepting = false;
  #port: number | undefined;
  #inFlight = 0;
  #idle: (() => void)[] = [];
  #starting: Promise<number> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: RuntimeServerOptions, calls: RuntimeCalls) {
    this.#options = options;
    this.#calls = calls;
    this.kind = options.kind;
    this.name = options.name;
    this.host = options.host ?? '0.0.0.0';
    this.label = `${options.kind} ${options.name}`;
    this.services = servedServices(calls);
    this.#log = options.log ?? stderrLog(this.label);
    this.#service = this.#guarded();
  }

  get state(): RuntimeState {
    return this.#state;
  }

  /** False once shutdown began. */
  get accepting(): boolean {
    return this.#accepting;
  }

  /** The bound port (after `start()`). */
  get port(): number | undefined {
    return this.#port;
  }

  /** The bound native port (after `start()`; undefined when none is served). */
  get nativePort(): number | undefined {
    return this.#native?.port;
  }

  /** `host:port` a client on this machine can dial (a wildcard host becomes 127.0.0.1). */
  get address(): string {
    const host = this.host === '0.0.0.0' || this.host === '::' ? '127.0.0.1' : this.host;
    return formatHostPort(host, this.#port ?? this.#options.port ?? 0);
  }

  /** Calls being processed right now (unary calls, messages of open streams, `stream_doc` calls). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** What `_status` answers. */
  info(): JinaInfo {
    const port = this.#native?.port;
    return jinaInfo(this.name, port === undefined ? {} : { [NATIVE_ADDRESS_KEY]: formatHostPort(this.host, port) });
  }

  /** Bind and serve; resolves with the bound port once every service reports SERVING. */
  start(): Promise<number> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  /** Graceful shutdown (idempotent; see the module comment). Rejects only with the `close` hook's error. */
  stop(graceMs: number, hooks: StopHooks = {}): Promise<void> {
    this.#stopping ??= this.#stop(graceMs, hooks);
    return this.#stopping;
  }

  /** Count `work` as in flight until it settles. */
  track<T>(work: Promise<T>): Promise<T> {
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

  async #start(): Promise<number> {
    if (this.#stopping) throw new StartupError(`${this.label} was stopped; create a new server`);
    this.#state = 'starting';
    const o = this.#options;
    const server = new Server({
      // note: keep channelz on; with 'grpc.enable_channelz': 0, grpc-js 1.14's forceShutdown() does not destroy
      // the open sessions (it only tracks them for channelz), so a forced stop would leave connections up
      ...DEFAULT_SERVER_OPTIONS,
      'grpc.max_receive_message_length': o.maxReceiveMessageBytes ?? -1,
      'grpc.max_send_message_length': o.maxSendMessageBytes ?? -1,
      ...o.grpcOptions,
    });
    this.#addServices(server);
    const requested = o.port ?? 0;
    const bindTo = formatHostPort(this.host, requested);
    const credentials = o.tls
      ? ServerCredentials.createSsl(null, [{ private_key: o.tls.key, cert_chain: o.tls.cert }], false)
      : ServerCredentials.createInsecure();
    try {
      this.#port = await new Promise<number>((resolve, reject) => {
        server.bindAsync(bindTo, credentials, (err, port) => (err ? reject(err) : resolve(port)));
      });
    } catch (err) {
      this.#state = 'stopped';
      server.forceShutdown();
      throw new StartupError(`${this.label} cannot listen on ${bindTo} (grpc): ${(err as Error).message}`, {
        cause: err,
        details: { host: this.host, port: requested },
      });
    }
    if (o.nativePort !== undefined && o.nativePort !== false) {
      const native = new NativeServer({
        service: this.#service,
        name: this.label,
        host: this.host,
        port: o.nativePort,
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
    this.#health.setAll(this.services, 'SERVING');
    this.#state = 'serving';
    return this.#port;
  }

  #addServices(server: Server): void {
    const calls = this.#calls;
    const unary = grpcUnaryHandlers(this.#service, `${this.label} failed`);
    server.addService(JINA_RAW_SERVICES['jina.JinaRPC'], {
      Call: (call: Parameters<typeof serveCallStream>[0]) => serveCallStream(call, this.#service, this.#streamHost()),
    });
    server.addService(JINA_RAW_SERVICES['jina.JinaSingleDataRequestRPC'], unary['jina.JinaSingleDataRequestRPC']);
    if (calls.processData)
      server.addService(JINA_RAW_SERVICES['jina.JinaDataRequestRPC'], unary['jina.JinaDataRequestRPC']);
    server.addService(JINA_RAW_SERVICES['jina.JinaDiscoverEndpointsRPC'], unary['jina.JinaDiscoverEndpointsRPC']);
    server.addService(JINA_RAW_SERVICES['jina.JinaInfoRPC'], unary['jina.JinaInfoRPC']);
    const streamDoc = calls.streamDoc;
    if (streamDoc) {
      server.addService(JINA_RAW_SERVICES['jina.JinaSingleDocumentRequestRPC'], {
        stream_doc: (call: ServerWritableStream<Buffer, Uint8Array>) => this.#streamDoc(call, streamDoc),
      });
    }
    const dryRun = calls.dryRun?.bind(calls);
    if (dryRun) {
      server.addService(JINA_RAW_SERVICES['jina.JinaGatewayDryRunRPC'], {
        dry_run: (_call: unknown, cb: (err: Error | null, value?: Uint8Array) => void) => {
          dryRun().then(
            (s) => cb(null, encodeStatus(s)),
            (err: unknown) => cb(serviceErrorFrom(err, this.label)),
          );
        },
      });
    }
    this.#health.addToServer(server);
    reflectionService(this.services).addToServer(server);
  }

  /** The RuntimeService both transports serve: the runtime's calls, refused while draining and counted in flight. */
  #guarded(): RuntimeService {
    const calls = this.#calls;
    const refused = (): Promise<ServiceOutcome> => Promise.resolve({ error: this.#refusal() });
    const processData = calls.processData?.bind(calls);
    return {
      processSingleData: (message, ctx) => {
        if (!this.#accepting) return refused();
        if (ctx.deadline !== undefined && Date.now() >= ctx.deadline) return this.#expired('process_single_data');
        if (!channels.runtimeCall.hasSubscribers) return this.track(calls.processSingleData(message, ctx));
        return this.track(this.#observed('process_single_data', message, calls.processSingleData(message, ctx)));
      },
      processData: (message, ctx) => {
        if (!processData) {
          const details = `${this.label} does not serve process_data`;
          return Promise.resolve({ error: serviceErrorFrom(new Error(details), this.label, status.UNIMPLEMENTED) });
        }
        if (!this.#accepting) return refused();
        if (ctx.deadline !== undefined && Date.now() >= ctx.deadline) return this.#expired('process_data');
        if (!channels.runtimeCall.hasSubscribers) return this.track(processData(message, ctx));
        return this.track(this.#observed('process_data', message, processData(message, ctx)));
      },
      endpointDiscovery: (ctx) => calls.endpointDiscovery(ctx),
      status: () => Promise.resolve({ bytes: encodeJinaInfo(this.info()) }),
    };
  }

  /** `work`, publishing a `runtimeCall` event (sizes, duration) once it settles. */
  #observed(method: string, message: Buffer, work: Promise<ServiceOutcome>): Promise<ServiceOutcome> {
    const startedAt = performance.now();
    const { kind, name } = this;
    return work.then((outcome) => {
      channels.runtimeCall.publish({
        kind,
        name,
        method,
        requestBytes: message.byteLength,
        responseBytes: 'bytes' in outcome ? outcome.bytes.byteLength : 0,
        durationMs: performance.now() - startedAt,
        failed: outcome.error !== undefined,
      });
      return outcome;
    });
  }

  #streamDoc(call: ServerWritableStream<Buffer, Uint8Array>, handler: StreamDocHandler): void {
    if (!this.#accepting) {
      call.emit('error', this.#refusal());
      return;
    }
    let req: SingleDocumentRequest;
    try {
      req = decodeStreamDocRequest(call.request);
    } catch (err) {
      const context = `${this.label}: malformed SingleDocumentRequestProto`;
      call.emit('error', serviceErrorFrom(err, context, status.INVALID_ARGUMENT));
      return;
    }
    const ctx = grpcContext(call);
    void this.track(
      serveServerStream(
        call,
        (signal) => handler(req, { ...ctx, signal }),
        (err) => serviceErrorFrom(err, this.label),
      ),
    );
  }

  #streamHost() {
    const prefetch = this.#options.prefetch;
    return {
      label: this.label,
      prefetch: prefetch !== undefined && prefetch > 0 ? prefetch : Number.POSITIVE_INFINITY,
      openStream: (drain: () => void) => {
        this.#streams.add(drain);
        return () => this.#streams.delete(drain);
      },
      refusal: () => this.#refusal(),
    };
  }

  /**
   * The answer to a call whose caller's deadline passed while it waited to be dispatched (behind a busy executor):
   * its caller has given up, so running it would only delay the calls still awaited.
   */
  #expired(method: string): Promise<ServiceOutcome> {
    const err = new DeadlineExceededError(
      `the caller's deadline passed before ${method} was dispatched (the runtime is saturated); not processed`,
      { details: { runtime: this.name, method } },
    );
    return Promise.resolve({ error: serviceErrorFrom(err, this.label, status.DEADLINE_EXCEEDED) });
  }

  /** The status new calls get while draining (clients may retry on another replica). */
  #refusal() {
    return serviceErrorFrom(new UnavailableError('shutting down and accepts no new requests'), this.label);
  }

  async #stop(graceMs: number, hooks: StopHooks): Promise<void> {
    const deadline = Date.now() + graceMs;
    if (this.#state === 'starting') await this.#starting?.catch(() => undefined);
    this.#accepting = false;
    this.#health.setAll(this.services, 'NOT_SERVING');
    if (this.#state !== 'stopped') this.#state = 'draining';
    const server = this.#server;
    // stop taking connections and calls now; calls under way finish on their sessions
    const closed = server ? new Promise<void>((resolve) => server.tryShutdown(() => resolve())) : Promise.resolve();
    this.#native?.goAway();
    for (const drain of [...this.#streams]) drain();

    const drained = await settlesBefore(Promise.all([this.#whenIdle(), hooks.drain?.()]), deadline);
    if (!drained) {
      this.#log(
        'warn',
        `grace period of ${graceMs} ms over with ${this.#inFlight} request(s) in flight; closing anyway`,
      );
    }
    let closeError: unknown;
    try {
      await hooks.close?.(drained);
    } catch (err) {
      closeError = err;
    }
    // answers are written; connections still open now only carry idle streams (health watches, reflection)
    const nativeClosed = this.#native?.close(drained ? SERVER_CLOSE_GRACE_MS : 0);
    if (server && !(drained && (await settlesBefore(closed, Date.now() + SERVER_CLOSE_GRACE_MS)))) {
      server.forceShutdown();
    }
    await nativeClosed;
    this.#state = 'stopped';
    if (closeError !== undefined) throw closeError;
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

function stderrLog(label: string): RuntimeLog {
  const log = createLogger(`weft ${label}`);
  return (level, message) => log[level](message);
}
