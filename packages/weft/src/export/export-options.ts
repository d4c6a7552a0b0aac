/**
 * Options every exporter understands: where the workloads live (Kubernetes namespace), which images run them, and
 * the project layout inside an image. Defaults are documented in docs/guides/deploy.md.
 */
import { readFileSync } from 'node:fs';

export interface ExportOptions {
  /** Kubernetes namespace of every object and of the `*.svc` addresses (default `default`). */
  namespace?: string;
  /** Image of executors whose `uses` is not `docker://…` (default `weft-executor:<version>`). */
  image?: string;
  /** Image of the gateway and the heads (default `weft-gateway:<version>`). */
  gatewayImage?: string;
  /** Where the project (the Flow's folder) sits inside the images (default `/app`). */
  appDir?: string;
  /** Kubernetes: a HorizontalPodAutoscaler per stateless executor workload. */
  autoscale?: boolean;
  /** Kubernetes: a Prometheus Operator ServiceMonitor scraping every monitored runtime (`monitoring: true`). */
  serviceMonitor?: boolean;
  /** Environment for `${{ ENV.X }}` when loading a Flow YAML (default process.env). */
  env?: Record<string, string | undefined>;
}

export interface ResolvedExportOptions {
  namespace: string;
  image: string;
  gatewayImage: string;
  appDir: string;
  autoscale: boolean;
  serviceMonitor: boolean;
}

/** The version of the weft package, for default image tags. */
export function weftVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function resolveExportOptions(o: ExportOptions = {}): ResolvedExportOptions {
  const v = weftVersion();
  return {
    namespace: o.namespace ?? 'default',
    image: o.image ?? `weft-executor:${v}`,
    gatewayImage: o.gatewayImage ?? `weft-gateway:${v}`,
    appDir: (o.appDir ?? '/app').replace(/\/+$/, '') || '/',
    autoscale: o.autoscale ?? false,
    serviceMonitor: o.serviceMonitor ?? false,
  };
}
