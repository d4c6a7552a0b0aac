/**
 * Errors across hops: `toWire` turns any error into the few facts that travel (code, class name, message, and
 * for an executor's own exception its executor, own code and stack), `fromWire` rebuilds the error those facts
 * stand for from the code → class table. Every hop carries the same facts in its own envelope, converted here:
 *
 * - in-band `StatusProto` (`statusOfWire` / `wireOfStatus`): the description ends with ` [CODE]` (the weft code,
 *   or an executor exception's own code), the `ExceptionProto` has name, args, stack and executor (Jina's shape);
 * - gRPC status + trailers (`grpcTrailersOf` / `wireOfGrpc`): `weft-error-code` and `weft-error-name`;
 * - HTTP and SSE bodies (`wireOfBody`): `{ code, name, detail, header: { status } }`;
 * - WebSocket close reasons (`closeReasonPrefix` / `wireOfCloseReason`): `CODE[/Name]: message`.
 *
 * A weft error keeps its class on every hop; an executor's own exception (a `TypeError`, a library's error)
 * arrives as an `ExecutorError` whose `remoteName`, `remoteCode` and `executor` say what it was.
 */
import { type ErrorCode, StatusCode } from './codes.js';
import { ExecutorError } from './error-classes.js';
import { ERROR_CLASSES, errorOfCode, isErrorCode } from './error-table.js';
import type { Status } from './status.js';
import { errorBrand, type WeftError, type WeftErrorOptions } from './weft-error.js';

/** The facts about an error that cross a hop. */
export interface WireError {
  /** The weft code: the error's own, `WEFT_EXECUTOR` for any other exception an executor raised, else `WEFT_ERROR`. */
  code: string;
  /** The class name: a weft class, or the remote exception's (`TypeError`). */
  name: string;
  message: string;
  /** An executor exception's own code (`ENOENT`, `ERR_X`), when it had a string one. */
  remoteCode?: string | undefined;
  /** The executor (runtime) that raised it. */
  executor?: string | undefined;
  /** The exception's arguments (Jina's `args`; the message first). */
  args?: string[] | undefined;
  stack?: string | undefined;
}

export interface ToWireOptions {
  /** The executor the error was raised in: an exception that is not a weft error is then its own (`WEFT_EXECUTOR`). */
  executor?: string | undefined;
}

/**
 * The wire facts of `err` (a weft error from any installed copy of weft keeps its code and class name).
 * @example toWire(new BadRequestError('no header')) // { code: 'WEFT_BAD_REQUEST', name: 'BadRequestError', … }
 */
export function toWire(err: unknown, options: ToWireOptions = {}): WireError {
  const e = err instanceof Error ? err : new Error(String(err));
  const brand = errorBrand(e);
  if (brand?.includes('ExecutorError')) {
    const x = e as ExecutorError;
    return {
      code: 'WEFT_EXECUTOR',
      name: x.remoteName || 'Error',
      message: x.remoteArgs?.[0] ?? e.message,
      remoteCode: x.remoteCode,
      executor: x.executor || options.executor,
      args: x.remoteArgs,
      stack: x.remoteStack || undefined,
    };
  }
  if (brand) {
    const w = e as WeftError;
    const named = w.details?.executor;
    return {
      code: w.code,
      name: e.name,
      message: e.message,
      executor: typeof named === 'string' && named ? named : options.executor,
      stack: e.stack,
    };
  }
  const own = (e as { code?: unknown }).code;
  return {
    code: options.executor === undefined ? 'WEFT_ERROR' : 'WEFT_EXECUTOR',
    name: e.name || 'Error',
    message: e.message,
    remoteCode: typeof own === 'string' && own ? own : undefined,
    executor: options.executor,
    stack: e.stack,
  };
}

export interface FromWireOptions extends WeftErrorOptions {
  /** The message of the rebuilt error (the hop's context around the remote words); the remote message by default. */
  message?: string;
}

/**
 * The error `wire` stands for: the class of its code (`WEFT_BAD_REQUEST` → `BadRequestError`), or, for an
 * executor's own exception, an `ExecutorError` with the remote name, code, executor and stack.
 * @example fromWire({ code: 'WEFT_CONFIG', name: 'ConfigError', message: 'bad key' }) instanceof ConfigError // true
 */
export function fromWire(wire: Partial<WireError>, options: FromWireOptions = {}): WeftError {
  const remote = wire.message ?? '';
  const executor = wire.executor || undefined;
  const code = wire.code ?? 'WEFT_ERROR';
  const { message: said, ...rest } = options;
  if (code === 'WEFT_EXECUTOR' || (!isErrorCode(code) && executor)) {
    const message = said ?? (executor ? `${remote} (raised by executor '${executor}')` : remote);
    return new ExecutorError(
      message,
      {
        name: wire.name || 'ExecutorError',
        executor: executor ?? '',
        code: wire.remoteCode ?? (isErrorCode(code) ? undefined : code),
        args: wire.args ?? [remote],
        stack: wire.stack ?? '',
      },
      rest,
    );
  }
  const known: ErrorCode = isErrorCode(code) ? code : 'WEFT_ERROR';
  const cls = ERROR_CLASSES[known] as unknown as { name: string };
  const details: Record<string, unknown> = {
    ...(executor ? { executor } : {}),
    ...(wire.name && wire.name !== cls.name ? { remoteName: wire.name } : {}),
    ...(known !== code ? { remoteCode: code } : {}),
    ...rest.details,
  };
  return errorOfCode(known, said ?? remote, { ...rest, details });
}

// ---- in-band StatusProto

/** A failed status carrying `wire` (Jina's `StatusProto`: `Name("message") [CODE]` and the `ExceptionProto`). */
export function statusOfWire(wire: WireError): Status {
  const tag = wire.code === 'WEFT_EXECUTOR' ? wire.remoteCode : wire.code;
  const stack = (wire.stack || `${wire.name}: ${wire.message}`).replace(/\n$/, '');
  return {
    code: StatusCode.ERROR,
    description: `${wire.name}(${JSON.stringify(wire.message)})${tag ? ` [${tag}]` : ''}`,
    exception: {
      name: wire.name,
      args: wire.args ?? [wire.message],
      stacks: stack.split('\n').map((l) => `${l}\n`),
      executor: wire.executor ?? '',
    },
  };
}

/** The wire facts of a failed status (from weft, or from Jina, whose descriptions carry no code). */
export function wireOfStatus(status: Status): WireError {
  const ex = status.exception;
  const tag = / \[([^\]\s]+)\]$/.exec(status.description ?? '')?.[1];
  const weft = tag !== undefined && isErrorCode(tag) && tag !== 'WEFT_EXECUTOR';
  const message = ex?.args[0] ?? status.description ?? 'executor error';
  return {
    code: weft ? tag : 'WEFT_EXECUTOR',
    name: ex?.name || (weft ? (ERROR_CLASSES[tag] as unknown as { name: string }).name : 'ExecutorError'),
    message,
    remoteCode: weft || tag === 'WEFT_EXECUTOR' ? undefined : tag,
    executor: ex?.executor ?? '',
    args: ex?.args ?? [message],
    stack: (ex?.stacks ?? []).join(''),
  };
}

// ---- gRPC status + trailers

/** The trailers that name a weft error on a gRPC status. */
export const GRPC_ERROR_KEYS = { code: 'weft-error-code', name: 'weft-error-name' } as const;

/** Trailers for `wire` (the name only when it is not the class's own, e.g. an executor's `TypeError`). */
export function grpcTrailersOf(wire: WireError): Record<string, string> {
  const out: Record<string, string> = { [GRPC_ERROR_KEYS.code]: wire.code };
  if (wire.name !== classNameOf(wire.code)) out[GRPC_ERROR_KEYS.name] = asciiOnly(wire.name);
  return out;
}

const BY_GRPC_STATUS: Record<number, ErrorCode> = {
  1: 'WEFT_UNAVAILABLE', // CANCELLED: weft never cancels a unary call itself; the peer's connection went away
  3: 'WEFT_BAD_REQUEST',
  4: 'WEFT_TIMEOUT',
  5: 'WEFT_NOT_FOUND',
  8: 'WEFT_TOO_LARGE',
  12: 'WEFT_UNSUPPORTED',
  14: 'WEFT_UNAVAILABLE',
};

/**
 * The wire facts of a failed gRPC call: the code a weft peer named in its trailers, else the one the gRPC status
 * stands for (a Jina peer, or a connection that failed).
 */
export function wireOfGrpc(grpcCode: number, details: string, trailer: (key: string) => string | undefined): WireError {
  const named = trailer(GRPC_ERROR_KEYS.code);
  const code = named && isErrorCode(named) ? named : (BY_GRPC_STATUS[grpcCode] ?? 'WEFT_ERROR');
  return { code, name: trailer(GRPC_ERROR_KEYS.name) || classNameOf(code), message: details };
}

/** Whether a weft runtime named the error code of this gRPC failure (it is the runtime's own answer). */
export function isNamedByPeer(trailer: (key: string) => string | undefined): boolean {
  return isErrorCode(trailer(GRPC_ERROR_KEYS.code));
}

// ---- HTTP and SSE bodies

const BY_HTTP_STATUS: Record<number, ErrorCode> = {
  400: 'WEFT_BAD_REQUEST',
  404: 'WEFT_NOT_FOUND',
  413: 'WEFT_TOO_LARGE',
  422: 'WEFT_BAD_REQUEST',
  429: 'WEFT_TOO_MANY_REQUESTS',
  431: 'WEFT_LIMIT_EXCEEDED',
  499: 'WEFT_CANCELLED',
  501: 'WEFT_UNSUPPORTED',
  503: 'WEFT_UNAVAILABLE',
  504: 'WEFT_TIMEOUT',
};

/** The fields an HTTP error body (and an SSE `error` event) adds for `wire`, beside `header.status`. */
export function bodyOfWire(wire: WireError): { code: string; name: string; detail: string } {
  return { code: wire.code, name: wire.name, detail: wire.message };
}

/**
 * The wire facts of an HTTP error body or SSE `error` event: `code` (weft), the `header.status` (weft and
 * Jina), else the HTTP status alone. `detail` (or fastify's `message`) is the message.
 */
export function wireOfBody(httpStatus: number | undefined, body: unknown): WireError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const header = (typeof b.header === 'object' && b.header !== null ? b.header : {}) as { status?: unknown };
  const status = asStatus(header.status);
  const fromStatus = status ? wireOfStatus(status) : undefined;
  const named = isErrorCode(b.code) ? b.code : undefined;
  let code: string;
  if (named) code = named;
  else if (fromStatus && (fromStatus.code !== 'WEFT_EXECUTOR' || !httpStatus || httpStatus === 200))
    code = fromStatus.code;
  else code = BY_HTTP_STATUS[httpStatus ?? 0] ?? 'WEFT_ERROR';
  const base = fromStatus?.code === code ? fromStatus : undefined;
  const name = typeof b.name === 'string' && b.name ? b.name : (base?.name ?? classNameOf(code));
  const said = [b.detail, base?.message, status?.description, b.message].find((s) => typeof s === 'string');
  return { ...base, code, name, message: (said as string | undefined) ?? '' };
}

// ---- WebSocket close reasons

/** What a close reason starts with: `CODE` (or `CODE/Name` when the name is not the class's own), then `: `. */
export function closeReasonPrefix(wire: WireError): string {
  return wire.name && wire.name !== classNameOf(wire.code) ? `${wire.code}/${wire.name}` : wire.code;
}

/** The wire facts of a close reason written by `closeReasonPrefix`, or undefined for any other reason. */
export function wireOfCloseReason(reason: string): WireError | undefined {
  const m = /^(WEFT_[A-Z_]+)(?:\/([^\s:]+))?: ([\s\S]*)$/.exec(reason);
  if (!m || !isErrorCode(m[1])) return undefined;
  const code = m[1] as ErrorCode;
  return { code, name: m[2] ?? classNameOf(code), message: m[3] as string };
}

// ---- helpers

function classNameOf(code: string): string {
  return isErrorCode(code) ? (ERROR_CLASSES[code] as unknown as { name: string }).name : 'WeftError';
}

function asciiOnly(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

/** A status-shaped value (a decoded `StatusProto` or its JSON), or undefined. */
function asStatus(v: unknown): Status | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const s = v as { code?: unknown; description?: unknown; exception?: unknown };
  const failed = s.code === StatusCode.ERROR || s.code === 'ERROR';
  if (!failed) return undefined;
  const ex =
    typeof s.exception === 'object' && s.exception !== null ? (s.exception as Record<string, unknown>) : undefined;
  const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((y) => typeof y === 'string') : []);
  return {
    code: StatusCode.ERROR,
    description: typeof s.description === 'string' ? s.description : '',
    ...(ex
      ? {
          exception: {
            name: typeof ex.name === 'string' ? ex.name : '',
            args: strings(ex.args),
            stacks: strings(ex.stacks),
            executor: typeof ex.executor === 'string' ? ex.executor : '',
          },
        }
      : {}),
  };
}
