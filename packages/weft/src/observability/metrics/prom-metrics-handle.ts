/**
 * The metrics handle of a monitored runtime: executor code's counters, gauges and histograms registered on the
 * runtime's prom-client registry (one instrument per name; asking again returns it). Loaded with the bridge.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { BadArgumentError } from '../../errors/index.js';
import type {
  CounterInstrument,
  GaugeInstrument,
  HistogramInstrument,
  HistogramSpec,
  MetricLabels,
  MetricSpec,
  MetricsHandle,
} from './metrics-handle.js';

type Instrument = CounterInstrument | GaugeInstrument | HistogramInstrument;

export class PromMetricsHandle implements MetricsHandle {
  readonly enabled = true;
  readonly #registry: Registry;
  readonly #made = new Map<string, { kind: string; instrument: Instrument }>();

  constructor(registry: Registry) {
    this.#registry = registry;
  }

  counter(spec: MetricSpec): CounterInstrument {
    return this.#once('counter', spec, () => {
      const c = new Counter({ ...this.#base(spec) });
      return { inc: (labels?: MetricLabels, value = 1) => (labels ? c.inc(labels, value) : c.inc(value)) };
    }) as CounterInstrument;
  }

  gauge(spec: MetricSpec): GaugeInstrument {
    return this.#once('gauge', spec, () => {
      const g = new Gauge({ ...this.#base(spec) });
      return {
        set: (value: number, labels?: MetricLabels) => (labels ? g.set(labels, value) : g.set(value)),
        inc: (labels?: MetricLabels, value = 1) => (labels ? g.inc(labels, value) : g.inc(value)),
        dec: (labels?: MetricLabels, value = 1) => (labels ? g.dec(labels, value) : g.dec(value)),
      };
    }) as GaugeInstrument;
  }

  histogram(spec: HistogramSpec): HistogramInstrument {
    return this.#once('histogram', spec, () => {
      const h = new Histogram({ ...this.#base(spec), ...(spec.buckets ? { buckets: [...spec.buckets] } : {}) });
      return {
        observe: (value: number, labels?: MetricLabels) => (labels ? h.observe(labels, value) : h.observe(value)),
        startTimer: (labels?: MetricLabels) => {
          const end = h.startTimer(labels);
          return () => void end();
        },
      };
    }) as HistogramInstrument;
  }

  #base(spec: MetricSpec) {
    return { name: spec.name, help: spec.help, labelNames: [...(spec.labelNames ?? [])], registers: [this.#registry] };
  }

  #once(kind: string, spec: MetricSpec, make: () => Instrument): Instrument {
    const known = this.#made.get(spec.name);
    if (known) {
      if (known.kind !== kind) {
        throw new BadArgumentError(`metric '${spec.name}' is already a ${known.kind}; it cannot also be a ${kind}`);
      }
      return known.instrument;
    }
    if (this.#registry.getSingleMetric(spec.name)) {
      throw new BadArgumentError(`metric '${spec.name}' is one of weft's own; choose another name`);
    }
    const instrument = make();
    this.#made.set(spec.name, { kind, instrument });
    return instrument;
  }
}
