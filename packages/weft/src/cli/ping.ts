/**
 * `weft ping executor|gateway|flow <host:port>`: one health probe (gRPC health Check, over TLS for grpcs://, or
 * `GET /` for http(s):// gateways), for Kubernetes and Compose probes. Exit code 0 when serving, 1 otherwise.
 */
import { credentials } from '@grpc/grpc-js';
import { RuntimeClient } from '../networking/index.js';
import { integer, parseFlags, UsageError } from './args.js';
import type { CliIo, Command } from './command.js';

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
        // grpcs:// trusts what Node trusts (its CAs and NODE_EXTRA_CA_CERTS)
        const client = new RuntimeClient(
          address,
          target.startsWith('grpcs://') ? { credentials: credentials.createSsl() } : {},
        );
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

const OPTIONS = {
  timeout: { type: 'string' },
  attempts: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const KINDS = ['executor', 'gateway', 'flow'];

export const pingCommand: Command = {
  name: 'ping',
  summary: 'health-check an executor, gateway or Flow; exit 0 when it serves, 1 when not',
  help: `Usage: weft ping executor|gateway|flow <host:port> [--timeout <ms>] [--attempts <n>]

Ask a runtime whether it serves: the gRPC health service (grpc.health.v1.Health/Check, service ""), or GET /
for an http:// or https:// gateway address. Prints the verdict; exit code 0 when it serves, 1 otherwise (for
Kubernetes and Docker Compose probes).

Arguments:
  executor|gateway|flow   what is probed (all use the same health check)
  <host:port>             its address; grpc:// is optional, grpcs:// speaks TLS; http(s)://host:port probes
                          an HTTP gateway

Options:
  --timeout <ms>          how long one attempt may take (default 3000)
  --attempts <n>          attempts before giving up (default 1)
  -h, --help              show this help

Example:
  weft ping executor 127.0.0.1:50051 --timeout 9000`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(argv, OPTIONS, true);
    const [kind, target, ...extra] = positionals;
    if (kind === undefined || !KINDS.includes(kind)) {
      throw new UsageError(
        `say what to ping: executor, gateway or flow (got ${kind === undefined ? 'nothing' : `'${kind}'`})`,
      );
    }
    if (target === undefined) throw new UsageError(`say where the ${kind} is: weft ping ${kind} <host:port>`);
    if (extra.length > 0) throw new UsageError(`unexpected argument(s): ${extra.join(' ')}`);
    const timeoutMs = values.timeout === undefined ? 3000 : integer(values.timeout, 'timeout', { min: 1 });
    const attempts = values.attempts === undefined ? 1 : integer(values.attempts, 'attempts', { min: 1 });
    const { ok, message } = await ping(target, { timeoutMs, attempts });
    if (ok) io.out(`${kind} ${message}`);
    else io.err(`${kind} at ${target} does not serve: ${message}`);
    return ok ? 0 : 1;
  },
};
