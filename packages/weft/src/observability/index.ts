/**
 * Observability (subpath `@weft-ai/weft/observability`): the diagnostics_channel events runtimes publish and the logger.
 * Metrics and tracing bridges subscribe to the events; nothing here loads unless imported.
 */

export { accessLogEnabled, startAccessLog } from './access-log.js';
export { captureConsole } from './console-capture.js';
export {
  type BatchFormed,
  CHANNELS,
  type ChannelName,
  channels,
  type ExecutorRequestEnd,
  type ExecutorRequestError,
  type ExecutorRequestStart,
  executorRequestsObserved,
  type GatewayRequestEnd,
  type GatewayRequestError,
  type GatewayRequestStart,
  gatewayRequestsObserved,
  publish,
  type RequestEventBase,
  type RuntimeDown,
  type RuntimeUp,
} from './events.js';
export {
  createLogger,
  LOG_LEVELS,
  type LogFields,
  type LogFormat,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  type LogSink,
  logFormatFromEnv,
  logLevelFromEnv,
  writeStderr,
} from './log.js';
export { currentRequestId, enableRequestContext, withRequestId } from './request-context.js';
export { LOG_ENV, type ObservabilityOptions, observabilityEnv } from './runtime-env.js';
export { withoutInternalFrames } from './stack-frames.js';
export {
  TELEMETRY_ENV,
  type TelemetryOptions,
  telemetryEnv,
  tracingActive,
  weftTracer,
} from './tracing/index.js';
