/**
 * weft: multimodal AI services in TypeScript. The package root names its first-class citizens one by one;
 * secondary surfaces live under subpath exports.
 */

export type { ClientOptions, ClientTlsOptions, PostOptions } from './client/index.js';
export { Client } from './client/index.js';
export type {
  DocumentInit,
  DocumentJson,
  Filter,
  FindOptions,
  ImageTensorOptions,
  JsonObject,
  JsonValue,
  LoadUriOptions,
  MatchOptions,
  Metric,
  NamedScore,
  NdArrayLike,
  ScalarField,
  TypedArray,
} from './document/index.js';
export {
  compileFilter,
  Document,
  DocumentArray,
  halfToFloat,
  loadImageTensor,
  loadUri,
  NdArray,
  SCALAR_FIELDS,
  setUriPolicy,
  type UriPolicy,
  uriPolicy,
} from './document/index.js';
export type { ErrorCode, WireError } from './errors/index.js';
export {
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
  DeadlineExceededError,
  DecodeError,
  ERROR_CLASSES,
  ERROR_CODES,
  ExecutorError,
  ExecutorLoadError,
  ExecutorReturnError,
  fromWire,
  InternalError,
  LimitExceededError,
  LoadUriError,
  MessageTooLargeError,
  MissingDependencyError,
  NotFoundError,
  NotStartedError,
  OverloadedError,
  ProtocolError,
  StartupError,
  TlsError,
  TooManyRequestsError,
  toWire,
  UnauthenticatedError,
  UnavailableError,
  UnsupportedError,
  UriRefusedError,
  WeftError,
} from './errors/index.js';
export type {
  DynamicBatchingConfig,
  EndpointArgs,
  EndpointResult,
  ExecutorArgs,
  ExecutorClass,
  ExecutorContext,
  ExecutorInterceptor,
  ExecutorMetas,
  ExecutorOptions,
  RuntimeArgs,
  StreamArgs,
  Uses,
} from './executor/index.js';
export {
  DEFAULT_ENDPOINT,
  dynamicBatching,
  Executor,
  ExecutorRunner,
  registerExecutor,
  requests,
  resolveUses,
} from './executor/index.js';
export type { Interceptor, Next } from './interceptors/index.js';
export type { MetricsHandle, MonitorOptions } from './observability/metrics/index.js';
export { monitor } from './observability/metrics/index.js';
export type { DeploymentOptions, FlowAddOptions } from './orchestrate/index.js';
export { Deployment, Flow } from './orchestrate/index.js';
export type {
  GatewayContext,
  GatewayInterceptor,
  GatewayPostOptions,
  HttpPlugin,
  HttpPluginOptions,
} from './runtime/gateway/index.js';
export { Gateway } from './runtime/gateway/index.js';
