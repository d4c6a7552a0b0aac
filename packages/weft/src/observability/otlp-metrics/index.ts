/**
 * OTLP metrics (`metrics: true`, `metrics_exporter_host/port`): Jina's metric names, fed by the same
 * diagnostics_channel events as the Prometheus endpoint, pushed over OTLP/HTTP by `@opentelemetry/sdk-metrics`.
 * Imported (by `startTelemetry`) only in a runtime started with `metrics: true`.
 *
 * Gateway: `jina_receiving_request_seconds`, `jina_number_of_pending_requests`, `jina_successful_requests`,
 * `jina_failed_requests`. Executor: `jina_receiving_request_seconds`, `jina_process_request_seconds`,
 * `jina_document_processed`, `jina_successful_requests`, `jina_failed_requests` (attributes `runtime_name`,
 * `executor`, `executor_endpoint`).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Attributes } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import {
  CHANNELS,
  type ExecutorRequestEnd,
  type ExecutorRequestError,
  type GatewayRequestEnd,
  type GatewayRequestError,
  type GatewayRequestStart,
} from '../events.js';

export interface OtlpMetricsOptions {
  serviceName: string;
  /** `http://host:4318/v1/metrics`. */
  url: string;
  /** How often to push, in ms (default `OTEL_METRIC_EXPORT_INTERVAL` or 60 000). */
  intervalMs?: number;
}

/** Start pushing; `shutdown` pushes what was recorded since the last export and stops. */
export function startOtlpMetrics(options: OtlpMetricsOptions): { shutdown: () => Promise<void> } {
  const interval = options.intervalMs ?? (Number(process.env.OTEL_METRIC_EXPORT_INTERVAL) || 60_000);
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: options.url }),
        exportIntervalMillis: interval,
        exportTimeoutMillis: Math.min(30_000, interval),
      }),
    ],
  });
  const meter = provider.getMeter('weft');
  const receiving = meter.createHistogram('jina_receiving_request_seconds', { unit: 's' });
  const processing = meter.createHistogram('jina_process_request_seconds', { unit: 's' });
  const documents = meter.createCounter('jina_document_processed');
  const succeeded = meter.createCounter('jina_successful_requests');
  const failed = meter.createCounter('jina_failed_requests');
  const pending = meter.createUpDownCounter('jina_number_of_pending_requests');
  const runtime = options.serviceName;

  const gatewayAttrs = (m: GatewayRequestStart): Attributes => ({ runtime_name: runtime, endpoint: m.endpoint });
  const executorAttrs = (m: ExecutorRequestEnd): Attributes => ({
    runtime_name: runtime,
    executor: m.executor.split('/')[0] ?? m.executor,
    executor_endpoint: m.endpoint,
  });
  const handlers: [string, (m: unknown) => void][] = [
    [CHANNELS.gatewayRequestStart, (m) => pending.add(1, gatewayAttrs(m as GatewayRequestStart))],
    [
      CHANNELS.gatewayRequestEnd,
      (m) => {
        const e = m as GatewayRequestEnd;
        const a = gatewayAttrs(e);
        pending.add(-1, a);
        receiving.record(e.durationMs / 1000, a);
        const code = e.response?.header.status?.code ?? 0;
        (code === 0 ? succeeded : failed).add(1, a);
      },
    ],
    [
      CHANNELS.gatewayRequestError,
      (m) => {
        const a = gatewayAttrs(m as GatewayRequestError);
        pending.add(-1, a);
        failed.add(1, a);
      },
    ],
    [
      CHANNELS.executorRequestEnd,
      (m) => {
        const e = m as ExecutorRequestEnd;
        const a = executorAttrs(e);
        receiving.record(e.durationMs / 1000, a);
        processing.record(e.durationMs / 1000, a);
        documents.add(e.docs, a);
        succeeded.add(1, a);
      },
    ],
    [CHANNELS.executorRequestError, (m) => failed.add(1, executorAttrs(m as ExecutorRequestError))],
  ];
  for (const [name, fn] of handlers) subscribe(name, fn);
  return {
    shutdown: async () => {
      for (const [name, fn] of handlers) unsubscribe(name, fn);
      await provider.shutdown();
    },
  };
}
