/**
 * The named weft errors, one class per code (the table in `codes.ts` says how each travels). `error-table.ts`
 * maps each code back to its class, so that an error rebuilt on the far side of a hop has the class it was
 * raised with.
 */
import type { ErrorCode } from './codes.js';
import { WeftError, type WeftErrorOptions } from './weft-error.js';

/** A Document field holds a value of the wrong kind. */
export class BadDocumentError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_BAD_DOCUMENT';
}

/** dtype, shape and buffer length of an NdArray do not agree. */
export class BadNdArrayError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_BAD_NDARRAY';
}

/** Bytes or JSON that cannot be decoded as the expected message. */
export class DecodeError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_DECODE';
}

/** A Mongo-style filter that cannot be evaluated. */
export class BadFilterError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_BAD_FILTER';
}

/** An argument outside a function's contract. */
export class BadArgumentError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_BAD_ARGUMENT';
}

/** A URI that could not be loaded. */
export class LoadUriError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_LOAD_URI';
}

/** A URI the process's policy refuses to load (a file outside the roots, a non-public address). */
export class UriRefusedError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_URI_REFUSED';
}

/** An optional dependency is missing; the message says what to install. */
export class MissingDependencyError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_MISSING_DEPENDENCY';

  constructor(pkg: string, feature: string, options: WeftErrorOptions = {}) {
    super(`${feature} needs the optional package '${pkg}', which is not installed: run \`npm install ${pkg}\``, {
      ...options,
      details: { package: pkg, ...options.details },
    });
  }
}

/** A request that is malformed as a whole. */
export class BadRequestError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_BAD_REQUEST';
}

/** A message over the configured size limit. */
export class MessageTooLargeError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_TOO_LARGE';
}

/** A request over one of the gateway's limits; `details.limit` names the limit, `details.max` its value. */
export class LimitExceededError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_LIMIT_EXCEEDED';
}

/** The gateway is at its limit of requests in flight (back-pressure: retry later). */
export class OverloadedError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_OVERLOADED';
}

/** One connection is at its limit of requests in flight (back-pressure: wait for answers, then retry). */
export class TooManyRequestsError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_TOO_MANY_REQUESTS';
}

/** A configuration that does not match the schema. */
export class ConfigError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_CONFIG';
}

/** An executor that could not be resolved or constructed. */
export class ExecutorLoadError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_EXECUTOR_LOAD';
}

/** An endpoint returned a value of the wrong kind. */
export class ExecutorReturnError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_EXECUTOR_RETURN';
}

/** A batched endpoint returned a different number of documents than it was given. */
export class BatchMismatchError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_BATCH_MISMATCH';
}

/** A runtime could not be reached. */
export class UnavailableError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_UNAVAILABLE';
}

/**
 * A TLS connection could not be set up (an untrusted or misnamed certificate, or a TLS client at a plain port): the
 * message says which and what to change; retrying the same call does not help.
 */
export class TlsError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_TLS';
}

/**
 * A request without a token the gateway accepts (none, or a wrong one). The message never says how close a token
 * was; retrying the same call does not help.
 */
export class UnauthenticatedError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_UNAUTHENTICATED';
}

/** A call did not answer in time. */
export class DeadlineExceededError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_TIMEOUT';
}

/** A runtime failed to start. */
export class StartupError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_STARTUP';
}

/** An operation the protocol or runtime at hand does not offer. */
export class UnsupportedError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_UNSUPPORTED';
}

/** No route or endpoint by that name. */
export class NotFoundError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_NOT_FOUND';
}

/** A Flow or Deployment used before `start()` resolved. */
export class NotStartedError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_NOT_STARTED';
}

/** A Flow changed after `start()`. */
export class AlreadyStartedError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_ALREADY_STARTED';
}

/** A client or connection used after `close()`. */
export class ClosedError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_CLOSED';
}

/** A call cancelled by its own caller. */
export class CancelledError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_CANCELLED';
}

/** A peer that answered outside the protocol spoken (not a weft or Jina gateway of that protocol). */
export class ProtocolError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_PROTOCOL';
}

/** An invariant inside weft broke. */
export class InternalError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_INTERNAL';
}

// --- export and containers (weft export, docker:// executors) ---

/** An export target (folder or file) that already holds other files; nothing was written. */
export class ExportTargetError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_EXPORT_TARGET';
}

/** An executor whose `uses` cannot be run from a container image; the message says what to write instead. */
export class NotContainerizableError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_NOT_CONTAINERIZABLE';
}

/** A Flow executor is a container image (`docker://…`) and was started locally; the message says how to run it. */
export class ContainerRequiredError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_CONTAINER_REQUIRED';
}

/** What is known of an exception raised in an executor, on the far side of a hop. */
export interface RemoteException {
  /** The remote exception's class name (`TypeError`, `IndexCorruptError`). */
  name: string;
  /** The executor (runtime) that raised it. */
  executor: string;
  /** The exception's own code (Node's `ENOENT`, a library's `ERR_X`), when it had a string one. */
  code?: string | undefined;
  args?: string[] | undefined;
  stack?: string | undefined;
}

/**
 * An exception raised inside an executor that is not a weft error, as the caller sees it: `name` (and
 * `remoteName`) is the remote exception's class name, `remoteCode` its own code, `executor` the executor that
 * raised it, `remoteStack` its stack trace there. (A weft error raised in an executor comes back as its own class,
 * with `details.executor` naming the executor.)
 */
export class ExecutorError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_EXECUTOR';
  readonly executor: string;
  readonly remoteName: string;
  readonly remoteCode: string | undefined;
  readonly remoteArgs: string[];
  readonly remoteStack: string;

  constructor(message: string, remote: RemoteException, options: WeftErrorOptions = {}) {
    super(message, {
      ...options,
      details: {
        executor: remote.executor,
        name: remote.name,
        ...(remote.code ? { remoteCode: remote.code } : {}),
        ...options.details,
      },
    });
    this.executor = remote.executor;
    this.remoteName = remote.name;
    this.remoteCode = remote.code || undefined;
    this.remoteArgs = remote.args ?? [message];
    this.remoteStack = remote.stack ?? '';
    // the caller sees the remote class name (e.g. 'TypeError'), like Jina's clients do
    this.name = remote.name || 'ExecutorError';
  }
}
