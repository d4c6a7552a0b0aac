/**
 * Executor-specific parameters: `<execName>__<key>` keys reach only that executor (with the prefix stripped), and
 * a nested object under the executor's name is merged in. Keys meant for other executors are removed.
 */
import type { JsonObject } from '../document/index.js';
import { RESULTS_KEY } from '../request/index.js';

export { RESULTS_KEY };

const SEPARATOR = '__';

/**
 * The parameters executor `name` sees.
 * @example specificParams({ limit: 3, ranker__limit: 5, other__x: 1 }, 'ranker') // { limit: 5 }
 */
export function specificParams(parameters: JsonObject, name: string): JsonObject {
  const out: JsonObject = {};
  const specific: JsonObject = {};
  for (const [key, value] of Object.entries(parameters)) {
    if (key === RESULTS_KEY) {
      out[key] = value;
      continue;
    }
    const sep = key.indexOf(SEPARATOR);
    if (sep > 0) {
      if (key.slice(0, sep) === name) specific[key.slice(sep + SEPARATOR.length)] = value;
      continue;
    }
    if (key === name && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      Object.assign(specific, value);
      continue;
    }
    out[key] = value;
  }
  return Object.assign(out, specific);
}
