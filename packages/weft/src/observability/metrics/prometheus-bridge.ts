/**
 * The Prometheus bridge: one prom-client registry per runtime process, fed by subscribing to weft's
 * diagnostics_channel events (`../events.ts`), never by arguments threaded through the runtimes. Loaded only by
 * `startMonitoring` (a dynamic import), so an unmonitored runtime never loads prom-client.
 *
 * Label children are cached per label values, so the request path allocates no label objects.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { WeftError } from '../../errors/index.js';
import {
  type BatchFormed,
  type BatchQueued,
  CHANNELS,
  type ExecutorRequestEnd,
  type ExecutorRequestError,
  type GatewayRequestEnd,
  type GatewayRequestError,
  type MonitorObserved,
  type PoolCall,
  type PoolState,
  type RuntimeCall,
} from '../events.js';
import { FastCounter, FastGauge, FastHistogram } from './fast-metrics.js';
import { LABELS, METRICS } from './metric-names.js';
import { PromMetricsHandle } from './prom-metrics-handle.js';

const { runtime, executor, endpoint, errorCode, address, reason } = LABELS;
/**
 * Latencies and sizes are histograms (an `observe` is one bucket increment; Jina's Prometheus summaries expose the
 * same `_sum` and `_count`, and histograms aggregate across replicas: the dashboard's percentiles are
 * `histogram_quantile` over them).
 */
const SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BYTES_BUCKETS = [64, 256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216, 67_108_864];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** The deployment an executor's runtime belongs to (`encoder/rep-0` → `encoder`). */
function deploymentOf(runtimeName: string): string {
  return runtimeName.split('/')[0] || runtimeName;
}

function codeOf(err: unknown, fallback: string): string {
  return err instanceof WeftError ? err.code : fallback;
}

export class PrometheusBridge {
  readonly registry = new Registry();
  readonly handle: PromMetricsHandle;
  readonly #subscriptions: [string, (message: unknown) => void][] = [];
  readonly #pools = new Set<PoolState>();

  /** `name`: the runtime this process serves (`gateway`, `encoder/rep-0`, `encoder/head`). */
  constructor(
    readonly kind: string,
    readonly name: string,
  ) {
    collectDefaultMetrics({ register: this.registry, labels: { [runtime]: name } });
    const seconds = (m: { name: string; help: string }, labelNames: string[]) =>
      new FastHistogram({ ...m, labelNames, buckets: SECONDS_BUCKETS }, this.registry);
    const requestLabels = [runtime, executor, endpoint];
    const counter = (m: { name: string; help: string }, labelNames: string[]) =>
      new FastCounter({ ...m, labelNames }, this.registry);

    const receiving = seconds(METRICS.receivingSeconds, [runtime]);
    const sending = seconds(METRICS.sendingSeconds, [runtime, executor]);
    const processing = seconds(METRICS.processSeconds, requestLabels);
    const docs = counter(METRICS.documentProcessed, requestLabels);
    const ok = counter(METRICS.successfulRequests, requestLabels);
    const failed = counter(METRICS.failedRequests, [...requestLabels, errorCode]);
    const inBytes = new FastHistogram(
      { ...METRICS.receivedRequestBytes, labelNames: [runtime], buckets: BYTES_BUCKETS },
      this.registry,
    );
    const outBytes = new FastHistogram(
      { ...METRICS.sentResponseBytes, labelNames: [runtime], buckets: BYTES_BUCKETS },
      this.registry,
    );
    const pending = new FastGauge({ ...METRICS.pendingRequests, labelNames: [runtime] }, this.registry);
    const depth = new FastGauge({ ...METRICS.batchQueueDepth, labelNames: requestLabels }, this.registry);
    const batch = new FastHistogram(
      { ...METRICS.batchSize, labelNames: [...requestLabels, reason], buckets: BATCH_BUCKETS },
      this.registry,
    );
    const pools = this.#pools;
    new Gauge({
      ...METRICS.replicaHealthy,
      labelNames: [runtime, executor, address],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const p of pools) {
          for (const r of p.replicas())
            this.set({ [runtime]: name, [executor]: p.pool, [address]: r.address }, +r.healthy);
        }
      },
    });
    const receivingOf = (r: string) => receiving.child(r);
    const sendingOf = (r: string, e: string) => sending.child(r, e);
    const processOf = (r: string, e: string, ep: string) => processing.child(r, e, ep);
    const docsOf = (r: string, e: string, ep: string) => docs.child(r, e, ep);
    const okOf = (r: string, e: string, ep: string) => ok.child(r, e, ep);
    const failedOf = (r: string, e: string, ep: string, code: string) => failed.child(r, e, ep, code);
    const inBytesOf = (r: string) => inBytes.child(r);
    const outBytesOf = (r: string) => outBytes.child(r);
    const pendingOf = (r: string) => pending.child(r);
    const depthOf = (r: string, e: string, ep: string) => depth.child(r, e, ep);
    const batchOf = (r: string, e: string, ep: string, why: string) => batch.child(r, e, ep, why);
    const monitors = new Map<string, FastHistogram>();
    const monitorOf = (metric: string, help: string, e: string) => {
      let h = monitors.get(metric);
      if (!h) {
        h = seconds({ name: metric, help }, [runtime, executor]);
        monitors.set(metric, h);
      }
      return h.child(name, e);
    };

    this.#on(CHANNELS.gatewayRequestStart, (m) => pendingOf((m as GatewayRequestEnd).gateway).value++);
    this.#on(CHANNELS.gatewayRequestEnd, (m) => {
      const e = m as GatewayRequestEnd;
      pendingOf(e.gateway).value--;
      receivingOf(e.gateway).observe(e.durationMs / 1000);
      if (e.response?.isError) failedOf(e.gateway, '', e.endpoint, 'WEFT_EXECUTOR').value++;
      else okOf(e.gateway, '', e.endpoint).value++;
    });
    this.#on(CHANNELS.gatewayRequestError, (m) => {
      const e = m as GatewayRequestError;
      pendingOf(e.gateway).value--;
      receivingOf(e.gateway).observe(e.durationMs / 1000);
      failedOf(e.gateway, '', e.endpoint, codeOf(e.error, 'WEFT_ERROR')).value++;
    });
    this.#on(CHANNELS.executorRequestEnd, (m) => {
      const e = m as ExecutorRequestEnd;
      const d = deploymentOf(e.executor);
      processOf(e.executor, d, e.endpoint).observe(e.durationMs / 1000);
      docsOf(e.executor, d, e.endpoint).value += e.docs;
      okOf(e.executor, d, e.endpoint).value++;
    });
    this.#on(CHANNELS.executorRequestError, (m) => {
      const e = m as ExecutorRequestError;
      const d = deploymentOf(e.executor);
      processOf(e.executor, d, e.endpoint).observe(e.durationMs / 1000);
      failedOf(e.executor, d, e.endpoint, codeOf(e.error, 'WEFT_EXECUTOR')).value++;
    });
    this.#on(CHANNELS.runtimeCall, (m) => {
      const e = m as RuntimeCall;
      inBytesOf(e.name).observe(e.requestBytes);
      if (!e.failed) outBytesOf(e.name).observe(e.responseBytes);
      // the gateway times its requests on every protocol from its own events (above)
      if (e.kind !== 'gateway') receivingOf(e.name).observe(e.durationMs / 1000);
    });
    this.#on(CHANNELS.poolCall, (m) => {
      const e = m as PoolCall;
      if (e.method === 'process_single_data' || e.method === 'process_data') {
        sendingOf(name, e.pool).observe(e.durationMs / 1000);
      }
    });
    this.#on(CHANNELS.poolOpened, (m) => pools.add(m as PoolState));
    this.#on(CHANNELS.poolClosed, (m) => pools.delete(m as PoolState));
    this.#on(CHANNELS.batchQueued, (m) => {
      const e = m as BatchQueued;
      depthOf(e.executor, deploymentOf(e.executor), e.endpoint).value = e.queuedDocs;
    });
    this.#on(CHANNELS.batchFormed, (m) => {
      const e = m as BatchFormed;
      batchOf(e.executor, deploymentOf(e.executor), e.endpoint, e.reason).observe(e.docs);
    });
    this.#on(CHANNELS.monitorObserved, (m) => {
      const e = m as MonitorObserved;
      monitorOf(e.name, e.documentation, e.executor ?? deploymentOf(name)).observe(e.durationMs / 1000);
    });
    this.handle = new PromMetricsHandle(this.registry);
  }

  /** The text exposition of every metric (what `GET /metrics` answers). */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** Stop listening to the events. */
  close(): void {
    for (const [ch, fn] of this.#subscriptions.splice(0)) unsubscribe(ch, fn);
    this.#pools.clear();
  }

  #on(ch: string, fn: (message: unknown) => void): void {
    subscribe(ch, fn);
    this.#subscriptions.push([ch, fn]);
  }
}
