/**
 * Cheap instruments for the request path: a counter, gauge or histogram whose children (one per label values)
 * are plain objects updated with a few arithmetic operations, registered on a prom-client registry as custom
 * metrics (prom-client formats them at scrape time). prom-client's own `observe` validates and hashes the labels
 * on every call (microseconds); here the label values are looked up once per child.
 */
import type { Registry } from 'prom-client';

type Labels = Record<string, string>;
type Value = { labels: Labels; value: number; metricName?: string };

interface Spec {
  name: string;
  help: string;
  labelNames: readonly string[];
}

abstract class FastMetric<C> {
  readonly name: string;
  readonly help: string;
  readonly #labelNames: readonly string[];
  protected readonly cells = new Map<string, { labels: Labels; cell: C }>();

  constructor(spec: Spec, registry: Registry) {
    this.name = spec.name;
    this.help = spec.help;
    this.#labelNames = spec.labelNames;
    registry.registerMetric(this as never);
  }

  /** The child of these label values (in `labelNames` order), made once. */
  child(...values: string[]): C {
    const key = values.join('\u0000');
    let c = this.cells.get(key);
    if (c === undefined) {
      const labels: Labels = {};
      this.#labelNames.forEach((n, i) => {
        labels[n] = values[i] ?? '';
      });
      c = { labels, cell: this.make() };
      this.cells.set(key, c);
    }
    return c.cell;
  }

  protected abstract make(): C;
  abstract get(): Promise<{ name: string; help: string; type: string; values: Value[]; aggregator: string }>;

  /** Prom-client calls these on registries; nothing to do. */
  reset(): void {}
}

export class FastCounter extends FastMetric<{ value: number }> {
  protected make() {
    return { value: 0 };
  }
  async get() {
    const values = [...this.cells.values()].map(({ labels, cell }) => ({ labels, value: cell.value }));
    return { name: this.name, help: this.help, type: 'counter', values, aggregator: 'sum' };
  }
}

export class FastGauge extends FastMetric<{ value: number }> {
  protected make() {
    return { value: 0 };
  }
  async get() {
    const values = [...this.cells.values()].map(({ labels, cell }) => ({ labels, value: cell.value }));
    return { name: this.name, help: this.help, type: 'gauge', values, aggregator: 'sum' };
  }
}

/** A histogram child: `observe(v)` adds one observation. */
export class HistogramCell {
  sum = 0;
  count = 0;
  readonly counts: Float64Array;
  readonly #bounds: readonly number[];

  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
    this.counts = new Float64Array(bounds.length);
  }

  observe(v: number): void {
    this.sum += v;
    this.count++;
    const b = this.#bounds;
    for (let i = 0; i < b.length; i++) {
      if (v <= (b[i] as number)) {
        this.counts[i] = (this.counts[i] as number) + 1;
        return;
      }
    }
  }
}

export class FastHistogram extends FastMetric<HistogramCell> {
  readonly #bounds: readonly number[];

  constructor(spec: Spec & { buckets: readonly number[] }, registry: Registry) {
    super(spec, registry);
    this.#bounds = [...spec.buckets].sort((a, b) => a - b);
  }

  protected make() {
    return new HistogramCell(this.#bounds);
  }

  async get() {
    const values: Value[] = [];
    for (const { labels, cell } of this.cells.values()) {
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += cell.counts[i] as number;
        values.push({ labels: { ...labels, le: String(le) }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { ...labels, le: '+Inf' }, value: cell.count, metricName: `${this.name}_bucket` });
      values.push({ labels, value: cell.sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: cell.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: 'histogram', values, aggregator: 'sum' };
  }
}
