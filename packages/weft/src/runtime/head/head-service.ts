/**
 * What the head does with each Jina call (`RuntimeCalls`, served by the server kit on its gRPC services, its
 * `Call` stream and its native port alike): decode (a malformed message is INVALID_ARGUMENT), hand the request to
 * the HeadHandler with the caller's deadline and forwardable metadata, encode the answer with the head's trailers
 * (`total_shards`, `failed_shards`, `is-error`). (Refusing calls while draining and counting them in flight is
 * the kit's job.)
 */
import { Metadata, status } from '@grpc/grpc-js';
import { callHooks, type ServiceContext, type ServiceOutcome, serviceErrorFrom } from '../../networking/index.js';
import {
  type DataRequest,
  decodeDataRequest,
  decodeDataRequestList,
  encodeDataRequest,
  encodeEndpoints,
} from '../../request/index.js';
import { encodeStreamAnswers, type RuntimeCalls } from '../server/index.js';
import type { HeadAnswer, HeadCallContext, HeadHandler } from './head-handler.js';

/** Request metadata that belongs to the transport, not to the request: never forwarded to shards. */
const HOP_BY_HOP = /^(:|grpc-|user-agent$|content-type$|te$|host$)/;

/** The head's calls over `handler` (`name`: the runtime name, for messages). */
export function headCalls(handler: HeadHandler, name: string): RuntimeCalls {
  const label = `head ${name}`;
  return {
    processSingleData: (bytes, ctx) => dataCall(handler, label, () => [decodeDataRequest(bytes)], ctx),
    processData: (bytes, ctx) => dataCall(handler, label, () => decodeDataRequestList(bytes), ctx),
    endpointDiscovery: (ctx) =>
      handler.endpoints(headContext(ctx)).then(
        (e): ServiceOutcome => ({ bytes: encodeEndpoints(e) }),
        (err: unknown): ServiceOutcome => ({ error: serviceErrorFrom(err, label) }),
      ),
    streamDoc: (req, ctx) => encodeStreamAnswers(handler.streamDoc(req, { ...headContext(ctx), signal: ctx.signal })),
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

function dataCall(
  handler: HeadHandler,
  label: string,
  decode: () => DataRequest[],
  ctx: ServiceContext,
): Promise<ServiceOutcome> {
  let reqs: DataRequest[];
  try {
    reqs = decode();
  } catch (err) {
    return Promise.resolve({
      error: serviceErrorFrom(err, `${label} cannot decode the request`, status.INVALID_ARGUMENT),
    });
  }
  const inbound = callHooks.inbound;
  const handled =
    inbound === undefined
      ? handler.handle(reqs, headContext(ctx))
      : inbound({ kind: 'head', name: handler.deployment, metadata: ctx.metadata }, () =>
          handler.handle(reqs, headContext(ctx)),
        );
  return handled.then(
    (answer): ServiceOutcome => ({ bytes: encodeDataRequest(answer.response), trailers: trailersOf(answer) }),
    (err: unknown): ServiceOutcome => ({ error: serviceErrorFrom(err, label) }),
  );
}

function trailersOf(answer: HeadAnswer): Record<string, string> {
  return answer.response.isError ? { ...answer.trailers, 'is-error': 'true' } : answer.trailers;
}
