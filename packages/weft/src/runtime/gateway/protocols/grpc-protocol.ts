/**
 * The gateway's gRPC protocol, on the server kit: `jina.JinaRPC/Call` (bidirectional, at most `prefetch` requests
 * in flight per stream, the kit's rule for a failing call), `JinaSingleDataRequestRPC/process_single_data`,
 * `JinaGatewayDryRunRPC/dry_run`, `JinaInfoRPC/_status` (the kit's `jinaInfo`, like every runtime),
 * `JinaDiscoverEndpointsRPC/endpoint_discovery`, `JinaSingleDocumentRequestRPC/stream_doc` (streaming endpoints,
 * `grpc-stream-doc.ts`), standard health and reflection, so a client generated from the original `jina.proto`
 * uses a weft Flow unmodified. Executor errors come back in-band; an unreachable executor ends the call with
 * UNAVAILABLE and a timeout with DEADLINE_EXCEEDED, both naming the executor.
 */
import { status } from '@grpc/grpc-js';
import { IS_ERROR_TRAILERS, type ServiceOutcome, serviceErrorFrom } from '../../../networking/index.js';
import { type DataRequest, decodeDataRequest, encodeDataRequest, encodeEndpoints } from '../../../request/index.js';
import { grpcGuard, isOpenGrpcMethod } from '../../../security/index.js';
import { type RuntimeCalls, RuntimeServer, servedServices } from '../../server/index.js';
import type { Gateway } from '../gateway.js';
import { inboundHeaders } from '../interceptors.js';
import { gatewayStreamDoc } from './grpc-stream-doc.js';
import type { ProtocolServer, ProtocolServerOptions } from './protocol.js';

/** Services the gateway serves (what reflection lists and health reports). */
export const GATEWAY_GRPC_SERVICES: readonly string[] = servedServices({ streamDoc: true, dryRun: true });

export class GrpcProtocol implements ProtocolServer {
  readonly protocol = 'grpc';
  readonly #server: RuntimeServer;

  constructor(gateway: Gateway, options: ProtocolServerOptions) {
    const max = options.maxMessageBytes ?? -1;
    this.#server = new RuntimeServer(
      {
        kind: 'gateway',
        name: gateway.name,
        host: options.host,
        port: options.port,
        maxReceiveMessageBytes: max,
        maxSendMessageBytes: max,
        prefetch: gateway.prefetch,
        ...(options.tls ? { tls: options.tls } : {}),
        // the gateway's guards (token auth) see every call but health and reflection, before its handler runs
        ...(gateway.guarded
          ? {
              grpcOptions: {
                interceptors: [
                  grpcGuard((headers, call) => gateway.admit({ protocol: 'grpc', headers, call }), isOpenGrpcMethod),
                ],
              },
            }
          : {}),
      },
      gatewayCalls(gateway),
    );
  }

  start(): Promise<number> {
    return this.#server.start();
  }

  stop(graceMs: number): Promise<void> {
    return this.#server.stop(graceMs);
  }
}

/** What the gateway does with each gRPC call. */
function gatewayCalls(gateway: Gateway): RuntimeCalls {
  const label = `gateway ${gateway.name}`;
  return {
    processSingleData: (bytes, ctx) => {
      let req: DataRequest;
      try {
        req = decodeDataRequest(bytes);
      } catch (err) {
        const error = serviceErrorFrom(err, `${label} cannot decode the request`, status.INVALID_ARGUMENT);
        return Promise.resolve({ error });
      }
      const info = { protocol: 'grpc', headers: inboundHeaders(ctx.metadata.getMap()), connection: ctx.peer };
      return gateway.process(req, info).then(
        (res): ServiceOutcome => {
          const bytes = encodeDataRequest(res);
          return res.isError ? { bytes, trailers: IS_ERROR_TRAILERS } : { bytes };
        },
        (err: unknown): ServiceOutcome => ({ error: serviceErrorFrom(err, label) }),
      );
    },
    endpointDiscovery: () =>
      gateway.endpoints().then(
        (endpoints): ServiceOutcome => ({ bytes: encodeEndpoints({ endpoints, writeEndpoints: [] }) }),
        (err: unknown): ServiceOutcome => ({ error: serviceErrorFrom(err, label) }),
      ),
    streamDoc: gatewayStreamDoc(gateway),
    dryRun: () => gateway.dryRun(),
  };
}
