/** Where the gateway process entry lives and how to start it (from sources through tsx, or from dist). */
import { fileURLToPath } from 'node:url';
import { type WorkerEntry, workerEntry } from '../worker/index.js';

export function gatewayEntry(): WorkerEntry {
  const fromSource = import.meta.url.endsWith('.ts');
  const file = fileURLToPath(new URL(fromSource ? './gateway-main.ts' : './gateway-main.js', import.meta.url));
  return { execArgv: workerEntry().execArgv, file };
}
