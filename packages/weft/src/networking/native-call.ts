/**
 * The data calls RuntimeClient makes over a native connection, with the same codecs and the same error mapping as
 * the gRPC calls they replace: the answer is decoded by the message's codec, trailers reach `onTrailers` as
 * Metadata, and failures become the weft errors `errorFromGrpc` makes of the equivalent gRPC status.
 */
import { type ServiceError, status } from '@grpc/grpc-js';
import {
  type DataRequest,
  decodeDataRequest,
  decodeEndpoints,
  type Endpoints,
  encodeDataRequestList,
  encodeDataRequestParts,
  encodeEmpty,
} from '../request/index.js';
import { type CallOptions, deadlineOf, toMetadata } from './call-options.js';
import { errorFromGrpc } from './grpc-error.js';
import { JINA_METHODS } from './jina-services.js';
import {
  type AnswerHandler,
  callError,
  entriesToMetadata,
  FrameKind,
  type MetaEntries,
  metaEntries,
  type NativeConnection,
  type RequestKind,
} from './native/index.js';

/** A data call as the native transport makes it: its frame kind, its gRPC path (for messages) and codecs. */
export interface NativeMethod<Req, Res> {
  kind: RequestKind;
  path: string;
  /** The request's protobuf bytes, whole or in pieces sent one after the other (forwarded documents uncopied). */
  encode(value: Req): Uint8Array | Uint8Array[];
  decode(bytes: Uint8Array): Res;
}

/** The calls that go native when the runtime offers it. */
export const NATIVE_METHODS = {
  processSingleData: {
    kind: FrameKind.SINGLE,
    path: JINA_METHODS.processSingleData.path,
    encode: encodeDataRequestParts,
    decode: decodeDataRequest,
  } satisfies NativeMethod<DataRequest, DataRequest>,
  processData: {
    kind: FrameKind.LIST,
    path: JINA_METHODS.processData.path,
    encode: encodeDataRequestList,
    decode: decodeDataRequest,
  } satisfies NativeMethod<DataRequest[], DataRequest>,
  endpointDiscovery: {
    kind: FrameKind.ENDPOINTS,
    path: JINA_METHODS.endpointDiscovery.path,
    encode: encodeEmpty,
    decode: decodeEndpoints,
  } satisfies NativeMethod<Record<string, never>, Endpoints>,
} as const;

/** Who is called, for error messages. */
export interface CallTarget {
  readonly name: string;
  readonly address: string;
}

/** One call's handling of its outcome (an object rather than closures: one allocation per call). */
class UnaryAnswer<Res> implements AnswerHandler<Res> {
  readonly #method: NativeMethod<unknown, Res>;
  readonly #options: CallOptions;
  readonly #target: CallTarget;

  constructor(method: NativeMethod<unknown, Res>, options: CallOptions, target: CallTarget) {
    this.#method = method;
    this.#options = options;
    this.#target = target;
  }

  answer(message: Buffer, trailers: MetaEntries | undefined): Res {
    this.#options.onTrailers?.(entriesToMetadata(trailers));
    try {
      return this.#method.decode(message);
    } catch (err) {
      // as grpc-js reports an answer its deserializer rejects
      throw this.failure(callError(status.INTERNAL, `Response message parsing error: ${(err as Error).message}`));
    }
  }

  failure(err: ServiceError): Error {
    const { timeoutMs } = this.#options;
    const { name, address } = this.#target;
    const method = this.#method.path;
    return errorFromGrpc(
      err,
      timeoutMs !== undefined ? { name, address, method, timeoutMs } : { name, address, method },
    );
  }
}

/** Make one data call over `connection`; rejects with the weft error the equivalent gRPC failure would be. */
export function nativeUnary<Req, Res>(
  connection: NativeConnection,
  method: NativeMethod<Req, Res>,
  argument: Req,
  options: CallOptions,
  target: CallTarget,
): Promise<Res> {
  let message: Uint8Array | Uint8Array[];
  try {
    message = method.encode(argument);
  } catch (err) {
    return Promise.reject(err);
  }
  const deadline = deadlineOf(options);
  const timeoutMs = deadline === Infinity ? undefined : deadline - Date.now();
  const meta = options.metadata === undefined ? undefined : metaEntries(toMetadata(options.metadata));
  const handler = new UnaryAnswer(method as NativeMethod<unknown, Res>, options, target);
  return connection.call(method.kind, message, timeoutMs, meta, handler);
}
