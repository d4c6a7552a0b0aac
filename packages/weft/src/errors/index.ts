/** Errors: one base class, stable codes, and the statuses they map to. */
export { ERROR_CODES, type ErrorCode, type ErrorCodeInfo, GrpcStatus, type GrpcStatusCode } from './codes.js';
export { type ExceptionInfo, errorFromStatus, type Status, StatusCode, statusFromError } from './status.js';
export {
  BadArgumentError,
  BadDocumentError,
  BadFilterError,
  BadNdArrayError,
  BadRequestError,
  BatchMismatchError,
  ConfigError,
  ContainerRequiredError,
  DeadlineExceededError,
  DecodeError,
  ExecutorError,
  ExecutorLoadError,
  ExecutorReturnError,
  ExportTargetError,
  LoadUriError,
  MessageTooLargeError,
  MissingDependencyError,
  NotContainerizableError,
  StartupError,
  TlsError,
  UnavailableError,
  UnsupportedError,
  WeftError,
  type WeftErrorOptions,
} from './weft-error.js';
