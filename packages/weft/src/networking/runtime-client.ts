/**
 * RuntimeClient: a gRPC client to one weft or Jina runtime (worker, head or gateway) at `host:port`. Built on
 * grpc-js's generic `Client` with weft's codecs as (de)serializers, so a hop costs one encode and one decode and
 * documents stay undecoded. Transport failures reject with weft errors naming the runtime and address; executor
 * errors are not exceptions here: the answer comes back with its in-band `header.status` for the caller to judge.
 */
import { type ChannelOptions, Client, connectivityState, credentials, Metadata } from '@grpc/grpc-js';
import { type Status, UnavailableError, WeftError } from '../errors/index.js';
import type { DataRequest, Endpoints, JinaInfo } from '../request/index.js';
import { CallStream } from './call-stream.js';
import { channelOptions } from './channel-options.js';
import { type CallContext, errorFromGrpc } from './grpc-error.js';
import { HEALTH_CHECK_METHOD, type ServingStatus } from './health-codec.js';
import { JINA_METHODS } from './jina-services.js';

export interface RuntimeClientOptions {
  /** The runtime's name, used in error messages (default: the address). */
  name?: string;
  /** Channel options on top of `DEFAULT_CHANNEL_OPTIONS`. */
  channelOptions?: ChannelOptions;
}

export interface CallOptions {
  /** Fail with `DeadlineExceededError` when no answer arrived within this many ms. */
  timeoutMs?: number;
  /** Absolute deadline (epoch ms); the earlier of this and `timeoutMs` applies. */
  deadline?: number;
  /** gRPC metadata sent with the call. */
  metadata?: Metadata | Record<string, string>;
  /** Receives the answer's trailing metadata (e.g. `is-error`, a head's `failed_shards`). */
  onTrailers?: (trailers: Metadata) => void;
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

export class RuntimeClient {
  readonly address: string;
  readonly name: string;
  readonly #client: Client;
  #closed = false;

  /** @example const c = new RuntimeClient('127.0.0.1:50001', { name: 'encoder/rep-0' }) */
  constructor(address: string, options: RuntimeClientOptions = {}) {
    this.address = address;
    this.name = options.name ?? address;
    this.#client = new Client(address, credentials.createInsecure(), channelOptions(options.channelOptions));
  }

  /** `jina.JinaSingleDataRequestRPC/process_single_data`: one request, one answer. */
  processSingleData(req: DataRequest, options: CallOptions = {}): Promise<DataRequest> {
    return this.#unary(JINA_METHODS.processSingleData, req, options);
  }

  /** `jina.JinaDataRequestRPC/process_data`: several requests (an unreduced join), one answer. */
  processData(reqs: DataRequest[], options: CallOptions = {}): Promise<DataRequest> {
    return this.#unary(JINA_METHODS.processData, reqs, options);
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

  /** `jina.JinaDiscoverEndpointsRPC/endpoint_discovery`: the endpoints the runtime's executor exposes. */
  endpointDiscovery(options: CallOptions = {}): Promise<Endpoints> {
    return this.#unary(JINA_METHODS.endpointDiscovery, {}, options);
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
    return STATE_NAMES[this.#client.getChannel().getConnectivityState(false)] ?? 'IDLE';
  }

  /** Close the channel; calls in flight fail with CANCELLED. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.close();
  }

  #context(method: string, options: CallOptions): CallContext {
    return {
      name: this.name,
      address: this.address,
      method,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    };
  }

  #unary<Req, Res>(
    method: { path: string; requestSerialize: (v: Req) => Buffer; responseDeserialize: (b: Buffer) => Res },
    argument: Req,
    options: CallOptions,
  ): Promise<Res> {
    if (this.#closed) {
      return Promise.reject(new WeftError(`client to runtime '${this.name}' at ${this.address} is closed`));
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

function deadlineOf(options: CallOptions): number {
  const fromTimeout =
    options.timeoutMs !== undefined && options.timeoutMs >= 0 ? Date.now() + options.timeoutMs : Infinity;
  return Math.min(fromTimeout, options.deadline ?? Infinity);
}

function toMetadata(m: CallOptions['metadata']): Metadata {
  if (m instanceof Metadata) return m;
  const md = new Metadata();
  if (m) for (const [k, v] of Object.entries(m)) md.set(k, v);
  return md;
}
