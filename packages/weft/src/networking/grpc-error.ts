/**
 * Transport failures of a call to another runtime, turned into weft errors that say which runtime, where, and what
 * to check. The class comes from the errors' one code → class table (`wireOfGrpc`/`fromWire`): the code a weft
 * runtime names in its `weft-error-code` trailer (so a `BadRequestError` raised behind the hop arrives as a
 * `BadRequestError`), else the one the gRPC status stands for: UNAVAILABLE (and CANCELLED, a connection dropped
 * under the call) `UnavailableError`, DEADLINE_EXCEEDED `DeadlineExceededError`, RESOURCE_EXHAUSTED
 * `MessageTooLargeError`, INVALID_ARGUMENT `BadRequestError`… `serviceErrorFrom` is the server side of the same
 * mapping (`toWire` + `grpcTrailersOf`). (Executor exceptions are not transport failures: they come back
 * in-band, in `header.status`.)
 */
import { status as GrpcCode, Metadata, type ServiceError } from '@grpc/grpc-js';
import { fromWire, grpcTrailersOf, isNamedByPeer, toWire, WeftError, wireOfGrpc } from '../errors/index.js';

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
  const trailer = (key: string): string | undefined => {
    const v = err.metadata?.get(key)[0];
    return v === undefined ? undefined : String(v);
  };
  const wire = wireOfGrpc(err.code, details, trailer);
  const named = isNamedByPeer(trailer);
  const facts = {
    runtime: ctx.name,
    address: ctx.address,
    method: ctx.method,
    grpcCode: err.code,
    grpcDetails: details,
  };
  return fromWire(wire, {
    message: messageOf(err.code, wire.code, named, details, ctx),
    cause: err,
    details: wire.code === 'WEFT_TIMEOUT' ? { ...facts, timeoutMs: ctx.timeoutMs } : facts,
  });
}

/** What the caller reads: which runtime, where, which method, and the peer's own words. */
function messageOf(grpcCode: number, code: string, named: boolean, details: string, ctx: CallContext): string {
  const at = `runtime '${ctx.name}' at ${ctx.address}`;
  if (grpcCode === GrpcCode.CANCELLED && !named) {
    // weft never cancels a unary call itself: the peer's connection went away under the call (a runtime
    // shutting down force-closes its streams), which another replica can serve
    return `${at} dropped ${ctx.method} (${details}); it may have shut down or crashed`;
  }
  // a weft runtime that answered UNAVAILABLE or DEADLINE_EXCEEDED itself (a head whose shards are down, a gateway
  // whose call to an executor timed out) already names that executor: relay its words instead of blaming it
  if (code === 'WEFT_UNAVAILABLE')
    return named
      ? `${at} could not serve ${ctx.method}: ${details}`
      : `${at} is unavailable (${details}); check that its process is running and listening on ${ctx.address}`;
  if (code === 'WEFT_TIMEOUT')
    return named
      ? `${at} could not serve ${ctx.method} in time: ${details}`
      : ctx.timeoutMs === undefined
        ? `executor '${ctx.name}' at ${ctx.address} did not answer ${ctx.method} before the deadline (${details})`
        : `executor '${ctx.name}' at ${ctx.address} did not answer ${ctx.method} within ${ctx.timeoutMs} ms; raise timeoutSend if it needs longer`;
  if (code === 'WEFT_TOO_LARGE' && !named) return `${at} refused ${ctx.method}: ${details}`;
  return `${ctx.method} on ${at} failed with gRPC status ${CODE_NAMES[grpcCode] ?? 'UNKNOWN'} (${grpcCode}): ${details}`;
}

/**
 * The gRPC error a server answers with for `err`: a weft error travels as its own status code with
 * `weft-error-code` (and, when the class name is not the code's own, `weft-error-name`) trailers, so the caller
 * rebuilds the same class; anything else as `fallback`, named `WEFT_ERROR` with its class name.
 * @example callback(serviceErrorFrom(err, 'head encoder/head'))
 */
export function serviceErrorFrom(err: unknown, context: string, fallback: GrpcCode = GrpcCode.INTERNAL): ServiceError {
  const metadata = new Metadata();
  let code = fallback;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof WeftError) code = err.grpcStatus as GrpcCode;
  // any other error travels as unclassified (WEFT_ERROR), its class name kept
  for (const [k, v] of Object.entries(grpcTrailersOf(toWire(err)))) metadata.set(k, v);
  const details = `${context}: ${message}`;
  return Object.assign(new Error(details), { code, details, metadata });
}
