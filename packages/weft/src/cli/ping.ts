/**
 * `weft ping executor|gateway|flow <host:port>`: one health probe, for Kubernetes and Compose probes and scripts.
 * An executor or gateway is asked the gRPC health Check (over TLS for grpcs://), or `GET /` for an http(s)://
 * gateway. A Flow is checked as a whole graph, like Jina's `jina ping flow`: over gRPC the gateway's health and
 * then its dry run (an empty request through every executor; the `WEFT_TOKEN` it sends when the gateway wants
 * one), over http(s):// or ws(s):// `GET /ready` (every executor's health, open without a token). Exit code 0
 * when it serves, 1 otherwise.
 */
import { credentials } from '@grpc/grpc-js';
import { StatusCode } from '../errors/index.js';
import { RuntimeClient } from '../networking/index.js';
import { clientToken } from '../security/index.js';
import { integer, parseFlags, UsageError } from './args.js';
import type { CliIo, Command } from './command.js';

export interface PingOptions {
  timeoutMs?: number;
  attempts?: number;
  /** `flow`: check every executor of the graph (dry run, or `GET /ready`), not only the gateway. */
  kind?: 'executor' | 'gateway' | 'flow';
  /** The token a gRPC dry run sends (default `WEFT_TOKEN`). */
  token?: string;
}

export interface PingResult {
  ok: boolean;
  message: string;
}

/** Probe a runtime (or, with `kind: 'flow'`, a whole Flow); resolves with `ok: true` when it serves. */
export async function ping(target: string, options: PingOptions = {}): Promise<PingResult> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const attempts = Math.max(1, options.attempts ?? 1);
  const flow = options.kind === 'flow';
  let message = '';
  for (let i = 0; i < attempts; i++) {
    try {
      const result = /^(https?|wss?):\/\//.test(target)
        ? await pingHttp(target, timeoutMs, flow)
        : await pingGrpc(target, timeoutMs, flow, clientToken(options.token));
      if (result.ok) return result;
      message = result.message;
    } catch (err) {
      message = (err as Error).message;
    }
  }
  return { ok: false, message };
}

async function pingHttp(target: string, timeoutMs: number, flow: boolean): Promise<PingResult> {
  const base = target.replace(/^ws/, 'http');
  const res = await fetch(new URL(flow ? '/ready' : '/', base), { signal: AbortSignal.timeout(timeoutMs) });
  if (!flow) {
    return res.ok
      ? { ok: true, message: `${target} answers ${res.status}` }
      : notOk(`${target} answers HTTP ${res.status}`);
  }
  const body = (await res.json().catch(() => ({}))) as ReadyBody;
  const executors = body.executors ?? [];
  if (res.ok && body.ready === true) {
    return { ok: true, message: `${target} is SERVING and every executor is ready (${names(executors)})` };
  }
  const down = executors.filter((e) => !e.ready);
  const why = down.map((e) => `${e.executor}: ${e.replicas.map((r) => r.error ?? r.status).join('; ')}`).join(', ');
  return notOk(`${target} answers HTTP ${res.status} to GET /ready${why ? `; not ready: ${why}` : ''}`);
}

async function pingGrpc(target: string, timeoutMs: number, flow: boolean, token?: string): Promise<PingResult> {
  const address = target.replace(/^grpcs?:\/\//, '');
  // grpcs:// trusts what Node trusts (its CAs and NODE_EXTRA_CA_CERTS)
  const client = new RuntimeClient(
    address,
    target.startsWith('grpcs://') ? { credentials: credentials.createSsl() } : {},
  );
  try {
    const status = await client.healthCheck('', { timeoutMs });
    if (status !== 'SERVING') return notOk(`${address} is ${status}`);
    if (!flow) return { ok: true, message: `${address} is SERVING` };
    const metadata = token ? { authorization: `Bearer ${token}` } : undefined;
    const dry = await client.dryRun({ timeoutMs, ...(metadata ? { metadata } : {}) });
    if (dry.code === StatusCode.SUCCESS) {
      return { ok: true, message: `${address} is SERVING and its dry run reached every executor` };
    }
    return notOk(`${address} is SERVING but its dry run failed: ${dry.description}`);
  } finally {
    client.close();
  }
}

interface ReadyBody {
  ready?: boolean;
  executors?: { executor: string; ready: boolean; replicas: { status: string; error?: string }[] }[];
}

function names(executors: ReadyBody['executors'] & object): string {
  return executors.map((e) => e.executor).join(', ') || 'none';
}

function notOk(message: string): PingResult {
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
for an http:// or https:// gateway address. A flow is checked as a whole graph: its gateway's health and then
its dry run (an empty request through every executor, sending WEFT_TOKEN when set), or GET /ready for an
http(s):// or ws(s):// address (every executor's health). Prints the verdict; exit code 0 when it serves, 1
otherwise (for Kubernetes and Docker Compose probes and scripts).

Arguments:
  executor|gateway|flow   what is probed (flow: every executor of the graph too)
  <host:port>             its address; grpc:// is optional, grpcs:// speaks TLS; http(s)://host:port or
                          ws(s)://host:port probes an HTTP or WebSocket gateway

Options:
  --timeout <ms>          how long one attempt may take (default 3000)
  --attempts <n>          attempts before giving up (default 1)
  -h, --help              show this help

Environment:
  WEFT_TOKEN              the token a flow's gRPC dry run sends, when the gateway wants one

Examples:
  weft ping executor 127.0.0.1:50051 --timeout 9000
  weft ping flow http://127.0.0.1:8080`,

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
    const { ok, message } = await ping(target, { timeoutMs, attempts, kind: kind as 'flow' });
    if (ok) io.out(`${kind} ${message}`);
    else io.err(`${kind} at ${target} does not serve: ${message}`);
    return ok ? 0 : 1;
  },
};
