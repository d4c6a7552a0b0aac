/**
 * The code → class table: which class an error with a given code is rebuilt as on the far side of a hop, and the
 * one way to build it (`errorOfCode`), for classes whose constructor takes other arguments too.
 */
import { ERROR_CODES, type ErrorCode } from './codes.js';
import {
  AlreadyStartedError,
  BadArgumentError,
  BadDocumentError,
  BadFilterError,
  BadNdArrayError,
  BadRequestError,
  BatchMismatchError,
  CancelledError,
  ClosedError,
  ConfigError,
  ContainerRequiredError,
  DeadlineExceededError,
  DecodeError,
  ExecutorError,
  ExecutorLoadError,
  ExecutorReturnError,
  ExportTargetError,
  InternalError,
  LimitExceededError,
  LoadUriError,
  MessageTooLargeError,
  MissingDependencyError,
  NotContainerizableError,
  NotFoundError,
  NotStartedError,
  OverloadedError,
  ProtocolError,
  StartupError,
  TlsError,
  TooManyRequestsError,
  UnauthenticatedError,
  UnavailableError,
  UnsupportedError,
  UriRefusedError,
} from './error-classes.js';
import { WeftError, type WeftErrorOptions } from './weft-error.js';

/** Any weft error class (constructors differ; `errorOfCode` builds every one the same way). */
export type WeftErrorClass = abstract new (...args: never[]) => WeftError;

/** The class each code is raised (and rebuilt) as. */
export const ERROR_CLASSES: { readonly [C in ErrorCode]: WeftErrorClass } = {
  WEFT_ERROR: WeftError,
  WEFT_BAD_DOCUMENT: BadDocumentError,
  WEFT_BAD_NDARRAY: BadNdArrayError,
  WEFT_DECODE: DecodeError,
  WEFT_BAD_FILTER: BadFilterError,
  WEFT_BAD_ARGUMENT: BadArgumentError,
  WEFT_LOAD_URI: LoadUriError,
  WEFT_URI_REFUSED: UriRefusedError,
  WEFT_MISSING_DEPENDENCY: MissingDependencyError,
  WEFT_BAD_REQUEST: BadRequestError,
  WEFT_TOO_LARGE: MessageTooLargeError,
  WEFT_LIMIT_EXCEEDED: LimitExceededError,
  WEFT_OVERLOADED: OverloadedError,
  WEFT_TOO_MANY_REQUESTS: TooManyRequestsError,
  WEFT_CONFIG: ConfigError,
  WEFT_EXECUTOR_LOAD: ExecutorLoadError,
  WEFT_EXECUTOR: ExecutorError,
  WEFT_EXECUTOR_RETURN: ExecutorReturnError,
  WEFT_BATCH_MISMATCH: BatchMismatchError,
  WEFT_UNAVAILABLE: UnavailableError,
  WEFT_TLS: TlsError,
  WEFT_UNAUTHENTICATED: UnauthenticatedError,
  WEFT_TIMEOUT: DeadlineExceededError,
  WEFT_STARTUP: StartupError,
  WEFT_UNSUPPORTED: UnsupportedError,
  WEFT_NOT_FOUND: NotFoundError,
  WEFT_NOT_STARTED: NotStartedError,
  WEFT_ALREADY_STARTED: AlreadyStartedError,
  WEFT_CLOSED: ClosedError,
  WEFT_CANCELLED: CancelledError,
  WEFT_PROTOCOL: ProtocolError,
  WEFT_INTERNAL: InternalError,
  WEFT_EXPORT_TARGET: ExportTargetError,
  WEFT_NOT_CONTAINERIZABLE: NotContainerizableError,
  WEFT_CONTAINER_REQUIRED: ContainerRequiredError,
};

/** True when `code` is one of weft's stable codes. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/**
 * An error of the class `code` stands for, with `message` as is (a class whose constructor composes its message,
 * such as `MissingDependencyError`, is built without running that constructor). `ExecutorError` needs the remote
 * facts: build it with `new ExecutorError(…)`; here it gets empty ones.
 * @example errorOfCode('WEFT_BAD_REQUEST', 'no header') instanceof BadRequestError // true
 */
export function errorOfCode(code: ErrorCode, message: string, options: WeftErrorOptions = {}): WeftError {
  const cls = ERROR_CLASSES[code];
  if (cls === ExecutorError) return new ExecutorError(message, { name: 'ExecutorError', executor: '' }, options);
  return Reflect.construct(WeftError, [message, options, code], cls) as WeftError;
}
