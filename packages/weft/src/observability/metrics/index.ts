/**
 * Metrics (Prometheus): the `@monitor` decorator and the metrics handle executor code uses, the metric names, the
 * Grafana dashboard weft ships, and `startMonitoring`, which serves a runtime's `/metrics`. prom-client is loaded
 * only inside `startMonitoring` (a dynamic import): importing this folder loads nothing extra.
 */
export { grafanaDashboard, grafanaDashboardPath } from './dashboard.js';
export { K8S_MONITORING_PORT, LABELS, METRICS } from './metric-names.js';
export {
  type CounterInstrument,
  type GaugeInstrument,
  type HistogramInstrument,
  type HistogramSpec,
  type MetricLabels,
  type MetricSpec,
  type MetricsHandle,
  metricsHandle,
  NOOP_METRICS,
  setMetricsHandle,
} from './metrics-handle.js';
export { type MonitorOptions, monitor } from './monitor.js';
export { type Monitoring, type MonitoringOptions, startMonitoring } from './start-monitoring.js';
