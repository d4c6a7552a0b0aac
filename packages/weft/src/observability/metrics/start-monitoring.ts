/**
 * Switching a runtime's monitoring on: load the Prometheus bridge (and with it prom-client) with a dynamic
 * import, subscribe it to the events, install the executor metrics handle, and serve `/metrics`.
 */
import { setMetricsHandle } from './metrics-handle.js';

export interface MonitoringOptions {
  /** `worker`, `head` or `gateway`. */
  kind: string;
  /** The runtime's name (`runtime_name` of every series). */
  name: string;
  /** The interface `/metrics` listens on (default `0.0.0.0`). */
  host?: string;
  /** Its port (0: a free one). */
  port: number;
}

export interface Monitoring {
  /** The bound `/metrics` port. */
  readonly port: number;
  /** The text exposition right now (what a scrape gets). */
  metrics(): Promise<string>;
  /** Stop serving and listening. */
  stop(): Promise<void>;
}

/**
 * Serve this process's metrics on `/metrics`.
 * @example const m = await startMonitoring({ kind: 'worker', name: 'encoder/rep-0', port: 9090 })
 */
export async function startMonitoring(options: MonitoringOptions): Promise<Monitoring> {
  const [{ PrometheusBridge }, { serveMetrics }] = await Promise.all([
    import('./prometheus-bridge.js'),
    import('./metrics-server.js'),
  ]);
  const bridge = new PrometheusBridge(options.kind, options.name);
  let server: Awaited<ReturnType<typeof serveMetrics>>;
  try {
    server = await serveMetrics(
      options.host ?? '0.0.0.0',
      options.port,
      () => bridge.metrics(),
      bridge.registry.contentType,
    );
  } catch (err) {
    bridge.close();
    throw err;
  }
  setMetricsHandle(bridge.handle);
  return {
    port: server.port,
    metrics: () => bridge.metrics(),
    stop: async () => {
      setMetricsHandle(undefined);
      bridge.close();
      await server.close();
    },
  };
}
