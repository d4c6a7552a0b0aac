/**
 * What a runtime process does at start about OpenTelemetry: read the settings its parent put in the environment
 * (`settings.ts`) and, only when tracing or OTLP metrics are on, import their bridges (so a runtime without them
 * never loads an `@opentelemetry/*` package). Returns the interceptors to put first in the runtime's chain and a
 * `shutdown` that flushes what is still buffered.
 */
import { telemetryFromEnv } from './settings.js';

export interface RuntimeTelemetry {
  /** Registered interceptor names to run first (the tracing span must enclose every other interceptor). */
  interceptors: string[];
  /** Flush and stop the exporters (awaited before the process exits). */
  shutdown: () => Promise<void>;
}

/** How long a stopping runtime waits for its last spans and metrics to be sent. */
const SHUTDOWN_MS = 3000;

const NOTHING: RuntimeTelemetry = { interceptors: [], shutdown: () => Promise.resolve() };

/** Start the telemetry `env` asks for, for the runtime `serviceName` (`gateway`, `encoder/rep-0`, …). */
export async function startTelemetry(
  serviceName: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RuntimeTelemetry> {
  const settings = telemetryFromEnv(env);
  if (!settings.tracing && !settings.metrics) return NOTHING;
  const stops: (() => Promise<void>)[] = [];
  const interceptors: string[] = [];
  if (settings.tracing) {
    const { startTracing, TRACING_INTERCEPTOR } = await import('./tracing-bridge.js');
    stops.push(startTracing({ serviceName, url: settings.tracesUrl }).shutdown);
    interceptors.push(TRACING_INTERCEPTOR);
  }
  if (settings.metrics) {
    const { startOtlpMetrics } = await import('../otlp-metrics/index.js');
    stops.push(startOtlpMetrics({ serviceName, url: settings.metricsUrl }).shutdown);
  }
  return {
    interceptors,
    shutdown: async () => {
      // a receiver that is gone must not hold the process past its parent's grace period
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, SHUTDOWN_MS);
        timer.unref();
      });
      await Promise.race([Promise.allSettled(stops.map((s) => s())), bound]);
      clearTimeout(timer);
    },
  };
}
