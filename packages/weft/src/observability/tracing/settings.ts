/**
 * The OpenTelemetry options (Jina's names: `tracing`, `traces_exporter_host/port`, `metrics`,
 * `metrics_exporter_host/port`) as a parent process hands them to its runtime processes: environment variables,
 * read by every runtime at start (`runtime-main.ts`). Plain data; reading it loads no OpenTelemetry package.
 */

/** The options as Flow, Deployment, gateway and executor accept them. */
export interface TelemetryOptions {
  /** Export a span per request and hop over OTLP/HTTP (default off). */
  tracing?: boolean;
  /** Host (or `http(s)://host`) of the OTLP/HTTP trace receiver (default 127.0.0.1). */
  tracesExporterHost?: string;
  /** Its port (default 4318, OTLP/HTTP's). */
  tracesExporterPort?: number;
  /** Push Jina's metrics over OTLP/HTTP (an alternative to `monitoring`'s Prometheus endpoint; default off). */
  metrics?: boolean;
  metricsExporterHost?: string;
  metricsExporterPort?: number;
}

/** What a runtime reads from its environment. */
export interface TelemetrySettings {
  tracing: boolean;
  /** `http://host:port/v1/traces`. */
  tracesUrl: string;
  metrics: boolean;
  /** `http://host:port/v1/metrics`. */
  metricsUrl: string;
}

export const TELEMETRY_ENV = {
  tracing: 'WEFT_TRACING',
  tracesExporterHost: 'WEFT_TRACES_EXPORTER_HOST',
  tracesExporterPort: 'WEFT_TRACES_EXPORTER_PORT',
  metrics: 'WEFT_METRICS',
  metricsExporterHost: 'WEFT_METRICS_EXPORTER_HOST',
  metricsExporterPort: 'WEFT_METRICS_EXPORTER_PORT',
} as const satisfies Record<keyof TelemetryOptions, string>;

/** The environment variables that carry `options` to a runtime process (only the options that are set). */
export function telemetryEnv(options: TelemetryOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, name] of Object.entries(TELEMETRY_ENV)) {
    const v = options[key as keyof TelemetryOptions];
    if (v !== undefined) env[name] = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
  }
  return env;
}

const on = (v: string | undefined): boolean => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

function url(host: string | undefined, port: string | undefined, path: string): string {
  const h = (host ?? '').trim() || '127.0.0.1';
  const base = /^https?:\/\//.test(h) ? h.replace(/\/+$/, '') : `http://${h.includes(':') ? `[${h}]` : h}`;
  const withPort = port && !/:\d+$/.test(base) ? `${base}:${port}` : /:\d+$/.test(base) ? base : `${base}:4318`;
  return `${withPort}${path}`;
}

/** The settings in `env` (tracing and metrics off unless `WEFT_TRACING` / `WEFT_METRICS` say `1` or `true`). */
export function telemetryFromEnv(env: NodeJS.ProcessEnv = process.env): TelemetrySettings {
  return {
    tracing: on(env[TELEMETRY_ENV.tracing]),
    tracesUrl: url(env[TELEMETRY_ENV.tracesExporterHost], env[TELEMETRY_ENV.tracesExporterPort], '/v1/traces'),
    metrics: on(env[TELEMETRY_ENV.metrics]),
    metricsUrl: url(env[TELEMETRY_ENV.metricsExporterHost], env[TELEMETRY_ENV.metricsExporterPort], '/v1/metrics'),
  };
}
