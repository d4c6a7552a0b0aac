/**
 * How the HTTP gateway answers what went wrong, as Jina's: an executor exception is not an HTTP error (200, the
 * error in `header.status`); an unavailable executor is 503 and a timeout 504, echoing the request body beside a
 * `header.status` that names the executor and its address; a malformed body is 400 naming the field; an
 * oversized body 413. Every error body has `header.status` (Jina's shape), `detail` (FastAPI's), and weft's
 * `code` and `name` (`bodyOfWire`), from which a client rebuilds the same error class (`wireOfBody`).
 */
import type { FastifyError } from 'fastify';
import {
  BadRequestError,
  bodyOfWire,
  DeadlineExceededError,
  InternalError,
  MessageTooLargeError,
  statusOfWire,
  toWire,
  UnavailableError,
  WeftError,
} from '../../../errors/index.js';
import { type DataRequest, statusToJson } from '../../../request/index.js';

export interface ErrorReply {
  status: number;
  body: Record<string, unknown>;
}

/** The HTTP status a failure of `gateway.process` answers with. */
export function httpStatusOf(err: unknown): number {
  if (err instanceof UnavailableError) return 503;
  if (err instanceof DeadlineExceededError) return 504;
  if (err instanceof WeftError && err.httpStatus >= 400) return err.httpStatus;
  return 500;
}

/**
 * A request that reached the Flow and failed in transport: the body as sent, plus the header with the error
 * (Jina's gateway answers the same way, so a client can tell which request failed).
 */
export function transportErrorReply(err: unknown, body: unknown, req: DataRequest): ErrorReply {
  const facts = err instanceof WeftError ? err.details : {};
  const named = facts.executor ?? facts.deployment;
  const executor = typeof named === 'string' ? named : '';
  const wire = toWire(err, executor ? { executor } : {});
  const status = statusOfWire(wire);
  const echoed = typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {};
  return {
    status: httpStatusOf(err),
    body: {
      ...echoed,
      header: {
        requestId: req.header.requestId,
        execEndpoint: req.header.execEndpoint ?? '',
        targetExecutor: req.header.targetExecutor ?? '',
        status: statusToJson(status),
      },
      ...bodyOfWire(wire),
    },
  };
}

/** A request refused before it reached the Flow (bad JSON or documents, too large, unknown route…). */
export function requestErrorReply(err: unknown, bodyLimit?: number): ErrorReply {
  const e = toWeftError(err, bodyLimit);
  const wire = toWire(e);
  const status = statusOfWire({ ...wire, stack: `${e.name}: ${e.message}` });
  const field = typeof e.details.field === 'string' ? e.details.field : undefined;
  return {
    status: typeof e.details.httpStatus === 'number' ? e.details.httpStatus : e.httpStatus >= 400 ? e.httpStatus : 500,
    body: { header: { status: statusToJson(status) }, ...bodyOfWire(wire), ...(field ? { field } : {}) },
  };
}

/** fastify's own errors (body parsing, limits, content type) as weft errors with a message a user can act on. */
function toWeftError(err: unknown, bodyLimit: number | undefined): WeftError {
  if (err instanceof WeftError) return err;
  const f = err as Partial<FastifyError>;
  switch (f.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new MessageTooLargeError(
        `the request body is over the gateway's limit${bodyLimit === undefined ? '' : ` of ${bodyLimit} bytes`}; send fewer documents per request or raise maxMessageBytes`,
        { cause: err },
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new BadRequestError(`${f.message}: send the body as JSON with the header Content-Type: application/json`, {
        cause: err,
        details: { httpStatus: f.statusCode ?? 400 },
      });
    default: {
      const code = f.statusCode;
      if (typeof code === 'number' && code >= 400 && code < 500) {
        return new BadRequestError(f.message ?? 'bad request', { cause: err, details: { httpStatus: code } });
      }
      return new InternalError(`the gateway failed to handle the request: ${f.message ?? String(err)}`, { cause: err });
    }
  }
}
