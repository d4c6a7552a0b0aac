/**
 * `weft ping executor|gateway|flow <host:port>`: one health probe (gRPC health Check, or `GET /` for http(s)://
 * gateways), for Kubernetes and Compose probes. Exit code 0 when serving, 1 otherwise.
 */
import { RuntimeClient } from '../networking/index.js';

export interface PingOptions {
  timeoutMs?: number;
  attempts?: number;
}

/** Probe a runtime; resolves with `true` when it reports SERVING. */
export async function ping(target: string, options: PingOptions = {}): Promise<{ ok: boolean; message: string }> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const attempts = Math.max(1, options.attempts ?? 1);
  let message = '';
  for (let i = 0; i < attempts; i++) {
    try {
      if (/^https?:\/\//.test(target)) {
        const res = await fetch(new URL('/', target), { signal: AbortSignal.timeout(timeoutMs) });
        if (res.ok) return { ok: true, message: `${target} answers ${res.status}` };
        message = `${target} answers HTTP ${res.status}`;
      } else {
        const address = target.replace(/^grpcs?:\/\//, '');
        const client = new RuntimeClient(address);
        try {
          const status = await client.healthCheck('', { timeoutMs });
          if (status === 'SERVING') return { ok: true, message: `${address} is SERVING` };
          message = `${address} is ${status}`;
        } finally {
          client.close();
        }
      }
    } catch (err) {
      message = (err as Error).message;
    }
  }
  return { ok: false, message };
}
