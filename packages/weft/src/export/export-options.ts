/**
 * Options every exporter understands: where the workloads live (Kubernetes namespace), which images run them, and
 * the project layout inside an image. Defaults are documented in docs/guides/deploy.md.
 */
import { readFileSync } from 'node:fs';

export interface ExportOptions {
  /** Kubernetes namespace of every object and of the `*.svc` addresses (default `default`). */
  namespace?: string;
  /**
   * Image of executors that are neither `docker://…` nor a built-in: the project's own modules and YAML
   * (default `weft-executor:<tag>`, an image you build from the project).
   */
  image?: string;
  /** Image of the gateway and the heads (default `weft-gateway:<tag>`). */
  gatewayImage?: string;
  /** Registry (and path) in front of every default image name, e.g. `registry.example.com/shop` (default none). */
  imageRegistry?: string;
  /** Tag of every default image (default: the weft version). */
  imageTag?: string;
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
  /** The image of each built-in executor (and BaseExecutor), the one its package's Dockerfile builds. */
  builtinImages: Readonly<Record<string, string>>;
  appDir: string;
  autoscale: boolean;
  serviceMonitor: boolean;
}

/**
 * The images weft's Dockerfiles build (scripts/containers/build-images.sh), by what they run: the core image runs
 * the gateway, the heads and `BaseExecutor`; each built-in executor has its package's image.
 */
export const WEFT_IMAGES = {
  gateway: 'weft-gateway',
  executor: 'weft-executor',
  builtins: { BaseExecutor: 'weft-gateway', ImageEncoder: 'weft-image-encoder', VectorIndexer: 'weft-vector-indexer' },
} as const;

/** The version of the weft package, for default image tags. */
export function weftVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function resolveExportOptions(o: ExportOptions = {}): ResolvedExportOptions {
  const tag = o.imageTag ?? weftVersion();
  const registry = (o.imageRegistry ?? '').replace(/\/+$/, '');
  const named = (name: string): string => `${registry ? `${registry}/` : ''}${name}:${tag}`;
  return {
    namespace: o.namespace ?? 'default',
    image: o.image ?? named(WEFT_IMAGES.executor),
    gatewayImage: o.gatewayImage ?? named(WEFT_IMAGES.gateway),
    builtinImages: Object.fromEntries(Object.entries(WEFT_IMAGES.builtins).map(([k, v]) => [k, named(v)])),
    appDir: (o.appDir ?? '/app').replace(/\/+$/, '') || '/',
    autoscale: o.autoscale ?? false,
    serviceMonitor: o.serviceMonitor ?? false,
  };
}
