/**
 * OpenTelemetry for weft runtimes: the options and how they reach runtime processes (`settings.ts`), the start-up
 * step that loads the bridges only when asked (`telemetry.ts`), and the tracer executor code adds spans with.
 * The bridges themselves (`tracing-bridge.ts`, `../otlp-metrics/`) are imported by `startTelemetry` alone.
 */
export {
  TELEMETRY_ENV,
  type TelemetryOptions,
  type TelemetrySettings,
  telemetryEnv,
  telemetryFromEnv,
} from './settings.js';
export { type RuntimeTelemetry, startTelemetry } from './telemetry.js';
export { setWeftTracer, tracingActive, weftTracer } from './tracer-handle.js';
