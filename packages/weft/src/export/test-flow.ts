/** The Flow the export tests share (test/golden/export/flow/flow.yml) and stable image names for the goldens. */
import type { ExportOptions } from './export-options.js';

export const GOLDEN_FLOW = new URL('../../test/golden/export/flow/flow.yml', import.meta.url).pathname;
export const GOLDEN_OUT = new URL('../../test/golden/export/', import.meta.url).pathname;

/** Images named explicitly, so the goldens do not change with weft's version. */
export const GOLDEN_OPTIONS: ExportOptions = {
  image: 'registry.example.com/weft-executor:1',
  gatewayImage: 'registry.example.com/weft-gateway:1',
};
