/**
 * The head's unary Jina calls as one transport-neutral RuntimeService, served by both its gRPC services and its
 * native port: decode (a malformed message is INVALID_ARGUMENT), hand the request to the HeadHandler with the
 * caller's deadline and forwardable metadata, encode the answer with the head's trailers (`total_shards`,
 * `failed_shards`, `is-error`). A draining head refuses new data calls with UNAVAILABLE.
 */
import { Metadata, status } from '@grpc/grpc-js';
import { UnavailableError } from '../../errors/index.js';
import {
  type RuntimeService,
  type ServiceContext,
  type ServiceOutcome,
  serviceErrorFrom,
} from '../../networking/index.js';
import {
  type DataRequest,
  decodeDataRequest,
  decodeDataRequestList,
  encodeDataRequest,
  encodeEndpoints,
  encodeJinaInfo,
  type JinaInfo,
} from '../../request/index.js';
import type { HeadAnswer, HeadCallContext, HeadHandler } from './head-handler.js';

/** What the head's service needs from the server that hosts it. */
export interface HeadHost {
  readonly name: string;
  readonly handler: HeadHandler;
  /** False once shutdown began: new data requests are refused with UNAVAILABLE. */
  readonly accepting: boolean;
  /** Count `work` as an in-flight request until it settles. */
  track<T>(work: Promise<T>): Promise<T>;
  /** What `_status` answers. */
  info(): JinaInfo;
}

/** Request metadata that belongs to the transport, not to the request: never forwarded to shards. */
const HOP_BY_HOP = /^(:|grpc-|user-agent$|content-type$|te$|host$)/;

/** The head's RuntimeService over `host`. */
export function headService(host: HeadHost): RuntimeService {
  return {
    processSingleData: (bytes, ctx) => dataCall(host, () => [decodeDataRequest(bytes)], ctx),
    processData: (bytes, ctx) => dataCall(host, () => decodeDataRequestList(bytes), ctx),
    endpointDiscovery: (ctx) =>
      host.handler.endpoints(headContext(ctx)).then(
        (e): ServiceOutcome => ({ bytes: encodeEndpoints(e) }),
        (err: unknown): ServiceOutcome => ({ error: serviceErrorFrom(err, `head ${host.name}`) }),
      ),
    status: async () => ({ bytes: encodeJinaInfo(host.info()) }),
  };
}

/** The HeadHandler's view of a call: its deadline and the metadata to forward to the shards. */
export function headContext(ctx: ServiceContext): HeadCallContext {
  const forward = new Metadata();
  for (const [key, values] of Object.entries(ctx.metadata.getMap())) {
    if (!HOP_BY_HOP.test(key)) forward.set(key, values);
  }
  return ctx.deadline !== undefined ? { deadline: ctx.deadline, metadata: forward } : { metadata: forward };
}

/** The error a draining head refuses new requests with. */
export function refusalError(name: string): UnavailableError {
  return new UnavailableError(`head ${name} is shutting down and accepts no new requests`);
}

function dataCall(host: HeadHost, decode: () => DataRequest[], ctx: ServiceContext): Promise<ServiceOutcome> {
  if (!host.accepting)
    return Promise.resolve({ error: serviceErrorFrom(refusalError(host.name), `head ${host.name}`) });
  let reqs: DataRequest[];
  try {
    reqs = decode();
  } catch (err) {
    const error = serviceErrorFrom(err, `head ${host.name} cannot decode the request`, status.INVALID_ARGUMENT);
    return Promise.resolve({ error });
  }
  return host.track(host.handler.handle(reqs, headContext(ctx))).then(
    (answer): ServiceOutcome => ({ bytes: encodeDataRequest(answer.response), trailers: trailersOf(answer) }),
    (err: unknown): ServiceOutcome => ({ error: serviceErrorFrom(err, `head ${host.name}`) }),
  );
}

function trailersOf(answer: HeadAnswer): Record<string, string> {
  return answer.response.isError ? { ...answer.trailers, 'is-error': 'true' } : answer.trailers;
}
