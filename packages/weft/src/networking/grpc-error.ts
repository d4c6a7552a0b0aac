/**
 * Transport failures of a call to another runtime, turned into weft errors that say which runtime, where, and what
 * to check: UNAVAILABLE (and CANCELLED, a connection dropped under the call) becomes `UnavailableError`,
 * DEADLINE_EXCEEDED `DeadlineExceededError`, RESOURCE_EXHAUSTED
 * `MessageTooLargeError`, anything else a `WeftError` carrying the gRPC code and details (and the weft error code
 * a weft runtime names in its `weft-error-code` trailer). `serviceErrorFrom` is the server side of the same
 * mapping. (Executor exceptions are not transport failures: they come back in-band, in `header.status`.)
 */
import { status as GrpcCode, Metadata, type ServiceError } from '@grpc/grpc-js';
import {
  DeadlineExceededError,
  ERROR_CODES,
  type ErrorCode,
  MessageTooLargeError,
  UnavailableError,
  WeftError,
} from '../errors/index.js';

export interface CallContext {
  /** The runtime called (`encoder/rep-0`, `encoder/head`, or an executor name). */
  name: string;
  address: string;
  /** The gRPC method path. */
  method: string;
  /** The per-call timeout, when there was one. */
  timeoutMs?: number;
}

const CODE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(GrpcCode).map(([k, v]) => [v, k]));

/** True when `err` is a grpc-js call error (has a numeric status code). */
export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number' && 'details' in err;
}

/** The weft error a failed call stands for. Non-gRPC errors (a throwing serializer, say) pass through. */
export function errorFromGrpc(err: unknown, ctx: CallContext): Error {
  if (err instanceof WeftError || !isServiceError(err)) return err as Error;
  const details = err.details || err.message;
  const facts = {
    runtime: ctx.name,
    address: ctx.address,
    method: ctx.method,
    grpcCode: err.code,
    grpcDetails: details,
  };
  switch (err.code) {
    case GrpcCode.UNAVAILABLE:
      // a weft runtime that answered UNAVAILABLE itself (a head whose shards are down, a draining worker) is up
      return new UnavailableError(
        remoteCode(err)
          ? `runtime '${ctx.name}' at ${ctx.address} could not serve ${ctx.method}: ${details}`
          : `runtime '${ctx.name}' at ${ctx.address} is unavailable (${details}); check that its process is running and listening on ${ctx.address}`,
        { cause: err, details: facts },
      );
    case GrpcCode.CANCELLED:
      // weft never cancels a unary call itself: the peer's connection went away under the call (a runtime
      // shutting down force-closes its streams), which another replica can serve
      return new UnavailableError(
        `runtime '${ctx.name}' at ${ctx.address} dropped ${ctx.method} (${details}); it may have shut down or crashed`,
        { cause: err, details: facts },
      );
    case GrpcCode.DEADLINE_EXCEEDED:
      // a weft runtime that answered DEADLINE_EXCEEDED itself (a gateway or head whose call to an executor timed
      // out) already names that executor: relay its words instead of blaming the runtime we called
      return new DeadlineExceededError(
        remoteCode(err)
          ? `runtime '${ctx.name}' at ${ctx.address} could not serve ${ctx.method} in time: ${details}`
          : ctx.timeoutMs === undefined
            ? `executor '${ctx.name}' at ${ctx.address} did not answer ${ctx.method} before the deadline (${details})`
            : `executor '${ctx.name}' at ${ctx.address} did not answer ${ctx.method} within ${ctx.timeoutMs} ms; raise timeoutSend if it needs longer`,
        { cause: err, details: { ...facts, timeoutMs: ctx.timeoutMs } },
      );
    case GrpcCode.RESOURCE_EXHAUSTED:
      return new MessageTooLargeError(`runtime '${ctx.name}' at ${ctx.address} refused ${ctx.method}: ${details}`, {
        cause: err,
        details: facts,
      });
    default: {
      // a weft runtime names its error class in the `weft-error-code` trailer; keep that code across the hop
      const code = remoteCode(err);
      return new WeftError(
        `${ctx.method} on runtime '${ctx.name}' at ${ctx.address} failed with gRPC status ${CODE_NAMES[err.code] ?? 'UNKNOWN'} (${err.code}): ${details}`,
        { cause: err, details: facts },
        code,
      );
    }
  }
}

/** The weft error code a weft runtime put in the `weft-error-code` trailer, if any. */
function remoteCode(err: ServiceError): ErrorCode | undefined {
  const remote = String(err.metadata?.get('weft-error-code')[0] ?? '');
  return remote in ERROR_CODES ? (remote as ErrorCode) : undefined;
}

/**
 * The gRPC error a server answers with for `err`: a `WeftError` travels as its own status code with a
 * `weft-error-code` trailer (so the caller rebuilds the same class), anything else as `fallback`.
 * @example callback(serviceErrorFrom(err, 'head encoder/head'))
 */
export function serviceErrorFrom(err: unknown, context: string, fallback: GrpcCode = GrpcCode.INTERNAL): ServiceError {
  const metadata = new Metadata();
  let code = fallback;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof WeftError) {
    code = err.grpcStatus as GrpcCode;
    metadata.set('weft-error-code', err.code);
  }
  const details = `${context}: ${message}`;
  return Object.assign(new Error(details), { code, details, metadata });
}
