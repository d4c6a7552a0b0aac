/**
 * Multi-host: three replicas of an idempotent executor, each `weft executor` in its own network namespace as if on
 * another host, reached over a veth pair through a proxy adding 5 ms each way; the Flow's gateway (root namespace)
 * has them as one external executor with `timeout_send`. Clients post for a calm phase, then one replica's link is
 * cut (`ip link set … down`: packets dropped, no reset), then restored. Figures: requests sent, failed (goal 0),
 * p99 without the cut, during it and after it, the slowest request during the cut, and the time from restoring the
 * link until the cut replica serves again (goal: it does). Full: 10 s calm, 20 s cut, 20 s restored; short: 3+6+5 s.
 * Needs root and `ip` (iproute2); elsewhere it skips saying why, but on CI (`CI` set; .ci/run installs iproute2)
 * it fails instead.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Flow } from '@weft-ai/weft';
import { RuntimeClient } from '../packages/weft/src/networking/index.js';
import { type Figure, figure, goal, percentile, report, round, SHORT } from './lib.js';
import {
  DelayProxy,
  makeHosts,
  type NetHost,
  netUnavailable,
  removeAll,
  removeStale,
  setLink,
} from './multi-host-net.js';

const REPLICAS = 3;
const CLIENTS = 16;
/** Added latency each way; `MULTI_HOST_DELAY_MS=0` has the gateway dial the veth addresses directly. */
const DELAY_MS = Number(process.env.MULTI_HOST_DELAY_MS ?? 5);
const TIMEOUT_SEND_MS = 2_000;
const CALM_MS = SHORT ? 3_000 : 10_000;
const CUT_MS = SHORT ? 6_000 : 20_000;
const RESTORED_MS = SHORT ? 5_000 : 20_000;
const MAX_REQUESTS = 1_000_000;
const GRPC_PORT = 50_051;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const why = netUnavailable();
if (why && process.env.CI) {
  // .ci/run installs iproute2 and runs as root: on CI the scenario must run
  console.error(`  multi-host cannot run on CI: ${why}`);
  process.exit(1);
}
if (why) {
  console.log(`  SKIPPED: ${why}`);
  report('multi-host', [figure('skipped', why)]);
}
removeStale();

const executors: ChildProcess[] = [];
const proxies: DelayProxy[] = [];
let flow: Flow | undefined;

/** `weft executor` inside the host's namespace; resolves with its native port once it serves. */
async function startReplica(host: NetHost, i: number): Promise<number> {
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      host.ns,
      process.execPath,
      '--conditions=weft-source',
      '--import',
      'tsx',
      join(root, 'packages/weft/bin/weft.mjs'),
      'executor',
      '--uses',
      './reliability/fixtures/executors.ts#WhoAmI',
      '--name',
      `who-${i}`,
      '--port',
      String(GRPC_PORT),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  executors.push(child);
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('grpc://')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`replica ${i} exited (${code}) before serving: ${out}`)));
  });
  // its native port, from its _status (advertised as 0.0.0.0:<port>)
  const c = new RuntimeClient(`${host.address}:${GRPC_PORT}`, { transport: 'grpc' });
  try {
    const info = await c.status({ timeoutMs: 10_000 });
    return Number(String(info.jina['weft-native-address']).split(':').pop());
  } finally {
    c.close();
  }
}

let figures: Figure[];
try {
  const t0 = performance.now();
  const hosts = makeHosts(REPLICAS);
  const natives = await Promise.all(hosts.map((h, i) => startReplica(h, i)));
  // the gateway dials 127.77.<i>.1 for replica i: a proxy on this namespace's loopback, forwarding (late) to the
  // replica's veth address; cutting the link silences the connections behind it as a dead link would
  const fronts = DELAY_MS > 0 ? hosts.map((_, i) => `127.77.${i}.1`) : hosts.map((h) => h.address);
  for (let i = 0; i < REPLICAS && DELAY_MS > 0; i++) {
    const ports = [GRPC_PORT, natives[i] as number];
    proxies.push(await DelayProxy.start(fronts[i] as string, (hosts[i] as NetHost).address, ports, DELAY_MS));
  }
  flow = new Flow({ accessLog: false }).add({
    name: 'who',
    external: true,
    host: fronts,
    port: fronts.map(() => GRPC_PORT),
    timeoutSend: TIMEOUT_SEND_MS,
  });
  await flow.start();
  const f = flow;
  console.error(`  namespaces, replicas and the Flow ready in ${Math.round(performance.now() - t0)} ms`);

  const cutIndex = 1;
  const cutName = `who-${cutIndex}`;
  const latencies = { calm: [] as number[], cut: [] as number[], restored: [] as number[] };
  const errors = new Map<string, number>();
  const servedBy = new Map<string, number>();
  let phase: 'calm' | 'cut' | 'restored' | 'done' = 'calm';
  // read through a function: after an await the phase may have moved on (TypeScript keeps the loop's narrowing)
  const phaseNow = (): typeof phase => phase;
  let sent = 0;
  let failed = 0;
  let restoredAt = 0;
  let backAfter: number | undefined;
  let servedByCutDuringCut = 0;

  const client = async (): Promise<void> => {
    while (phase !== 'done' && sent < MAX_REQUESTS) {
      sent++;
      const t0 = performance.now();
      try {
        const [d] = await f.post('/', [{ id: 'x' }], { timeout: 30_000 });
        const ms = performance.now() - t0;
        // a request counts in the phase it ended in (one under way when the link is cut counts as during the cut)
        const now = phaseNow();
        const at = now === 'done' ? 'restored' : now;
        latencies[at].push(ms);
        const runtime = String(d?.tags.runtime);
        servedBy.set(`${at} ${runtime}`, (servedBy.get(`${at} ${runtime}`) ?? 0) + 1);
        if (runtime === cutName && phase === 'cut') servedByCutDuringCut++;
        if (runtime === cutName && phase === 'restored' && backAfter === undefined) {
          backAfter = performance.now() - restoredAt;
        }
      } catch (err) {
        failed++;
        const key = `${phase}: ${(err as { code?: string }).code ?? ''} ${(err as Error).message}`.slice(0, 200);
        errors.set(key, (errors.get(key) ?? 0) + 1);
      }
    }
  };
  const clients = Array.from({ length: CLIENTS }, () => client());
  await new Promise((r) => setTimeout(r, CALM_MS));
  phase = 'cut';
  setLink(hosts[cutIndex] as NetHost, false);
  await new Promise((r) => setTimeout(r, CUT_MS));
  setLink(hosts[cutIndex] as NetHost, true);
  restoredAt = performance.now();
  phase = 'restored';
  await new Promise((r) => setTimeout(r, RESTORED_MS));
  phase = 'done';
  await Promise.all(clients);
  console.error(`  served by (phase replica: answers): ${JSON.stringify(Object.fromEntries(servedBy))}`);
  for (const [e, n] of errors) console.error(`  ${n} x ${e}`);
  const max = (v: number[]) => (v.length ? round(Math.max(...v)) : 'n/a');
  figures = [
    figure('replicas (one network namespace each)', REPLICAS),
    figure('clients', CLIENTS),
    figure('added latency each way (ms)', DELAY_MS),
    figure('timeout_send (ms)', TIMEOUT_SEND_MS),
    figure('link cut for (ms)', CUT_MS),
    figure('requests sent', sent),
    goal('requests failed', failed, '=', 0),
    figure('p99 without the cut (ms)', round(percentile(latencies.calm, 99))),
    figure('p99 during the cut (ms)', round(percentile(latencies.cut, 99))),
    figure('slowest request during the cut (ms)', max(latencies.cut)),
    figure('p99 after restoring (ms)', round(percentile(latencies.restored, 99))),
    figure('cut replica serves again after restoring (ms)', backAfter === undefined ? 'never' : round(backAfter)),
    goal('cut replica back after restoring (1 = yes)', backAfter === undefined ? 0 : 1, '=', 1),
    figure('answers from the cut replica after the cut', servedByCutDuringCut),
  ];
} finally {
  await flow?.close().catch(() => undefined);
  for (const p of proxies) p.close();
  for (const c of executors) c.kill('SIGTERM');
  await Promise.all(
    executors.map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'exit') : undefined)),
  ).catch(() => undefined);
  removeAll();
}
report('multi-host', figures);
