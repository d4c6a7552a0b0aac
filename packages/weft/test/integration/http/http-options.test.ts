// The HTTP gateway's route options: no debug or CRUD routes, exposeEndpoints remappings, and no CORS by default.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type InProcessWorker, startWorkerInProcess } from '../../../src/runtime/worker/index.js';
import { HttpEcho } from './fixtures/executors.js';
import { call, type ResponseJson, startHttpGateway, type TestGateway } from './helpers.js';

let worker: InProcessWorker;
let gw: TestGateway;

before(async () => {
  worker = await startWorkerInProcess({ uses: HttpEcho, name: 'echo' });
  gw = await startHttpGateway({
    graph: { 'start-gateway': ['echo'], echo: ['end-gateway'] },
    addresses: { echo: [worker.address] },
    protocolOptions: {
      noDebugEndpoints: true,
      noCrudEndpoints: true,
      // Jina's CLI form: JSON text
      exposeEndpoints: JSON.stringify({
        '/foo': { methods: ['GET'], summary: 'Foo it' },
        '/params': { http_path: '/api/params', methods: ['post', 'PUT'], tags: ['Mine'] },
        '/matches': { httpPath: '/m', methods: ['GET', 'POST'] },
      }),
    },
  });
});

after(async () => {
  await gw?.stop();
  await worker?.stop({ graceMs: 1000 });
});

describe('HTTP gateway options', () => {
  it('lists exactly the routes the options leave in its OpenAPI document', async () => {
    const spec = (await call(gw.base, 'GET', '/openapi.json')).json as {
      paths: Record<string, Record<string, { summary?: string; tags?: string[] }>>;
    };
    const ops = Object.entries(spec.paths)
      .flatMap(([p, m]) => Object.keys(m).map((x) => `${x.toUpperCase()} ${p}`))
      .sort();
    assert.deepEqual(ops, [
      'GET /',
      'GET /dry_run',
      'GET /foo',
      'GET /health',
      'GET /m',
      'GET /ready',
      'POST /api/params',
      'POST /barrier',
      'POST /delete',
      'POST /fail',
      'POST /index',
      'POST /m',
      'POST /search',
      'POST /update',
      'PUT /api/params',
    ]);
    assert.equal(spec.paths['/foo']?.get?.summary, 'Foo it');
    assert.deepEqual(spec.paths['/api/params']?.put?.tags, ['Mine']);
  });

  it('removes /status and /post with noDebugEndpoints', async () => {
    assert.equal((await call(gw.base, 'GET', '/status')).status, 404);
    assert.equal((await call(gw.base, 'POST', '/post', { data: [] })).status, 404);
    assert.equal((await call(gw.base, 'GET', '/')).status, 200);
  });

  it('binds the endpoint routes to their endpoint without CRUD shortcuts (POST /update, not PUT)', async () => {
    const r = await call(gw.base, 'POST', '/update', { data: [{}] });
    assert.equal(r.status, 200);
    assert.equal((r.json as ResponseJson).data[0]?.tags?.endpoint, '/update');
    assert.equal((await call(gw.base, 'PUT', '/update', { data: [{}] })).status, 404);
  });

  it('serves a remapped endpoint on its methods only, GET taking the request from the query string', async () => {
    const data = encodeURIComponent(JSON.stringify([{ text: 'q' }]));
    const r = await call(gw.base, 'GET', `/foo?data=${data}`);
    assert.equal(r.status, 200, r.text);
    assert.equal((r.json as ResponseJson).header.execEndpoint, '/foo');
    assert.equal((r.json as ResponseJson).data[0]?.text, 'foo:q');
    assert.equal((await call(gw.base, 'POST', '/foo', { data: [] })).status, 404);
    const q = await call(gw.base, 'GET', '/foo?limit=3&name=x&targetExecutor=echo');
    assert.equal(q.status, 200);
    assert.deepEqual((q.json as ResponseJson).parameters, { limit: 3, name: 'x' });
    assert.equal((q.json as ResponseJson).header.targetExecutor, 'echo');
  });

  it('serves a remapped endpoint on its custom path', async () => {
    for (const method of ['POST', 'PUT']) {
      const r = await call(gw.base, method, '/api/params', { data: [{}], parameters: { k: 'v' } });
      assert.equal(r.status, 200, r.text);
      assert.equal((r.json as ResponseJson).header.execEndpoint, '/params');
      assert.deepEqual((r.json as ResponseJson).data[0]?.tags, { k: 'v' });
    }
    assert.equal((await call(gw.base, 'POST', '/params', { data: [] })).status, 404);
  });

  it('serves a remapped endpoint on GET and POST at once', async () => {
    const viaGet = await call(gw.base, 'GET', `/m?data=${encodeURIComponent('[{"id":"g"}]')}`);
    const viaPost = await call(gw.base, 'POST', '/m', { data: [{ id: 'p' }] });
    for (const [r, id] of [
      [viaGet, 'g'],
      [viaPost, 'p'],
    ] as const) {
      assert.equal(r.status, 200, r.text);
      assert.equal((r.json as ResponseJson).header.execEndpoint, '/matches');
      assert.equal((r.json as ResponseJson).data[0]?.matches?.length, 2, id);
    }
  });

  it('sends no CORS headers unless asked to', async () => {
    const pre = await fetch(`${gw.base}/index`, {
      method: 'OPTIONS',
      headers: { origin: 'http://example.com', 'access-control-request-method': 'POST' },
    });
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
    assert.notEqual(pre.status, 204);
    const r = await call(gw.base, 'POST', '/index', { data: [] }, { origin: 'http://example.com' });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), null);
  });
});
