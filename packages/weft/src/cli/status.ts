/**
 * `weft status <host:port>`: what a gateway (or a single executor) serves, for people and scripts: its health, the
 * weft/Node versions it runs (`JinaInfoRPC/_status`), the endpoints its executors expose (endpoint discovery) and
 * whether a dry run reaches every executor behind it. Exit code 0 when all of that is healthy, 1 when something is
 * unhealthy or unreachable, 2 on a usage mistake.
 */
import { RuntimeClient } from '../networking/index.js';
import { clientToken } from '../security/index.js';
import { integer, parseFlags, UsageError } from './args.js';
import type { CliIo, Command } from './command.js';

/** What `weft status` found; `ok` is true when the runtime serves and the dry run reached every executor. */
export interface StatusReport {
  address: string;
  ok: boolean;
  health: string;
  versions: Record<string, string>;
  endpoints: string[];
  dryRun: string;
}

/**
 * Ask the runtime at `address` (host:port, gRPC) for its health, versions, endpoints and a dry run.
 * @example const report = await runtimeStatus('127.0.0.1:12345')
 */
export async function runtimeStatus(address: string, timeoutMs = 3000): Promise<StatusReport> {
  const client = new RuntimeClient(address.replace(/^grpc:\/\//, ''));
  const report: StatusReport = { address, ok: false, health: '', versions: {}, endpoints: [], dryRun: '' };
  try {
    try {
      report.health = await client.healthCheck('', { timeoutMs });
    } catch (err) {
      report.health = `unreachable (${(err as Error).message})`;
      return report;
    }
    // a gateway that wants a token answers these only with one (WEFT_TOKEN); its health check is open
    const token = clientToken(undefined);
    const call = { timeoutMs, ...(token ? { metadata: { authorization: `Bearer ${token}` } } : {}) };
    const [info, endpoints, dry] = await Promise.allSettled([
      client.status(call),
      client.endpointDiscovery(call),
      client.dryRun(call),
    ]);
    if (info.status === 'fulfilled') report.versions = info.value.jina;
    if (endpoints.status === 'fulfilled') report.endpoints = [...endpoints.value.endpoints].sort();
    const dryOk = dry.status === 'fulfilled' && dry.value.code === 0;
    report.dryRun =
      dry.status === 'rejected'
        ? `failed (${(dry.reason as Error).message})`
        : dryOk
          ? 'every executor answered'
          : `failed (${dry.value.description || dry.value.exception?.args?.join(' ') || `code ${dry.value.code}`})`;
    report.ok = report.health === 'SERVING' && dryOk;
    return report;
  } finally {
    client.close();
  }
}

const OPTIONS = {
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const statusCommand: Command = {
  name: 'status',
  summary: "show a gateway's health, versions and endpoints; exit 0 when healthy, 1 when not",
  help: `Usage: weft status <host:port> [--timeout <ms>] [--json]

Ask a gateway (or one executor) over gRPC for its health (grpc.health.v1), the versions it runs
(JinaInfoRPC/_status), the endpoints its executors expose (endpoint discovery) and a dry run through every
executor behind it; print one line each (or one JSON object with --json).

Exit codes: 0 serving and every executor answered the dry run, 1 unreachable, not serving or an executor
failed, 2 usage mistake.

Options:
  --timeout <ms>   how long each question may take (default 3000)
  --json           print the report as JSON
  -h, --help       show this help

Environment:
  WEFT_TOKEN       the token sent to a gateway that wants one (its health check needs none)

Example:
  weft status 127.0.0.1:12345 || echo "something behind the gateway is down"`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(argv, OPTIONS, true);
    const [target, ...extra] = positionals;
    if (target === undefined) throw new UsageError('say where the gateway is: weft status <host:port>');
    if (extra.length > 0) throw new UsageError(`unexpected argument(s): ${extra.join(' ')}`);
    const timeoutMs = values.timeout === undefined ? 3000 : integer(values.timeout, 'timeout', { min: 1 });
    const r = await runtimeStatus(target, timeoutMs);
    if (values.json) {
      io.out(JSON.stringify(r));
    } else {
      io.out(`${r.address}: ${r.ok ? 'healthy' : 'UNHEALTHY'}`);
      io.out(`  health     ${r.health}`);
      const versions = Object.entries(r.versions)
        .filter(([k]) => !['uptime', 'uptime-seconds', 'pid'].includes(k))
        .map(([k, v]) => `${k} ${v}`);
      if (versions.length) io.out(`  versions   ${versions.join(', ')}`);
      if (r.dryRun) io.out(`  dry run    ${r.dryRun}`);
      if (r.endpoints.length) io.out(`  endpoints  ${r.endpoints.join(' ')}`);
    }
    return r.ok ? 0 : 1;
  },
};
