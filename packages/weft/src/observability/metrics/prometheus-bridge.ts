/**
 * The Prometheus bridge: one prom-client registry per runtime process, fed by subscribing to weft's
 * diagnostics_channel events (`../events.ts`), never by arguments threaded through the runtimes. Loaded only by
 * `startMonitoring` (a dynamic import), so an unmonitored runtime never loads prom-client.
 *
 * Label children are cached per label values, so the request path allocates no label objects.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry, Summary } from 'prom-client';
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
import { LABELS, METRICS } from './metric-names.js';
import { PromMetricsHandle } from './prom-metrics-handle.js';

const { runtime, executor, endpoint, errorCode, address, reason } = LABELS;
/** Quantiles of the latency summaries (Jina's summaries carry none; the dashboard reads these). */
const PERCENTILES = [0.5, 0.9, 0.99];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** A child of `metric` per label values, made once. */
function children<C>(make: (...values: string[]) => C): (...values: string[]) => C {
  const cache = new Map<string, C>();
  return (...values) => {
    const key = values.join('\u0000');
    let c = cache.get(key);
    if (c === undefined) {
      c = make(...values);
      cache.set(key, c);
    }
    return c;
  };
}

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
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, labels: { [runtime]: name } });
    const summary = (m: { name: string; help: string }, labelNames: string[]) =>
      new Summary({ ...m, labelNames, percentiles: PERCENTILES, maxAgeSeconds: 600, ageBuckets: 5, registers });
    const counter = (m: { name: string; help: string }, labelNames: string[]) =>
      new Counter({ ...m, labelNames, registers });
    const requestLabels = [runtime, executor, endpoint];

    const receivingS = summary(METRICS.receivingSeconds, [runtime]);
    const sendingS = summary(METRICS.sendingSeconds, [runtime, executor]);
    const processS = summary(METRICS.processSeconds, requestLabels);
    const docsC = counter(METRICS.documentProcessed, requestLabels);
    const okC = counter(METRICS.successfulRequests, requestLabels);
    const failedC = counter(METRICS.failedRequests, [...requestLabels, errorCode]);
    const inBytes = summary(METRICS.receivedRequestBytes, [runtime]);
    const outBytes = summary(METRICS.sentResponseBytes, [runtime]);
    const pendingG = new Gauge({ ...METRICS.pendingRequests, labelNames: [runtime], registers });
    const depthG = new Gauge({ ...METRICS.batchQueueDepth, labelNames: requestLabels, registers });
    const batchH = new Histogram({
      ...METRICS.batchSize,
      labelNames: [...requestLabels, reason],
      buckets: BATCH_BUCKETS,
      registers,
    });
    const pools = this.#pools;
    new Gauge({
      ...METRICS.replicaHealthy,
      labelNames: [runtime, executor, address],
      registers,
      collect() {
        this.reset();
        for (const p of pools) {
          for (const r of p.replicas())
            this.set({ [runtime]: name, [executor]: p.pool, [address]: r.address }, +r.healthy);
        }
      },
    });

    const receivingOf = children((r: string) => receivingS.labels({ [runtime]: r }));
    const sendingOf = children((r: string, e: string) => sendingS.labels({ [runtime]: r, [executor]: e }));
    const processOf = children((r: string, e: string, ep: string) =>
      processS.labels({ [runtime]: r, [executor]: e, [endpoint]: ep }),
    );
    const docsOf = children((r: string, e: string, ep: string) =>
      docsC.labels({ [runtime]: r, [executor]: e, [endpoint]: ep }),
    );
    const okOf = children((r: string, e: string, ep: string) =>
      okC.labels({ [runtime]: r, [executor]: e, [endpoint]: ep }),
    );
    const failedOf = children((r: string, e: string, ep: string, code: string) =>
      failedC.labels({ [runtime]: r, [executor]: e, [endpoint]: ep, [errorCode]: code }),
    );
    const inBytesOf = children((r: string) => inBytes.labels({ [runtime]: r }));
    const outBytesOf = children((r: string) => outBytes.labels({ [runtime]: r }));
    const pendingOf = children((r: string) => pendingG.labels({ [runtime]: r }));
    const depthOf = children((r: string, e: string, ep: string) =>
      depthG.labels({ [runtime]: r, [executor]: e, [endpoint]: ep }),
    );
    const batchOf = children((r: string, e: string, ep: string, why: string) =>
      batchH.labels({ [runtime]: r, [executor]: e, [endpoint]: ep, [reason]: why }),
    );
    const monitors = new Map<string, Summary>();
    const monitorOf = children((metric: string, help: string, e: string) => {
      let s = monitors.get(metric);
      if (!s) {
        s = summary({ name: metric, help }, [runtime, executor]);
        monitors.set(metric, s);
      }
      return s.labels({ [runtime]: name, [executor]: e });
    });

    this.#on(CHANNELS.gatewayRequestStart, (m) => pendingOf((m as GatewayRequestEnd).gateway).inc());
    this.#on(CHANNELS.gatewayRequestEnd, (m) => {
      const e = m as GatewayRequestEnd;
      pendingOf(e.gateway).dec();
      receivingOf(e.gateway).observe(e.durationMs / 1000);
      if (e.response?.isError) failedOf(e.gateway, '', e.endpoint, 'WEFT_EXECUTOR').inc();
      else okOf(e.gateway, '', e.endpoint).inc();
    });
    this.#on(CHANNELS.gatewayRequestError, (m) => {
      const e = m as GatewayRequestError;
      pendingOf(e.gateway).dec();
      receivingOf(e.gateway).observe(e.durationMs / 1000);
      failedOf(e.gateway, '', e.endpoint, codeOf(e.error, 'WEFT_ERROR')).inc();
    });
    this.#on(CHANNELS.executorRequestEnd, (m) => {
      const e = m as ExecutorRequestEnd;
      const d = deploymentOf(e.executor);
      processOf(e.executor, d, e.endpoint).observe(e.durationMs / 1000);
      docsOf(e.executor, d, e.endpoint).inc(e.docs);
      okOf(e.executor, d, e.endpoint).inc();
    });
    this.#on(CHANNELS.executorRequestError, (m) => {
      const e = m as ExecutorRequestError;
      const d = deploymentOf(e.executor);
      processOf(e.executor, d, e.endpoint).observe(e.durationMs / 1000);
      failedOf(e.executor, d, e.endpoint, codeOf(e.error, 'WEFT_EXECUTOR')).inc();
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
      depthOf(e.executor, deploymentOf(e.executor), e.endpoint).set(e.queuedDocs);
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
