// A Flow whose gateway wants a token (`auth: { token_env }` in its YAML, two tokens as during a rotation) on
// gRPC, HTTP, WebSocket and GraphQL, in real processes: a good token is served, a wrong or missing one is refused
// with the coded error (401 / UNAUTHENTICATED / close 1008) that never holds the token, the health routes answer
// without one, and no token shows up in `/status` or in what any runtime writes to stderr.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { ping } from '../../../src/cli/ping.js';
import { Client, Flow, UnauthenticatedError } from '../../../src/index.js';
import { RuntimeClient } from '../../../src/networking/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
type Protocol = 'grpc' | 'http' | 'websocket';
const PROTOCOLS: readonly Protocol[] = ['grpc', 'http', 'websocket'];
const SCHEME: Record<Protocol, string> = { grpc: 'grpc', http: 'http', websocket: 'ws' };
const OLD = 'old-token-7f3a9c21e5';
const NEW = 'new-token-b84d0e6f12';
const WRONG = 'new-token-b84d0e6f13';

let flow: Flow;
let stderr = '';
const clients: Client[] = [];
const write = process.stderr.write.bind(process.stderr);

function portOf(protocol: Protocol): number {
  const e = flow.endpoints.find((x) => x.protocol === protocol);
  assert.ok(e, `the Flow serves ${protocol}`);
  return e.port;
}

function client(protocol: Protocol, token?: string): Client {
  const c = new Client({
    host: `${SCHEME[protocol]}://127.0.0.1:${portOf(protocol)}`,
    showProgress: false,
    ...(token ? { token } : {}),
  });
  clients.push(c);
  return c;
}

function assertNoToken(text: string, where: string): void {
  for (const t of [OLD, NEW, WRONG]) assert.ok(!text.includes(t), `${where} holds a token: ${text.slice(0, 400)}`);
}

before(async () => {
  // every runtime's stderr passes through this process's (RuntimeProcess): keep a copy to search for tokens
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
  process.env.WEFT_TEST_AUTH_TOKENS = `${OLD},${NEW}`;
  // the most the runtimes ever log, to search it all
  process.env.WEFT_LOG_LEVEL = 'debug';
  delete process.env.WEFT_TOKEN;
  flow = await Flow.load(join(here, 'flow.yml')).start();
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await flow?.close();
  process.stderr.write = write;
  delete process.env.WEFT_TEST_AUTH_TOKENS;
  delete process.env.WEFT_LOG_LEVEL;
  assertNoToken(stderr, "the runtimes' stderr");
});

describe('a Flow wanting a token', { timeout: 120_000 }, () => {
  it('serves its own client, which sends a token the gateway accepts', async () => {
    assert.deepEqual((await flow.post('/', [{ text: 'own' }])).texts, ['OWN']);
    assertNoToken(JSON.stringify(flow.gatewayConfig), 'flow.gatewayConfig');
  });

  for (const protocol of PROTOCOLS) {
    describe(`over ${protocol}`, () => {
      it('serves a good token (either of the two accepted) on data, status and dry run', async () => {
        for (const token of [OLD, NEW]) {
          const c = client(protocol, token);
          assert.deepEqual((await c.post('/', [{ text: 'a' }, { text: 'b' }])).texts, ['A', 'B']);
          assert.deepEqual(await c.dryRun(30_000), { code: 0, description: '' });
          const status = await c.status(30_000);
          assert.equal(status.jina.runtime, 'gateway');
          assert.equal(status.envs.WEFT_TEST_AUTH_TOKENS, '(set)', 'a token variable is masked');
          assertNoToken(JSON.stringify(status), '_status');
        }
      });

      it('refuses a wrong token with UnauthenticatedError, naming no token', async () => {
        const c = client(protocol, WRONG);
        const err = await c.post('/', [{ text: 'x' }]).then(
          () => assert.fail('served a wrong token'),
          (e: unknown) => e,
        );
        assert.ok(err instanceof UnauthenticatedError, String(err));
        assert.equal(err.code, 'WEFT_UNAUTHENTICATED');
        assert.match(err.message, /does not accept the token/);
        assertNoToken(`${err.message} ${JSON.stringify(err.details)}`, 'the error');
        await assert.rejects(c.status(30_000), UnauthenticatedError);
      });

      it('refuses a missing token with UnauthenticatedError saying how to send one', async () => {
        const c = client(protocol);
        await assert.rejects(c.post('/', [{ text: 'x' }]), (e: unknown) => {
          assert.ok(e instanceof UnauthenticatedError, String(e));
          assert.match(e.message, /Authorization: Bearer/);
          return true;
        });
        assert.equal((await c.dryRun(30_000)).code, 1, 'the dry run is refused too');
      });

      if (protocol !== 'websocket') {
        it('streams a streaming endpoint for a good token, refuses one without', async () => {
          const texts: string[] = [];
          for await (const d of client(protocol, OLD).streamDoc('/words', { text: 'one two' }))
            texts.push(d.text ?? '');
          assert.deepEqual(texts, ['ONE', 'TWO']);
          const refused = async () => {
            for await (const _ of client(protocol).streamDoc('/words', { text: 'one two' })) assert.fail('streamed');
          };
          await assert.rejects(refused(), UnauthenticatedError);
        });
      }

      it('answers its health check without a token', async () => {
        assert.equal(await client(protocol).isFlowReady(30_000), true);
      });
    });
  }

  it('weft ping flow: the gRPC dry run sends the token it is given, GET /ready needs none', async () => {
    const grpc = `127.0.0.1:${portOf('grpc')}`;
    const refused = await ping(grpc, { kind: 'flow', timeoutMs: 30_000 });
    assert.equal(refused.ok, false);
    assert.match(refused.message, /wants a token/);
    const served = await ping(grpc, { kind: 'flow', timeoutMs: 30_000, token: NEW });
    assert.equal(served.ok, true, served.message);
    const http = await ping(`http://127.0.0.1:${portOf('http')}`, { kind: 'flow', timeoutMs: 30_000 });
    assert.equal(http.ok, true, http.message);
  });

  describe('over HTTP, by hand', () => {
    const url = (path: string) => `http://127.0.0.1:${portOf('http')}${path}`;

    it('answers GET /, /health and /ready without a token, /ready with every executor', async () => {
      assert.equal((await fetch(url('/'))).status, 200);
      const health = await fetch(url('/health'));
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok', gateway: 'gateway' });
      const ready = await fetch(url('/ready'));
      assert.equal(ready.status, 200);
      const body = (await ready.json()) as { ready: boolean; executors: { executor: string; ready: boolean }[] };
      assert.equal(body.ready, true);
      assert.deepEqual(
        body.executors.map((e) => [e.executor, e.ready]),
        [['shout', true]],
      );
    });

    it('answers 401 with WWW-Authenticate and the coded error, for /status, /post and the API page', async () => {
      for (const [path, init] of [
        ['/status', {}],
        ['/post', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"data":[]}' }],
        ['/docs', {}],
        ['/openapi.json', { headers: { authorization: `Bearer ${WRONG}` } }],
      ] as const) {
        const res = await fetch(url(path), init);
        assert.equal(res.status, 401, path);
        assert.equal(res.headers.get('www-authenticate'), 'Bearer');
        const text = await res.text();
        assertNoToken(text, `the 401 body of ${path}`);
        assert.equal((JSON.parse(text) as { code: string }).code, 'WEFT_UNAUTHENTICATED');
      }
      // CORS: a preflight needs no token, and a browser may read the refusal
      const preflight = await fetch(url('/post'), {
        method: 'OPTIONS',
        headers: { origin: 'http://shop.example', 'access-control-request-method': 'POST' },
      });
      assert.ok(preflight.status < 300, `preflight answered ${preflight.status}`);
      const refused = await fetch(url('/status'), { headers: { origin: 'http://shop.example' } });
      assert.equal(refused.status, 401);
      assert.equal(refused.headers.get('access-control-allow-origin'), '*');
      const ok = await fetch(url('/status'), { headers: { authorization: `Bearer ${NEW}` } });
      assert.equal(ok.status, 200);
      assertNoToken(await ok.text(), 'GET /status');
    });
  });

  describe('over GraphQL', () => {
    const query = JSON.stringify({ query: '{ docs(data: [{ text: "q" }], execEndpoint: "/") { text } }' });
    const graphql = (headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${portOf('http')}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: query,
      });

    it('serves a good token', async () => {
      const res = await graphql({ authorization: `Bearer ${OLD}` });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { data: { docs: [{ text: 'Q' }] } });
    });

    for (const [what, headers] of [
      ['a wrong token', { authorization: `Bearer ${WRONG}` }],
      ['no token', {}],
    ] as const) {
      it(`refuses ${what} with 401 and a GraphQL error carrying the code`, async () => {
        const res = await graphql(headers);
        assert.equal(res.status, 401);
        const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
        assert.equal(body.errors[0]?.extensions.code, 'WEFT_UNAUTHENTICATED');
        assertNoToken(JSON.stringify(body), 'the GraphQL error');
      });
    }
  });

  describe('over gRPC, by hand', () => {
    it('answers grpc.health.v1 without a token and refuses _status', async () => {
      const c = new RuntimeClient(`127.0.0.1:${portOf('grpc')}`, { name: 'gateway' });
      try {
        assert.equal(await c.healthCheck('', { timeoutMs: 30_000 }), 'SERVING');
        assert.equal(await c.healthCheck('jina.JinaRPC', { timeoutMs: 30_000 }), 'SERVING');
        await assert.rejects(c.status({ timeoutMs: 30_000 }), (e: unknown) => {
          assert.ok(e instanceof UnauthenticatedError, String(e));
          assert.equal((e.details as { grpcCode?: number }).grpcCode, 16);
          return true;
        });
        const info = await c.status({ timeoutMs: 30_000, metadata: { authorization: `Bearer ${OLD}` } });
        assert.equal(info.jina.runtime, 'gateway');
      } finally {
        c.close();
      }
    });
  });

  describe('over WebSocket, by hand', () => {
    const closeOf = (headers: Record<string, string>) =>
      new Promise<{ code: number; reason: string }>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${portOf('websocket')}/`, ['json'], { headers });
        ws.on('error', reject);
        ws.on('open', () => ws.send(JSON.stringify({ data: [{ text: 'w' }] })));
        ws.on('message', () => ws.close(1000));
        ws.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') }));
      });

    it('closes a connection without an accepted token with 1008 and the code, before reading a message', async () => {
      for (const headers of [{}, { authorization: `Bearer ${WRONG}` }] as Record<string, string>[]) {
        const { code, reason } = await closeOf(headers);
        assert.equal(code, 1008);
        assert.match(reason, /^WEFT_UNAUTHENTICATED: /);
        assertNoToken(reason, 'the close reason');
      }
      assert.equal((await closeOf({ authorization: `Bearer ${NEW}` })).code, 1000);
    });

    it('answers GET /health and /ready without a token, 401 for /status', async () => {
      const base = `http://127.0.0.1:${portOf('websocket')}`;
      assert.equal((await fetch(`${base}/health`)).status, 200);
      assert.equal((await fetch(`${base}/ready`)).status, 200);
      const res = await fetch(`${base}/status`);
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { code: string }).code, 'WEFT_UNAUTHENTICATED');
    });
  });
});
