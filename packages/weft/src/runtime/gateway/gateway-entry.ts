/** Where the gateway process entry lives and how to start it (see `runtimeEntry` of the server kit). */
import { type RuntimeEntry, runtimeEntry } from '../server/index.js';

export function gatewayEntry(): RuntimeEntry {
  return runtimeEntry(import.meta.url, './gateway-main');
}
