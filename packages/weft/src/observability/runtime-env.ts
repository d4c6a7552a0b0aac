/**
 * The logging and OpenTelemetry options of a Flow, Deployment or executor as the environment variables its
 * runtime processes read (`WEFT_LOG_LEVEL`, `WEFT_ACCESS_LOG`, `WEFT_TRACING`, …): how a parent hands them down
 * without every runtime's configuration carrying them.
 *
 * @example observabilityEnv({ logLevel: 'debug', tracing: true }) // { WEFT_LOG_LEVEL: 'debug', WEFT_TRACING: '1' }
 */
import { type TelemetryOptions, telemetryEnv } from './tracing/settings.js';

export interface ObservabilityOptions extends TelemetryOptions {
  logLevel?: string;
  /** Gateway only: the access log line per request (default on). */
  accessLog?: boolean;
}

export const LOG_ENV = { level: 'WEFT_LOG_LEVEL', format: 'WEFT_LOG_FORMAT', accessLog: 'WEFT_ACCESS_LOG' } as const;

/** The environment variables for the options that are set. */
export function observabilityEnv(options: ObservabilityOptions): Record<string, string> {
  const env = telemetryEnv(options);
  if (options.logLevel !== undefined) env[LOG_ENV.level] = options.logLevel;
  if (options.accessLog !== undefined) env[LOG_ENV.accessLog] = options.accessLog ? '1' : '0';
  return env;
}
