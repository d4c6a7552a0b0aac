/**
 * How the WebSocket gateway ends a connection on a failure: the close code and a reason that fits the 123 bytes
 * a close frame allows. The reason starts with the weft error code (`WEFT_UNAVAILABLE: executor 'x' at h:p …`, or
 * `WEFT_EXECUTOR/TypeError: …` when the class name is not the code's own; `closeReasonPrefix`) so a client can
 * rebuild the error class (`wireOfCloseReason`); when the full message is too long, a short one names the executor and its
 * address, and failing that a generic message names the kind of failure.
 *
 * Codes: 1011 for network failures towards executors (unavailable, timeout) and any other gateway-side failure,
 * 1007 for a message that is not a valid request (undecodable protobuf, JSON that is not a request body),
 * 1009 when a message is over the size limit, 1008 for a connection without an accepted token
 * (`WEFT_UNAUTHENTICATED`), 1013 when the gateway (or the connection) is at its limit of requests in flight (retry
 * later), 1001 when the gateway shuts down.
 */
import {
  closeReasonPrefix,
  DeadlineExceededError,
  toWire,
  UnavailableError,
  WeftError,
} from '../../../errors/index.js';

export const CLOSE = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  INVALID_PAYLOAD: 1007,
  POLICY: 1008,
  TOO_BIG: 1009,
  INTERNAL: 1011,
  TRY_AGAIN_LATER: 1013,
} as const;

/** The most UTF-8 bytes a close reason may have. */
export const MAX_REASON_BYTES = 123;

export interface CloseFrame {
  code: number;
  reason: string;
}

/** The close frame for an error raised while processing requests (or decoding a message, with `decoding`). */
export function closeFor(err: unknown, decoding = false): CloseFrame {
  // a message that could not be decoded is the client's bad request, whatever the decoder threw
  const wire =
    decoding && !(err instanceof WeftError)
      ? { ...toWire(err), code: 'WEFT_BAD_REQUEST', name: 'BadRequestError' }
      : toWire(err);
  const code = closeReasonPrefix(wire);
  const message = wire.message;
  // back-pressure (the gateway or this connection at its limit of requests in flight): try again later
  if (err instanceof WeftError && (err.code === 'WEFT_OVERLOADED' || err.code === 'WEFT_TOO_MANY_REQUESTS')) {
    return { code: CLOSE.TRY_AGAIN_LATER, reason: fit(`${code}: ${message}`) ?? truncate(`${code}: ${message}`) };
  }
  const clientFault = decoding || (err instanceof WeftError && err.httpStatus >= 400 && err.httpStatus < 500);
  if (clientFault) {
    const named = err instanceof WeftError ? err.code : undefined;
    const closeCode =
      named === 'WEFT_TOO_LARGE'
        ? CLOSE.TOO_BIG
        : named === 'WEFT_UNAUTHENTICATED'
          ? CLOSE.POLICY
          : CLOSE.INVALID_PAYLOAD;
    return { code: closeCode, reason: fit(`${code}: ${message}`) ?? truncate(`${code}: ${message}`) };
  }
  const full = fit(`${code}: ${message}`);
  if (full) return { code: CLOSE.INTERNAL, reason: full };
  return { code: CLOSE.INTERNAL, reason: shortReason(err, code) };
}

/** A compact reason from the error's details: which executor, where, and (for a timeout) after how long. */
function shortReason(err: unknown, code: string): string {
  const details = err instanceof WeftError ? err.details : {};
  const executor = str(details.executor) ?? str(details.deployment) ?? str(details.runtime);
  const addresses = Array.isArray(details.addresses) ? details.addresses.map(String) : [];
  const address = str(details.address) ?? addresses.join(', ');
  const at = address ? ` at ${address}` : '';
  const timeout = typeof details.timeoutMs === 'number' ? ` within ${details.timeoutMs} ms (timeout_send)` : '';
  const candidates: string[] = [];
  if (err instanceof DeadlineExceededError) {
    if (executor) candidates.push(`${code}: executor '${executor}'${at} did not answer${timeout}`);
    if (executor) candidates.push(`${code}: executor '${executor}' did not answer${timeout}`);
    candidates.push(`${code}: an executor did not answer in time; raise timeout_send if it needs longer`);
  } else if (err instanceof UnavailableError) {
    if (executor) candidates.push(`${code}: executor '${executor}'${at} is unavailable`);
    if (executor) candidates.push(`${code}: executor '${executor}' is unavailable`);
    candidates.push(`${code}: network error while connecting to an executor; it may be down`);
  } else {
    candidates.push(`${code}: the gateway failed to process a request; see the gateway's log`);
  }
  for (const c of candidates) {
    const r = fit(c);
    if (r) return r;
  }
  return truncate(candidates.at(-1) as string);
}

function fit(reason: string): string | undefined {
  return Buffer.byteLength(reason) <= MAX_REASON_BYTES ? reason : undefined;
}

/** Cut to the byte limit on a character boundary, marking the cut with an ellipsis. */
export function truncate(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_REASON_BYTES) return reason;
  let out = '';
  for (const ch of reason) {
    if (Buffer.byteLength(`${out}${ch}…`) > MAX_REASON_BYTES) break;
    out += ch;
  }
  return `${out}…`;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
