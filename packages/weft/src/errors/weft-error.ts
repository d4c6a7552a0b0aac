/**
 * The base class of every error weft raises on purpose. Each subclass carries a stable `code` (see
 * `codes.ts`), the gRPC and HTTP status it maps to, whether retrying may help, an optional `cause`, and
 * serialises to JSON for logs and wire transport.
 */
import { ERROR_CODES, type ErrorCode } from './codes.js';

export interface WeftErrorOptions {
  /** The underlying error, kept for debugging. */
  cause?: unknown;
  /** Structured facts about the failure (field name, path, address…), included in `toJSON()`. */
  details?: Record<string, unknown>;
}

export class WeftError extends Error {
  /** The code this class raises by default; subclasses override it. */
  static readonly code: ErrorCode = 'WEFT_ERROR';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(message: string, options: WeftErrorOptions = {}, code?: ErrorCode) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code ?? (this.constructor as typeof WeftError).code;
    this.name = this.constructor.name;
    this.details = options.details ?? {};
  }

  /** gRPC status code this error travels as. */
  get grpcStatus(): number {
    return ERROR_CODES[this.code].grpc;
  }

  /** HTTP status a gateway answers with. */
  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  /** Whether the same call may succeed when retried. */
  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    if (Object.keys(this.details).length > 0) out.details = this.details;
    if (this.cause !== undefined) out.cause = this.cause instanceof Error ? this.cause.message : String(this.cause);
    return out;
  }
}

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

/**
 * An exception raised inside an executor, as the caller sees it: `name` is the remote exception's class name,
 * `executor` the executor that raised it, `remoteStack` its stack trace there.
 */
export class ExecutorError extends WeftError {
  static override readonly code: ErrorCode = 'WEFT_EXECUTOR';
  readonly executor: string;
  readonly remoteName: string;
  readonly remoteArgs: string[];
  readonly remoteStack: string;

  constructor(
    message: string,
    remote: { name: string; executor: string; args?: string[]; stack?: string },
    options: WeftErrorOptions = {},
  ) {
    super(message, { ...options, details: { executor: remote.executor, name: remote.name, ...options.details } });
    this.executor = remote.executor;
    this.remoteName = remote.name;
    this.remoteArgs = remote.args ?? [message];
    this.remoteStack = remote.stack ?? '';
    // the caller sees the remote class name (e.g. 'TypeError'), like Jina's clients do
    this.name = remote.name || 'ExecutorError';
  }
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
