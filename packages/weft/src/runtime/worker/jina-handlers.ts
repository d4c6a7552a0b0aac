/**
 * The grpc-js handlers of the Jina services a worker serves. Each data call decodes its bytes with weft's codecs
 * (a malformed message is answered with INVALID_ARGUMENT), lets the `RequestHandler` process it, and answers
 * with the encoded request plus the `is-error` trailer when the executor raised. `Call` processes every message
 * as it arrives and answers in completion order; executor errors do not end the stream.
 */
import {
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServiceError,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import {
  type DataRequest,
  decodeDataRequest,
  decodeDataRequestList,
  encodeEndpoints,
  encodeJinaInfo,
} from '../../request/index.js';
import { flatMetadata, isErrorTrailer, shuttingDown, toServiceError } from './grpc-helpers.js';
import { jinaInfo } from './jina-info.js';
import type { HandledRequest, RequestHandler } from './request-handler.js';

/** What the handlers need from the server that hosts them. */
export interface HandlerHost {
  readonly handler: RequestHandler;
  /** Runtime name, for messages. */
  readonly name: string;
  /** False once shutdown began: new data requests are refused with UNAVAILABLE. */
  readonly accepting: boolean;
  /** Count `work` as an in-flight request until it settles. */
  track<T>(work: Promise<T>): Promise<T>;
  /** Register an open `Call` stream; `poke` runs when shutdown begins. Returns the function that unregisters it. */
  openStream(poke: () => void): () => void;
}

/** An encoded answer (with whether it carries an in-band error), or a gRPC error status. */
type Outcome = { bytes: Uint8Array; isError: boolean; error?: undefined } | { error: ServiceError };

type UnaryCall = ServerUnaryCall<Buffer, Uint8Array>;

/** Implementations keyed like the service definitions in `service-definitions.ts`. */
export function jinaHandlers(host: HandlerHost): Record<string, UntypedServiceImplementation> {
  return {
    call: { Call: (call: ServerDuplexStream<Buffer, Uint8Array>) => callStream(host, call) },
    singleData: {
      process_single_data: dataCall(host, (call) => processSingle(host, call.request, flatMetadata(call.metadata))),
    },
    data: { process_data: dataCall(host, (call) => processList(host, call.request, flatMetadata(call.metadata))) },
    discovery: {
      endpoint_discovery: (_call: UnaryCall, callback: sendUnaryData<Uint8Array>) => {
        callback(null, encodeEndpoints({ endpoints: host.handler.runner.executor.endpoints, writeEndpoints: [] }));
      },
    },
    info: {
      _status: (_call: UnaryCall, callback: sendUnaryData<Uint8Array>) => {
        callback(null, encodeJinaInfo(jinaInfo(host.name)));
      },
    },
  };
}

function dataCall(host: HandlerHost, run: (call: UnaryCall) => Promise<Outcome>) {
  return (call: UnaryCall, callback: sendUnaryData<Uint8Array>): void => {
    if (!host.accepting) {
      callback(shuttingDown(host.name));
      return;
    }
    host.track(run(call)).then(
      (o) => {
        if (o.error) callback(o.error);
        else callback(null, o.bytes, o.isError ? isErrorTrailer() : undefined);
      },
      (err: unknown) => callback(toServiceError(err, `worker ${host.name} failed`)),
    );
  };
}

async function processSingle(host: HandlerHost, bytes: Buffer, headers: Record<string, string>): Promise<Outcome> {
  let req: DataRequest;
  try {
    req = decodeDataRequest(bytes);
  } catch (err) {
    return { error: toServiceError(err, 'malformed DataRequestProto', status.INVALID_ARGUMENT) };
  }
  return answer(host, () => host.handler.handle(req, headers));
}

async function processList(host: HandlerHost, bytes: Buffer, headers: Record<string, string>): Promise<Outcome> {
  let reqs: DataRequest[];
  try {
    reqs = decodeDataRequestList(bytes);
  } catch (err) {
    return { error: toServiceError(err, 'malformed DataRequestListProto', status.INVALID_ARGUMENT) };
  }
  return answer(host, () => host.handler.handleList(reqs, headers));
}

async function answer(host: HandlerHost, run: () => Promise<HandledRequest>): Promise<Outcome> {
  let handled: HandledRequest;
  try {
    handled = await run();
  } catch (err) {
    // only malformed input gets here (undecodable documents: a WeftError with its own status); executor
    // exceptions come back in-band
    return { error: toServiceError(err, `worker ${host.name} cannot process the request`) };
  }
  return host.handler.encode(handled);
}

function callStream(host: HandlerHost, call: ServerDuplexStream<Buffer, Uint8Array>): void {
  const headers = flatMetadata(call.metadata);
  let pending = 0;
  let refused = 0;
  let clientDone = false;
  let finished = false;
  let anyError = false;
  let fatal: ServiceError | undefined;

  const finish = (): void => {
    if (finished || pending > 0) return;
    if (fatal || refused > 0) {
      finished = true;
      unregister();
      const err = fatal ?? shuttingDown(host.name);
      if (!fatal) err.details += `; ${refused} request(s) on this stream were not processed`;
      call.emit('error', err);
      return;
    }
    if (clientDone || !host.accepting) {
      finished = true;
      unregister();
      call.end(anyError ? isErrorTrailer() : undefined);
    }
  };
  const unregister = host.openStream(finish);

  call.on('data', (bytes: Buffer) => {
    if (finished || fatal) return;
    if (!host.accepting) {
      refused++;
      finish();
      return;
    }
    pending++;
    host
      .track(processSingle(host, bytes, headers))
      .then(
        (o) => {
          // a malformed message ends the stream with its status, after the answers already under way
          if (o.error) fatal ??= o.error;
          else if (!finished && !call.cancelled) {
            if (o.isError) anyError = true;
            call.write(o.bytes);
          }
        },
        (err: unknown) => {
          fatal ??= toServiceError(err, `worker ${host.name} failed`);
        },
      )
      .finally(() => {
        pending--;
        finish();
      });
  });
  call.on('end', () => {
    clientDone = true;
    finish();
  });
  call.on('cancelled', () => {
    finished = true;
    unregister();
  });
}
