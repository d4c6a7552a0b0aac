/**
 * RuntimeClient: a client to one weft or Jina runtime (worker, head or gateway) at its gRPC `host:port`. Built on
 * grpc-js's generic `Client` with weft's codecs as (de)serializers, so a hop costs one encode and one decode and
 * documents stay undecoded. The data calls (`processSingleData`, `processData`, `endpointDiscovery`) to a weft
 * runtime that advertises a native port travel over weft's native transport instead (found through `_status` on
 * first use, see `NativeRoute`); everything else, and every call to a runtime without one, is gRPC.
 * `WEFT_TRANSPORT=grpc` (or `transport: 'grpc'`) keeps everything on gRPC. Either way, transport failures reject
 * with the same weft errors naming the runtime and address; executor errors are not exceptions here: the answer
 * comes back with its in-band `header.status` for the caller to judge.
 */
import { type ChannelCredentials, type ChannelOptions, Client, connectivityState, credentials } from '@grpc/grpc-js';
import { ClosedError, ConfigError, type Status, UnavailableError } from '../errors/index.js';
import type { DataRequest, Endpoints, JinaInfo, SingleDocumentRequest } from '../request/index.js';
import { type CallOptions, deadlineOf, toMetadata } from './call-options.js';
import { CallStream } from './call-stream.js';
import { channelOptions } from './channel-options.js';
import { type CallContext, errorFromGrpc } from './grpc-error.js';
import { HEALTH_CHECK_METHOD, type ServingStatus } from './health-codec.js';
import { JINA_METHODS } from './jina-services.js';
import { NativeRoute, type RouteState, TRANSPORT_ENV, type TransportPreference } from './native/index.js';
import { NATIVE_METHODS, type NativeMethod, nativeUnary } from './native-call.js';

export interface RuntimeClientOptions {
  /** The runtime's name, used in error messages (default: the address). */
  name?: string;
  /** Channel options on top of `DEFAULT_CHANNEL_OPTIONS`. */
  channelOptions?: ChannelOptions;
  /**
   * The channel's credentials (default: plain text), e.g. `credentials.createSsl(ca)` for a gateway serving TLS.
   * With credentials, every call is gRPC: the native transport is plain TCP.
   */
  credentials?: ChannelCredentials;
  /**
   * `auto` (default): the data calls use weft's native transport when the runtime advertises one; `grpc`: gRPC
   * only. Defaults to the `WEFT_TRANSPORT` environment variable.
   */
  transport?: TransportPreference;
}

/** The grpc-js connectivity state of a channel, by name. */
export type Connectivity = 'IDLE' | 'CONNECTING' | 'READY' | 'TRANSIENT_FAILURE' | 'SHUTDOWN';

const STATE_NAMES: Record<number, Connectivity> = {
  [connectivityState.IDLE]: 'IDLE',
  [connectivityState.CONNECTING]: 'CONNECTING',
  [connectivityState.READY]: 'READY',
  [connectivityState.TRANSIENT_FAILURE]: 'TRANSIENT_FAILURE',
  [connectivityState.SHUTDOWN]: 'SHUTDOWN',
};

export type { CallOptions } from './call-options.js';

/** The parts of a grpc-js method definition a unary call needs. */
type UnaryMethod<Req, Res> = {
  path: string;
  requestSerialize: (v: Req) => Buffer;
  responseDeserialize: (b: Buffer) => Res;
};

/** The transport of a client's data calls: `unknown` until the first call (or `connect()`) found out. */
export type TransportState = RouteState;

export class RuntimeClient {
  readonly address: string;
  readonly name: string;
  readonly #client: Client;
  readonly #route: NativeRoute | undefined;
  #closed = false;

  /** @example const c = new RuntimeClient('127.0.0.1:50001', { name: 'encoder/rep-0' }) */
  constructor(address: string, options: RuntimeClientOptions = {}) {
    this.address = address;
    this.name = options.name ?? address;
    this.#client = new Client(
      address,
      options.credentials ?? credentials.createInsecure(),
      channelOptions(options.channelOptions),
    );
    if (!options.credentials && transportPreference(options.transport) === 'auto') {
      this.#route = new NativeRoute({ grpcAddress: address, probe: (deadline) => this.status({ deadline }) });
    }
  }

  /** The transport the data calls use now: `native`, `grpc`, or `unknown` before the first one. */
  get transport(): TransportState {
    if (!this.#route) return 'grpc';
    return this.#route.state;
  }

  /**
   * Find out now (instead of on the first data call) which transport the data calls use; never fails: a runtime
   * that cannot be asked is left `unknown` and asked again by the next call.
   * @example await client.connect({ timeoutMs: 1000 }) // 'native' for a weft worker, 'grpc' for a Jina one
   */
  async connect(options: Pick<CallOptions, 'timeoutMs' | 'deadline'> = {}): Promise<TransportState> {
    if (this.#route && !this.#closed) await this.#route.discover(deadlineOf(options));
    return this.transport;
  }

  /** `jina.JinaSingleDataRequestRPC/process_single_data`: one request, one answer. */
  processSingleData(req: DataRequest, options: CallOptions = {}): Promise<DataRequest> {
    return this.#data(NATIVE_METHODS.processSingleData, JINA_METHODS.processSingleData, req, options);
  }

  /** `jina.JinaDataRequestRPC/process_data`: several requests (an unreduced join), one answer. */
  processData(reqs: DataRequest[], options: CallOptions = {}): Promise<DataRequest> {
    return this.#data(NATIVE_METHODS.processData, JINA_METHODS.processData, reqs, options);
  }

  /**
   * `jina.JinaRPC/Call`: a bidirectional stream; answers may come back in another order than sent.
   * @example const s = client.call(); s.send(req); s.end(); for await (const res of s) use(res);
   */
  call(options: CallOptions = {}): CallStream {
    const ctx = this.#context(JINA_METHODS.call.path, options);
    const stream = this.#client.makeBidiStreamRequest(
      JINA_METHODS.call.path,
      JINA_METHODS.call.requestSerialize,
      JINA_METHODS.call.responseDeserialize,
      toMetadata(options.metadata),
      { deadline: deadlineOf(options) },
    );
    if (options.onTrailers) stream.on('status', (s) => options.onTrailers?.(s.metadata));
    return new CallStream(stream, (err) => errorFromGrpc(err, ctx));
  }

  /**
   * `jina.JinaSingleDocumentRequestRPC/stream_doc` (always gRPC): one document to a streaming endpoint, its
   * answers as they arrive. Ending the iteration early, or aborting `signal`, cancels the call (the runtime stops
   * the endpoint's generator); a cancelled call ends the iteration quietly. An executor error is the last answer,
   * in-band (`header.status`).
   * @example for await (const res of client.streamDoc({ header: { requestId: 'r', execEndpoint: '/chat' }, parameters: {}, routes: [], document: doc })) show(res.document)
   */
  async *streamDoc(
    req: SingleDocumentRequest,
    options: CallOptions & { signal?: AbortSignal } = {},
  ): AsyncGenerator<SingleDocumentRequest> {
    if (this.#closed) throw new ClosedError(`client to runtime '${this.name}' at ${this.address} is closed`);
    const method = JINA_METHODS.streamDoc;
    const call = this.#client.makeServerStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      req,
      toMetadata(options.metadata),
      { deadline: deadlineOf(options) },
    );
    if (options.onTrailers) call.on('status', (s) => options.onTrailers?.(s.metadata));
    let cancelled = false;
    const cancel = (): void => {
      cancelled = true;
      call.cancel();
    };
    if (options.signal?.aborted) cancel();
    options.signal?.addEventListener('abort', cancel, { once: true });
    try {
      for await (const res of call) yield res as SingleDocumentRequest;
    } catch (err) {
      if (cancelled) return;
      throw errorFromGrpc(err, this.#context(method.path, options));
    } finally {
      options.signal?.removeEventListener('abort', cancel);
      // the caller stopped reading before the end: tell the runtime (a no-op once the call has its status)
      call.cancel();
    }
  }

  /** `jina.JinaDiscoverEndpointsRPC/endpoint_discovery`: the endpoints the runtime's executor exposes. */
  endpointDiscovery(options: CallOptions = {}): Promise<Endpoints> {
    return this.#data(NATIVE_METHODS.endpointDiscovery, JINA_METHODS.endpointDiscovery, {}, options);
  }

  /** `jina.JinaInfoRPC/_status`: versions and environment of the runtime. */
  status(options: CallOptions = {}): Promise<JinaInfo> {
    return this.#unary(JINA_METHODS.status, {}, options);
  }

  /** `jina.JinaGatewayDryRunRPC/dry_run` (gateways only): the status of an empty request pushed through the Flow. */
  dryRun(options: CallOptions = {}): Promise<Status> {
    return this.#unary(JINA_METHODS.dryRun, {}, options);
  }

  /** `grpc.health.v1.Health/Check` for `service` (default: the whole server, as Jina checks). */
  healthCheck(service = '', options: CallOptions = {}): Promise<ServingStatus> {
    return this.#unary(HEALTH_CHECK_METHOD, { service }, options);
  }

  /** Resolve once the channel is connected; reject with `UnavailableError` when `deadline` (epoch ms) passes first. */
  waitForReady(deadline: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#client.waitForReady(deadline, (err) => {
        if (!err) return resolve();
        reject(
          new UnavailableError(
            `runtime '${this.name}' at ${this.address} accepted no connection before the deadline (${err.message}); check that its process is running and listening on ${this.address}`,
            { cause: err, details: { runtime: this.name, address: this.address } },
          ),
        );
      });
    });
  }

  /** The channel's connectivity state (without starting a connection attempt). */
  get connectivity(): Connectivity {
    if (this.#closed) return 'SHUTDOWN';
    if (this.#route?.connection) return 'READY';
    return STATE_NAMES[this.#client.getChannel().getConnectivityState(false)] ?? 'IDLE';
  }

  /**
   * A call to this runtime went unanswered within its timeout: ping the native connection now, so that a silent
   * link (a peer gone without a reset) is dropped within the keepalive timeout and its calls fail as unavailable,
   * instead of being trusted until the next keepalive tick; gRPC channels rely on their own keepalive.
   * @example client.checkConnection() // after a DeadlineExceededError
   */
  checkConnection(): void {
    this.#route?.connection?.checkAlive();
  }

  /** Close the channel and the native connection; calls in flight fail with CANCELLED. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#route?.close();
    this.#client.close();
  }

  /** A data call: native when the runtime has a native connection up, else gRPC (after discovery on first use). */
  #data<Req, Res>(
    native: NativeMethod<Req, Res>,
    grpc: UnaryMethod<Req, Res>,
    argument: Req,
    options: CallOptions,
  ): Promise<Res> {
    const route = this.#route;
    if (!route || this.#closed) return this.#unary(grpc, argument, options);
    const connection = route.connection;
    if (connection) return nativeUnary(connection, native, argument, options, this);
    if (route.mustWait) {
      // the deadline starts now, discovery included
      const deadline = deadlineOf(options);
      const timed = Number.isFinite(deadline) ? { ...options, deadline } : options;
      return route
        .discover(deadline)
        .then((c) => (c ? nativeUnary(c, native, argument, timed, this) : this.#grpc(route, grpc, argument, timed)));
    }
    route.refresh();
    return this.#grpc(route, grpc, argument, options);
  }

  #grpc<Req, Res>(
    route: NativeRoute,
    method: UnaryMethod<Req, Res>,
    argument: Req,
    options: CallOptions,
  ): Promise<Res> {
    return this.#unary(method, argument, options).catch((err: unknown) => {
      if (err instanceof UnavailableError) route.grpcUnavailable();
      throw err;
    });
  }

  #context(method: string, options: CallOptions): CallContext {
    return {
      name: this.name,
      address: this.address,
      method,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    };
  }

  #unary<Req, Res>(method: UnaryMethod<Req, Res>, argument: Req, options: CallOptions): Promise<Res> {
    if (this.#closed) {
      return Promise.reject(new ClosedError(`client to runtime '${this.name}' at ${this.address} is closed`));
    }
    return new Promise<Res>((resolve, reject) => {
      const call = this.#client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        argument,
        toMetadata(options.metadata),
        { deadline: deadlineOf(options) },
        (err, value) => {
          if (err) reject(errorFromGrpc(err, this.#context(method.path, options)));
          else resolve(value as Res);
        },
      );
      // grpc-js emits 'status' (with the trailers) right after the callback, before any promise continuation runs
      if (options.onTrailers) call.on('status', (s) => options.onTrailers?.(s.metadata));
    });
  }
}

/** The transport preference: the option, else `WEFT_TRANSPORT`, else `auto`. */
function transportPreference(option: TransportPreference | undefined): TransportPreference {
  const value = option ?? (process.env[TRANSPORT_ENV] || 'auto');
  if (value !== 'auto' && value !== 'grpc') {
    throw new ConfigError(`${TRANSPORT_ENV} (or the transport option) must be 'auto' or 'grpc', not '${value}'`, {
      details: { transport: value },
    });
  }
  return value;
}
