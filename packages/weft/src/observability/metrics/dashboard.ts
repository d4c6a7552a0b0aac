/**
 * The Grafana dashboard weft ships (`packages/weft/dashboards/weft.json`): requests per second, latency
 * percentiles per executor, errors by code, batch sizes, batching queue depth and replica health, over the
 * metrics of `metric-names.ts`. Import it into Grafana, or let `weft export kubernetes` put it in a ConfigMap.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where the dashboard JSON lies (inside the installed package). */
export function grafanaDashboardPath(): string {
  // src/observability/metrics/ and dist/observability/metrics/ are both three levels below the package
  return fileURLToPath(new URL('../../../dashboards/weft.json', import.meta.url));
}

/** The dashboard, parsed. */
export function grafanaDashboard(): Record<string, unknown> {
  return JSON.parse(readFileSync(grafanaDashboardPath(), 'utf8')) as Record<string, unknown>;
}
