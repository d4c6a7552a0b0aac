/** The Flow the export tests share (test/golden/export/flow/flow.yml) and stable image names for the goldens. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ExportOptions } from '../../../src/export/index.js';

export const GOLDEN_FLOW = new URL('./flow/flow.yml', import.meta.url).pathname;
export const GOLDEN_OUT = new URL('./', import.meta.url).pathname;

/** A registry and tag given explicitly, so the goldens do not change with weft's version. */
export const GOLDEN_OPTIONS: ExportOptions = { imageRegistry: 'registry.example.com', imageTag: '1' };

/** The token the secured golden Flow gives literally: no exported file may contain it. */
export const GOLDEN_TOKEN = 'golden-token-that-must-never-be-exported';

/**
 * A copy of the golden Flow (in a temporary folder) that also asks for token auth, internal TLS, monitoring and
 * tracing, as `security-golden` expects; the goldens of its export are `kubernetes-secured/` and
 * `docker-compose-secured.yml`.
 */
export function securedGoldenFlow(): string {
  const copy = mkdtempSync(join(tmpdir(), 'weft-secured-flow-'));
  cpSync(dirname(GOLDEN_FLOW), copy, { recursive: true });
  const file = join(copy, 'flow.yml');
  const secured = [
    'with:',
    '  auth:',
    `    token: ${GOLDEN_TOKEN}`,
    '  internal_tls: true',
    '  monitoring: true',
    '  tracing: true',
    '  traces_exporter_host: otel-collector.observability.svc',
    '  traces_exporter_port: 4318',
    '',
  ].join('\n');
  writeFileSync(file, readFileSync(file, 'utf8').replace('with:\n', secured));
  return file;
}
