/**
 * The gateway's gRPC protocol: `jina.JinaRPC/Call` (bidirectional, at most `prefetch` requests in flight per
 * stream), `JinaSingleDataRequestRPC/process_single_data`, `JinaGatewayDryRunRPC/dry_run`, `JinaInfoRPC/_status`,
 * `JinaDiscoverEndpointsRPC/endpoint_discovery`, `JinaSingleDocumentRequestRPC/stream_doc` (streaming endpoints,
 * `grpc-stream-doc.ts`), standard health and reflection, so a client generated from the
 * original `jina.proto` uses a weft Flow unmodified. Executor errors come back in-band; an unreachable executor
 * ends the call with UNAVAILABLE and a timeout with DEADLINE_EXCEEDED, both naming the executor.
 */
import {
  type MethodDefinition,
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import { StartupError, UnavailableError } from '../../../errors/index.js';
import {
  asBuffer,
  DEFAULT_SERVER_OPTIONS,
  JINA_RAW_SERVICES,
  SINGLE_DOCUMENT_RAW_SERVICE,
  serviceErrorFrom,
} from '../../../networking/index.js';
import {
  type DataRequest,
  decodeDataRequest,
  encodeDataRequest,
  encodeEndpoints,
  encodeJinaInfo,
  encodeStatus,
} from '../../../request/index.js';
import { HEALTH_SERVICE_NAME, HealthService, REFLECTION_SERVICE_NAMES, reflectionService } from '../../worker/index.js';
import type { Gateway } from '../gateway.js';
import { inboundHeaders } from '../interceptors.js';
import { gatewayStreamDocHandlers } from './grpc-stream-doc.js';
import type { ProtocolServer, ProtocolServerOptions } from './protocol.js';

const DRY_RUN_SERVICE = {
  dry_run: {
    path: '/jina.JinaGatewayDryRunRPC/dry_run',
    requestStream: false,
    responseStream: false,
    requestSerialize: asBuffer,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: asBuffer,
    responseDeserialize: (b: Buffer) => b,
  } satisfies MethodDefinition<Buffer, Uint8Array>,
};

/** Services the gateway serves (what reflection lists and health reports). */
export const GATEWAY_GRPC_SERVICES: readonly string[] = [
  'jina.JinaRPC',
  'jina.JinaSingleDataRequestRPC',
  'jina.JinaGatewayDryRunRPC',
  'jina.JinaInfoRPC',
  'jina.JinaDiscoverEndpointsRPC',
  'jina.JinaSingleDocumentRequestRPC',
  HEALTH_SERVICE_NAME,
  ...REFLECTION_SERVICE_NAMES,
];

export class GrpcProtocol implements ProtocolServer {
  readonly protocol = 'grpc';
  readonly #gateway: Gateway;
  readonly #options: ProtocolServerOptions;
  readonly #health = new HealthService();
  #server: Server | undefined;
  #accepting = false;
  #inFlight = 0;
  #idle: (() => void)[] = [];

  constructor(gateway: Gateway, options: ProtocolServerOptions) {
    this.#gateway = gateway;
    this.#options = options;
  }

  async start(): Promise<number> {
    const max = this.#options.maxMessageBytes ?? -1;
    const server = new Server({
      ...DEFAULT_SERVER_OPTIONS,
      'grpc.max_receive_message_length': max,
      'grpc.max_send_message_length': max,
    });
    const name = this.#gateway.name;
    server.addService(JINA_RAW_SERVICES['jina.JinaRPC'], {
      Call: (s: ServerDuplexStream<Buffer, Uint8Array>) => this.#call(s),
    });
    server.addService(JINA_RAW_SERVICES['jina.JinaSingleDataRequestRPC'], {
      process_single_data: (call: ServerUnaryCall<Buffer, Uint8Array>, cb: sendUnaryData<Uint8Array>) => {
        if (!this.#accepting) return cb(serviceErrorFrom(this.#refusal(), name));
        let req: DataRequest;
        try {
          req = decodeDataRequest(call.request);
        } catch (err) {
          return cb(serviceErrorFrom(err, `${name} cannot decode the request`, status.INVALID_ARGUMENT));
        }
        const info = { protocol: 'grpc', headers: inboundHeaders(call.metadata.getMap()) };
        this.#track(this.#gateway.process(req, info)).then(
          (res) => cb(null, encodeDataRequest(res)),
          (err) => cb(serviceErrorFrom(err, name)),
        );
      },
    });
    server.addService(DRY_RUN_SERVICE, {
      dry_run: (_call: unknown, cb: sendUnaryData<Uint8Array>) => {
        this.#gateway.dryRun().then((s) => cb(null, encodeStatus(s)));
      },
    });
    server.addService(JINA_RAW_SERVICES['jina.JinaInfoRPC'], {
      _status: (_call: unknown, cb: sendUnaryData<Uint8Array>) => cb(null, encodeJinaInfo(this.#gateway.info())),
    });
    server.addService(JINA_RAW_SERVICES['jina.JinaDiscoverEndpointsRPC'], {
      endpoint_discovery: (_call: unknown, cb: sendUnaryData<Uint8Array>) => {
        this.#gateway.endpoints().then(
          (endpoints) => cb(null, encodeEndpoints({ endpoints, writeEndpoints: [] })),
          (err) => cb(serviceErrorFrom(err, name)),
        );
      },
    });
    server.addService(
      SINGLE_DOCUMENT_RAW_SERVICE,
      gatewayStreamDocHandlers({
        gateway: this.#gateway,
        accepting: () => this.#accepting,
        refusal: () => this.#refusal(),
        track: (work) => this.#track(work),
      }),
    );
    this.#health.addToServer(server);
    reflectionService(GATEWAY_GRPC_SERVICES).addToServer(server);
    const host = this.#options.host;
    const bindTo = `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${this.#options.port}`;
    const tls = this.#options.tls;
    const credentials = tls
      ? ServerCredentials.createSsl(null, [{ private_key: tls.key, cert_chain: tls.cert }], false)
      : ServerCredentials.createInsecure();
    let port: number;
    try {
      port = await new Promise<number>((resolve, reject) =>
        server.bindAsync(bindTo, credentials, (err, p) => (err ? reject(err) : resolve(p))),
      );
    } catch (err) {
      server.forceShutdown();
      throw new StartupError(`gateway ${name} cannot listen on ${bindTo} (grpc): ${(err as Error).message}`, {
        cause: err,
        details: { host, port: this.#options.port },
      });
    }
    this.#server = server;
    this.#accepting = true;
    for (const s of ['', ...GATEWAY_GRPC_SERVICES]) this.#health.setStatus(s, 'SERVING');
    return port;
  }

  async stop(graceMs: number): Promise<void> {
    this.#accepting = false;
    for (const s of ['', ...GATEWAY_GRPC_SERVICES]) this.#health.setStatus(s, 'NOT_SERVING');
    const server = this.#server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    const idle = this.#inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => this.#idle.push(r));
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((r) => {
      timer = setTimeout(() => r('expired'), graceMs);
    });
    const outcome = await Promise.race([Promise.all([idle, closed]), expired]);
    clearTimeout(timer);
    if (outcome === 'expired') server.forceShutdown();
  }

  /** One client stream: handle each request as it arrives, answer as each completes, pause at `prefetch`. */
  #call(stream: ServerDuplexStream<Buffer, Uint8Array>): void {
    const name = this.#gateway.name;
    const prefetch = this.#gateway.prefetch > 0 ? this.#gateway.prefetch : Number.POSITIVE_INFINITY;
    const info = { protocol: 'grpc', headers: inboundHeaders(stream.metadata.getMap()) };
    let pending = 0;
    let ended = false;
    let failure: unknown;
    const settle = (): void => {
      if (pending > 0) return;
      if (failure !== undefined) stream.emit('error', serviceErrorFrom(failure, name));
      else if (ended) stream.end();
    };
    stream.on('data', (bytes: Buffer) => {
      if (failure !== undefined) return;
      let req: DataRequest;
      try {
        req = decodeDataRequest(bytes);
      } catch (err) {
        failure = Object.assign(new Error(`cannot decode a request: ${(err as Error).message}`), { grpc: true });
        stream.emit('error', serviceErrorFrom(err, `${name} cannot decode a request`, status.INVALID_ARGUMENT));
        return;
      }
      pending++;
      if (pending >= prefetch) stream.pause();
      const work = this.#accepting ? this.#gateway.process(req, info) : Promise.reject(this.#refusal());
      this.#track(work)
        .then(
          (res) => {
            if (failure === undefined) stream.write(encodeDataRequest(res));
          },
          (err) => {
            // a transport failure ends the stream with its status once the other answers are out
            failure ??= err;
            stream.pause();
          },
        )
        .finally(() => {
          pending--;
          if (pending < prefetch && failure === undefined) stream.resume();
          settle();
        });
    });
    stream.on('end', () => {
      ended = true;
      settle();
    });
    stream.on('error', () => undefined);
  }

  #refusal(): UnavailableError {
    return new UnavailableError(`gateway ${this.#gateway.name} is shutting down and accepts no new requests`);
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight++;
    return work.finally(() => {
      this.#inFlight--;
      if (this.#inFlight === 0) for (const r of this.#idle.splice(0)) r();
    });
  }
}
