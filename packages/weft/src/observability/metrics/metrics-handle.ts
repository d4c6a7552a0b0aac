/**
 * The metrics handle executor code registers its own metrics with (`this.metrics` on an Executor): counters,
 * gauges and histograms on the runtime's Prometheus registry when the runtime is monitored, and instruments that
 * do nothing otherwise (so executor code never checks). The Prometheus bridge installs the provider when it
 * starts; nothing here loads prom-client.
 */

export type MetricLabels = Record<string, string | number>;

export interface MetricSpec {
  /** The metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`). */
  name: string;
  help: string;
  /** Label names the instrument is used with. */
  labelNames?: readonly string[];
}

export interface HistogramSpec extends MetricSpec {
  /** Upper bounds of the buckets (default: prom-client's, for seconds). */
  buckets?: readonly number[];
}

export interface CounterInstrument {
  inc(labels?: MetricLabels, value?: number): void;
}
export interface GaugeInstrument {
  set(value: number, labels?: MetricLabels): void;
  inc(labels?: MetricLabels, value?: number): void;
  dec(labels?: MetricLabels, value?: number): void;
}
export interface HistogramInstrument {
  observe(value: number, labels?: MetricLabels): void;
  /** Start a timer; calling the returned function observes the seconds since. */
  startTimer(labels?: MetricLabels): () => void;
}

/** What `this.metrics` offers. Asking twice for the same name returns the same instrument. */
export interface MetricsHandle {
  /** Whether the runtime is monitored (the instruments record). */
  readonly enabled: boolean;
  counter(spec: MetricSpec): CounterInstrument;
  gauge(spec: MetricSpec): GaugeInstrument;
  histogram(spec: HistogramSpec): HistogramInstrument;
}

const noop = (): void => {};

/** The handle of an unmonitored process: every instrument does nothing. */
export const NOOP_METRICS: MetricsHandle = Object.freeze({
  enabled: false,
  counter: () => ({ inc: noop }),
  gauge: () => ({ set: noop, inc: noop, dec: noop }),
  histogram: () => ({ observe: noop, startTimer: () => noop }),
});

let provider: MetricsHandle = NOOP_METRICS;

/** The metrics handle of this process (the no-op one unless monitoring started). */
export function metricsHandle(): MetricsHandle {
  return provider;
}

/** Install the handle of the running Prometheus bridge (`undefined`: back to no-op). */
export function setMetricsHandle(handle: MetricsHandle | undefined): void {
  provider = handle ?? NOOP_METRICS;
}
