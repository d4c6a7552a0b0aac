// Health of a running Flow, in real processes: liveness (`GET /health`) and readiness (`GET /ready`, with each
// executor's replicas) on the HTTP and WebSocket ports, gRPC health per service, and `weft ping flow`, which checks
// the whole graph (a dry run over gRPC, `/ready` over HTTP) — ready while every executor answers, not ready (exit
// 1, naming the executor) once one is down.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ping } from '../../../src/cli/ping.js';
import { runCli } from '../../../src/cli/run.js';
import { Flow } from '../../../src/index.js';
import { RuntimeClient } from '../../../src/networking/index.js';
import { GATEWAY_GRPC_SERVICES } from '../../../src/runtime/gateway/index.js';
import { freePort } from '../../../src/testing/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
let flow: Flow;
let downPort: number;

const url = (protocol: string, path: string): string => {
  const e = flow.endpoints.find((x) => x.protocol === protocol);
  assert.ok(e, `the Flow serves ${protocol}`);
  return `http://127.0.0.1:${e.port}${path}`;
};

interface ReadyBody {
  ready: boolean;
  executors: { executor: string; ready: boolean; replicas: { address: string; status: string; error?: string }[] }[];
}

before(async () => {
  // nothing listens on downPort: an `external` executor there is down
  downPort = await freePort();
  flow = await new Flow({ protocol: ['grpc', 'http', 'websocket'] })
    .add({ name: 'shout', uses: join(here, '../auth/fixtures/executors.ts#Shout'), replicas: 2 })
    .start();
});

after(async () => {
  await flow?.close();
});

describe('health of a Flow', { timeout: 120_000 }, () => {
  it('answers GET /health and GET /ready on the HTTP and WebSocket ports, /ready naming every replica', async () => {
    for (const protocol of ['http', 'websocket']) {
      const live = await fetch(url(protocol, '/health'));
      assert.equal(live.status, 200);
      assert.deepEqual(await live.json(), { status: 'ok', gateway: 'gateway' });
      const ready = await fetch(url(protocol, '/ready'));
      assert.equal(ready.status, 200);
      const body = (await ready.json()) as ReadyBody;
      assert.equal(body.ready, true);
      assert.equal(body.executors.length, 1);
      assert.equal(body.executors[0]?.executor, 'shout');
      // the gateway reaches the deployment through its head: one entry address
      assert.deepEqual(
        body.executors[0]?.replicas.map((r) => r.status),
        ['SERVING'],
      );
    }
  });

  it('answers grpc.health.v1 for the whole server and for each service', async () => {
    const grpc = flow.endpoints.find((e) => e.protocol === 'grpc');
    const c = new RuntimeClient(`127.0.0.1:${grpc?.port}`);
    try {
      for (const service of ['', ...GATEWAY_GRPC_SERVICES]) {
        assert.equal(await c.healthCheck(service, { timeoutMs: 30_000 }), 'SERVING', service || '(server)');
      }
      assert.equal(await c.healthCheck('no.Such', { timeoutMs: 30_000 }).catch((e: Error) => e.name), 'NotFoundError');
    } finally {
      c.close();
    }
  });

  it('weft ping flow checks the whole graph over gRPC, HTTP and WebSocket: exit 0', async () => {
    const grpc = flow.endpoints.find((e) => e.protocol === 'grpc');
    const http = flow.endpoints.find((e) => e.protocol === 'http');
    const ws = flow.endpoints.find((e) => e.protocol === 'websocket');
    for (const target of [`127.0.0.1:${grpc?.port}`, http?.url as string, ws?.url as string]) {
      const r = await ping(target, { kind: 'flow', timeoutMs: 30_000 });
      assert.equal(r.ok, true, r.message);
      assert.match(r.message, /SERVING/);
    }
    const out: string[] = [];
    const code = await runCli(['ping', 'flow', http?.url as string], {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
    });
    assert.equal(code, 0, out.join('\n'));
  });
});

describe('health of a Flow with an executor down', { timeout: 120_000 }, () => {
  let broken: Flow;

  before(async () => {
    broken = await new Flow({ protocol: ['grpc', 'http'] })
      .add({ name: 'shout', uses: join(here, '../auth/fixtures/executors.ts#Shout') })
      .add({ name: 'gone', external: true, host: '127.0.0.1', port: downPort })
      .start();
  });

  after(async () => {
    await broken?.close();
  });

  it('stays live, answers GET /ready with 503 naming the executor and why, and weft ping flow exits 1', async () => {
    const http = broken.endpoints.find((e) => e.protocol === 'http');
    const grpc = broken.endpoints.find((e) => e.protocol === 'grpc');
    assert.equal((await fetch(`${http?.url}/health`)).status, 200);
    const ready = await fetch(`${http?.url}/ready`);
    assert.equal(ready.status, 503);
    const body = (await ready.json()) as ReadyBody;
    assert.equal(body.ready, false);
    const gone = body.executors.find((e) => e.executor === 'gone');
    assert.equal(gone?.ready, false);
    assert.equal(gone?.replicas[0]?.address, `127.0.0.1:${downPort}`);
    assert.equal(gone?.replicas[0]?.status, 'UNREACHABLE');
    assert.match(gone?.replicas[0]?.error ?? '', new RegExp(`127\\.0\\.0\\.1:${downPort}`));
    assert.equal(body.executors.find((e) => e.executor === 'shout')?.ready, true);

    const viaHttp = await ping(http?.url as string, { kind: 'flow', timeoutMs: 30_000 });
    assert.equal(viaHttp.ok, false);
    assert.match(viaHttp.message, /not ready: gone/);
    const viaGrpc = await ping(`127.0.0.1:${grpc?.port}`, { kind: 'flow', timeoutMs: 30_000 });
    assert.equal(viaGrpc.ok, false);
    assert.match(viaGrpc.message, /dry run failed: .*gone/);
    // a gateway ping asks only the gateway: it serves
    assert.equal((await ping(`127.0.0.1:${grpc?.port}`, { kind: 'gateway', timeoutMs: 30_000 })).ok, true);
    const err: string[] = [];
    assert.equal(
      await runCli(['ping', 'flow', `127.0.0.1:${grpc?.port}`], { out: () => undefined, err: (l) => err.push(l) }),
      1,
    );
    assert.match(err.join('\n'), /does not serve/);
  });
});
