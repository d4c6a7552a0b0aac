// The HTTP gateway when executors fail in transport (503 unavailable, 504 timeout), an executor that starts after
// the gateway, and the HTTP client's mapping of those statuses to weft errors.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '../../../src/client/index.js';
import {
  DeadlineExceededError,
  ExecutorError,
  MessageTooLargeError,
  UnavailableError,
} from '../../../src/errors/index.js';
import { type InProcessWorker, startWorkerInProcess } from '../../../src/runtime/worker/index.js';
import { freePort } from '../../../src/testing/index.js';
import { HttpEcho, Sleepy } from './fixtures/executors.js';
import { call, type ResponseJson, startHttpGateway, type TestGateway } from './helpers.js';

const TIMEOUT_MS = 300;
let sleepy: InProcessWorker;
let gw: TestGateway;
let deadAddress: string;

before(async () => {
  sleepy = await startWorkerInProcess({ uses: Sleepy, name: 'sleepy' });
  deadAddress = `127.0.0.1:${await freePort()}`; // nothing listens there
  gw = await startHttpGateway({
    graph: { 'start-gateway': ['sleepy', 'dead'], sleepy: ['end-gateway'], dead: ['end-gateway'] },
    addresses: { sleepy: [sleepy.address], dead: [deadAddress] },
    timeoutSend: { sleepy: TIMEOUT_MS },
    maxMessageBytes: 4096,
    protocolOptions: { exposeGraphqlEndpoint: true },
  });
});

after(async () => {
  Sleepy.release();
  await gw?.stop();
  await sleepy?.stop({ graceMs: 1000 });
});

describe('HTTP gateway: transport failures', () => {
  it('answers 503 for an unavailable executor, echoing the body with header.status naming its address', async () => {
    const body = { data: [{ text: 'x' }], parameters: { p: 1 }, targetExecutor: 'dead', execEndpoint: '/index' };
    const r = await call(gw.base, 'POST', '/post', body);
    assert.equal(r.status, 503);
    const json = r.json as ResponseJson & Record<string, unknown>;
    assert.deepEqual(json.data, body.data);
    assert.deepEqual(json.parameters, body.parameters);
    assert.equal(json.targetExecutor, 'dead');
    assert.equal(json.header.execEndpoint, '/index');
    assert.equal(json.header.status?.code, 1);
    assert.match(json.header.status?.description ?? '', new RegExp(`dead.*${deadAddress.replace('.', '\\.')}`));
    assert.equal(json.header.status?.exception?.name, 'UnavailableError');
    assert.equal(json.header.status?.exception?.executor, 'dead');
    assert.match(json.detail ?? '', /dead/);
  });

  it('answers 504 when an executor does not answer within its timeout', async () => {
    const r = await call(gw.base, 'POST', '/post', { data: [{ text: 'x' }], targetExecutor: 'sleepy' });
    assert.equal(r.status, 504);
    const json = r.json as ResponseJson;
    assert.equal(json.header.status?.exception?.name, 'DeadlineExceededError');
    assert.match(json.header.status?.description ?? '', /sleepy/);
    assert.deepEqual(json.data, [{ text: 'x' }]);
  });

  it('reports transport failures to GraphQL with their weft code', async () => {
    for (const [target, code] of [
      ['dead', 'WEFT_UNAVAILABLE'],
      ['sleepy', 'WEFT_TIMEOUT'],
    ] as const) {
      const query = `{ docs(data: [{ text: "x" }], targetExecutor: "${target}") { id } }`;
      const r = await call(gw.base, 'POST', '/graphql', { query });
      const errors = (r.json as { errors?: { message: string; extensions?: { code?: string } }[] }).errors;
      assert.equal(errors?.[0]?.extensions?.code, code, r.text);
      assert.match(errors?.[0]?.message ?? '', new RegExp(target));
    }
  });

  it('keeps serving after transport failures', async () => {
    assert.equal((await call(gw.base, 'GET', '/')).status, 200);
    const again = await call(gw.base, 'POST', '/post', { data: [], targetExecutor: 'dead' });
    assert.equal(again.status, 503);
    const dry = await call(gw.base, 'GET', '/dry_run');
    assert.equal(dry.status, 200);
    assert.equal((dry.json as { code: number }).code, 1);
  });
});

describe('HTTP client: transport failures as weft errors', () => {
  let client: Client;
  before(() => {
    client = new Client({ host: gw.base });
  });
  after(() => client.close());

  it('speaks http for an http:// host', () => {
    assert.equal(client.protocol, 'http');
    assert.equal(client.port, gw.port);
    assert.equal(client.transport.protocol, 'http');
  });

  it('rejects with UnavailableError on 503, with the gateway’s message', async () => {
    await assert.rejects(client.post('/', [{ text: 'a' }], { targetExecutor: 'dead' }), (err: Error) => {
      assert.ok(err instanceof UnavailableError, err.stack);
      assert.match(err.message, /dead/);
      return true;
    });
  });

  it('rejects with DeadlineExceededError on 504', async () => {
    await assert.rejects(client.post('/', [{ text: 'a' }], { targetExecutor: 'sleepy' }), DeadlineExceededError);
  });

  it('rejects with MessageTooLargeError on 413', async () => {
    await assert.rejects(
      client.post('/', [{ text: 'y'.repeat(10_000) }], { targetExecutor: 'sleepy' }),
      (err: Error) => {
        assert.ok(err instanceof MessageTooLargeError, err.stack);
        assert.match(err.message, /limit of 4096 bytes/);
        return true;
      },
    );
  });

  it('reports readiness, a failed dry run and the status', async () => {
    assert.equal(await client.isFlowReady(), true);
    const dry = await client.dryRun();
    assert.equal(dry.code, 1);
    assert.match(dry.description, /dead/);
    assert.equal((await client.status()).jina.runtime, 'gateway');
  });

  it('says a gateway that is not there is unavailable', async () => {
    const nobody = new Client({ host: `http://${deadAddress}` });
    try {
      assert.equal(await nobody.isFlowReady(), false);
      await assert.rejects(nobody.post('/', [{}]), (err: Error) => {
        assert.ok(err instanceof UnavailableError, err.stack);
        assert.match(err.message, /ECONNREFUSED/);
        return true;
      });
    } finally {
      await nobody.close();
    }
  });
});

describe('HTTP gateway: an executor that starts after the gateway', () => {
  let late: TestGateway;
  let worker: InProcessWorker | undefined;
  let port: number;
  before(async () => {
    port = await freePort();
    late = await startHttpGateway({
      graph: { 'start-gateway': ['echo'], echo: ['end-gateway'] },
      addresses: { echo: [`127.0.0.1:${port}`] },
    });
  });
  after(async () => {
    await late?.stop();
    await worker?.stop({ graceMs: 1000 });
  });

  it('serves its endpoints once it answers, though they had no route at start-up', async () => {
    const before = await call(late.base, 'POST', '/post', { data: [], execEndpoint: '/foo' });
    assert.equal(before.status, 503);
    // its endpoints are not known yet: a path that may be one of them is 503 naming it (Jina's status for an
    // unavailable executor), not 404, and nothing runs
    const absent = await call(late.base, 'POST', '/foo', { data: [{ text: 'x' }], parameters: { p: 1 } });
    assert.equal(absent.status, 503, absent.text);
    const refused = absent.json as ResponseJson;
    assert.match(
      refused.header.status?.description ?? '',
      new RegExp(`'echo' at 127\\.0\\.0\\.1:${port} is unavailable`),
    );
    assert.match(refused.header.status?.description ?? '', /\[WEFT_UNAVAILABLE\]$/);
    assert.equal(refused.header.status?.exception?.name, 'UnavailableError');
    assert.equal(refused.header.status?.exception?.executor, 'echo');
    assert.equal(refused.header.execEndpoint, '/foo');
    assert.deepEqual(refused.data, [{ text: 'x' }]);
    assert.deepEqual(refused.parameters, { p: 1 });
    assert.match(refused.detail ?? '', /POST \/foo .*GET \/dry_run/);
    worker = await startWorkerInProcess({ uses: HttpEcho, name: 'echo', port });
    // the gateway reconnects on its own schedule: wait until a request gets through (the Client retries 503s)
    const client = new Client({ host: late.base });
    await client.post('/index', [{}], { maxAttempts: 50, initialBackoff: 50, maxBackoff: 500 });
    const r = await call(late.base, 'POST', '/foo', { data: [{ text: 'late' }] });
    assert.equal(r.status, 200, r.text);
    assert.equal((r.json as ResponseJson).data[0]?.text, 'foo:late');
    assert.equal((await call(late.base, 'POST', '/nothing-here', { data: [] })).status, 404);
    // the OpenAPI document (and the API page's copy of it) lists the endpoints discovered since
    for (const path of ['/openapi.json', '/docs/json']) {
      const spec = (await call(late.base, 'GET', path)).json as {
        paths: Record<string, { post?: { summary?: string; requestBody?: unknown } }>;
      };
      assert.equal(spec.paths['/foo']?.post?.summary, 'Call the executor endpoint /foo', path);
      assert.deepEqual(spec.paths['/foo']?.post?.requestBody, {
        content: { 'application/json': { schema: { $ref: '#/components/schemas/EndpointRequest' } } },
      });
      assert.ok(spec.paths['/matches']?.post, path);
      assert.ok(spec.paths['/index']?.post, 'the CRUD route stays as it was');
    }
    try {
      await assert.rejects(client.post('/fail', [{}]), (err: Error) => {
        assert.ok(err instanceof ExecutorError);
        assert.equal(err.name, 'RangeError');
        return true;
      });
    } finally {
      await client.close();
    }
  });
});

describe('HTTP gateway: an executor that goes down and comes back', () => {
  let gateway: TestGateway;
  let worker: InProcessWorker | undefined;
  let port: number;
  before(async () => {
    port = await freePort();
    worker = await startWorkerInProcess({ uses: HttpEcho, name: 'echo', port });
    gateway = await startHttpGateway({
      graph: { 'start-gateway': ['echo'], echo: ['end-gateway'] },
      addresses: { echo: [`127.0.0.1:${port}`] },
      retries: 0,
    });
  });
  after(async () => {
    await gateway?.stop();
    await worker?.stop({ graceMs: 1000 });
  });

  it('answers 503 on its endpoints’ routes while it is down, keeps serving, and serves it again', async () => {
    assert.equal((await call(gateway.base, 'POST', '/foo', { data: [{ text: 'up' }] })).status, 200);
    await worker?.stop({ graceMs: 1000 });
    worker = undefined;
    const address = new RegExp(`echo.*127\\.0\\.0\\.1:${port}`);
    for (const [path, body] of [
      ['/foo', { data: [{ text: 'down' }] }],
      ['/post', { data: [{ text: 'down' }], execEndpoint: '/foo' }],
    ] as const) {
      const r = await call(gateway.base, 'POST', path, body);
      assert.equal(r.status, 503, `${path}: ${r.text}`);
      const json = r.json as ResponseJson;
      assert.match(json.header.status?.description ?? '', address, path);
      assert.equal(json.header.status?.exception?.name, 'UnavailableError', path);
      assert.equal(json.header.status?.exception?.executor, 'echo', path);
      assert.deepEqual(json.data, [{ text: 'down' }], path);
    }
    assert.equal((await call(gateway.base, 'GET', '/')).status, 200);
    worker = await startWorkerInProcess({ uses: HttpEcho, name: 'echo', port });
    // the gateway reconnects on its own schedule: the Client retries the 503s until a request gets through
    const client = new Client({ host: gateway.base, showProgress: false });
    try {
      const docs = await client.post('/foo', [{ text: 'back' }], {
        maxAttempts: 50,
        initialBackoff: 50,
        maxBackoff: 500,
      });
      assert.deepEqual(docs.texts, ['foo:back']);
    } finally {
      await client.close();
    }
    const r = await call(gateway.base, 'POST', '/foo', { data: [{ text: 'again' }] });
    assert.equal(r.status, 200, r.text);
    assert.equal((r.json as ResponseJson).data[0]?.text, 'foo:again');
  });
});

describe('HTTP gateway: shutting down', () => {
  it('lets a request under way finish, and refuses new ones', async () => {
    const worker = await startWorkerInProcess({ uses: Sleepy, name: 'sleepy' });
    const gateway = await startHttpGateway({
      graph: { 'start-gateway': ['sleepy'], sleepy: ['end-gateway'] },
      addresses: { sleepy: [worker.address] },
    });
    try {
      const asleep = Sleepy.nextSleeper();
      const underway = call(gateway.base, 'POST', '/post', { data: [{ id: 'late' }] });
      await asleep;
      const stopped = gateway.server.stop(30_000);
      const refused = await call(gateway.base, 'POST', '/post', { data: [] }).then(
        (r) => r.status,
        () => 'connection refused',
      );
      assert.ok(refused === 503 || refused === 'connection refused', String(refused));
      Sleepy.release();
      const r = await underway;
      assert.equal(r.status, 200);
      assert.deepEqual((r.json as ResponseJson).data[0]?.tags, { woke: true });
      await stopped;
    } finally {
      Sleepy.release();
      await gateway.stop();
      await worker.stop({ graceMs: 1000 });
    }
  });
});
