/**
 * HTTP gateway throughput: 1-document JSON requests (`POST /post`) with 64 connections, load from autocannon in
 * this process. weft: a Flow serving HTTP with one no-op executor (gateway and worker are processes of their
 * own). Hand-written equivalent: a fastify route that turns the parsed body into a DataRequestProto (protobufjs)
 * and forwards it to a hand-written @grpc/grpc-js echo server, answering Jina's JSON (also two processes).
 * For context, the same fastify process answering without the gRPC hop (`/local`): what one HTTP server does here.
 * Rounds alternate between the peers so drift on a shared machine hits them alike.
 * Prints req/s and p50/p99 latency per peer and `target http-gateway.throughput_ratio` (weft / hand-written).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Flow } from '../packages/weft/src/index.js';
import { startEchoServer } from './fixtures/worker-bench-lib.js';
import { NoOp } from './fixtures/worker-executors.js';
import { round, table, target } from './lib.js';

const CONNECTIONS = 64;
const WARMUP_S = 2;
const ROUND_S = 5;
const ROUNDS = 2; // per peer: 10 s of measured load each

interface CannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Cannon = (options: Record<string, unknown>) => Promise<CannonResult>;
// autocannon ships no type declarations
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

const body = JSON.stringify({ execEndpoint: '/index', data: [{ text: 'a short sentence to index' }] });

function load(url: string, seconds: number): Promise<CannonResult> {
  return autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    body,
  });
}

function startHandwritten(echoPort: number): Promise<{ port: number; child: ChildProcess }> {
  const file = fileURLToPath(new URL('./fixtures/http-handwritten.ts', import.meta.url));
  const child = fork(file, [String(echoPort)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.on('message', (m: { type?: string; port?: number }) => {
      if (m.type === 'ready' && m.port) resolve({ port: m.port, child });
    });
    child.once('exit', (code) => reject(new Error(`hand-written gateway exited with ${code} before it was ready`)));
  });
}

async function agree(url: string, what: string): Promise<void> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  const json = (await res.json()) as { data?: { text?: string }[]; routes?: { executor: string }[] };
  if (res.status !== 200 || json.data?.[0]?.text !== 'a short sentence to index' || (json.routes ?? []).length < 1) {
    throw new Error(`${what} answered something unexpected (${res.status}): ${JSON.stringify(json)}`);
  }
}

const flow = await new Flow({ protocol: 'http' }).add({ uses: NoOp, name: 'noop' }).start();
const echo = await startEchoServer('grpc');
let hand: { port: number; child: ChildProcess } | undefined;
try {
  hand = await startHandwritten(echo.port);
  const peers = [
    { name: 'weft', url: `http://127.0.0.1:${flow.port}/post` },
    { name: 'hand-written', url: `http://127.0.0.1:${hand.port}/post` },
    { name: 'fastify, no hop (context)', url: `http://127.0.0.1:${hand.port}/local` },
  ];
  for (const p of peers) await agree(p.url, p.name);
  for (const p of peers) await load(p.url, WARMUP_S);

  const results = new Map<string, CannonResult[]>(peers.map((p) => [p.name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const p of r % 2 === 0 ? peers : [...peers].reverse()) results.get(p.name)?.push(await load(p.url, ROUND_S));
  }
  const rows = peers.map((p) => {
    const runs = results.get(p.name) ?? [];
    const total = runs.reduce((n, x) => n + x.requests.total, 0);
    const seconds = runs.reduce((n, x) => n + x.duration, 0);
    const failed = runs.reduce((n, x) => n + x.errors + x.timeouts + x.non2xx, 0);
    return {
      peer: p.name,
      'req/s': round(total / seconds, 0),
      'p50 ms': round(runs.reduce((n, x) => n + x.latency.p50, 0) / runs.length, 2),
      'p99 ms': round(runs.reduce((n, x) => n + x.latency.p99, 0) / runs.length, 2),
      failed,
    };
  });
  table(`POST, 1 document, ${CONNECTIONS} connections, ${ROUNDS}×${ROUND_S} s per peer`, rows);
  if (rows.some((r) => r.failed > 0)) throw new Error('some requests failed; the numbers above are not comparable');
  const [weft, handwritten] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
  target('http-gateway', 'throughput_ratio', weft['req/s'] / handwritten['req/s'], '>=', 1.0);
} finally {
  hand?.child.kill('SIGTERM');
  await echo.stop();
  await flow.close();
}
