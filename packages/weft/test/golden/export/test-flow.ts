/** The Flow the export tests share (test/golden/export/flow/flow.yml) and stable image names for the goldens. */
import type { ExportOptions } from '../../../src/export/index.js';

export const GOLDEN_FLOW = new URL('./flow/flow.yml', import.meta.url).pathname;
export const GOLDEN_OUT = new URL('./', import.meta.url).pathname;

/** A registry and tag given explicitly, so the goldens do not change with weft's version. */
export const GOLDEN_OPTIONS: ExportOptions = { imageRegistry: 'registry.example.com', imageTag: '1' };
