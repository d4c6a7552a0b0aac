// The HTTP gateway over in-process workers: Jina's routes and JSON, status codes, OpenAPI and /docs, CORS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type InProcessWorker, startWorkerInProcess } from '../../../src/runtime/worker/index.js';
import { HttpEcho } from './fixtures/executors.js';
import { call, type ResponseJson, startHttpGateway, type TestGateway } from './helpers.js';

const LIMIT = 64 * 1024;
let worker: InProcessWorker;
let gw: TestGateway;

before(async () => {
  worker = await startWorkerInProcess({ uses: HttpEcho, name: 'echo' });
  gw = await startHttpGateway({
    graph: { 'start-gateway': ['echo'], echo: ['end-gateway'] },
    addresses: { echo: [worker.address] },
    maxMessageBytes: LIMIT,
    protocolOptions: {
      cors: true,
      title: 'Echo service',
      description: 'Echoes documents.',
      exposeGraphqlEndpoint: true,
    },
  });
});

after(async () => {
  await gw?.stop();
  await worker?.stop({ graceMs: 1000 });
});

const post = async (path: string, body: unknown, method = 'POST') => {
  const r = await call(gw.base, method, path, body);
  return { ...r, body: r.json as ResponseJson };
};

describe('HTTP gateway: service routes', () => {
  it('GET / answers {}', async () => {
    const r = await call(gw.base, 'GET', '/');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, {});
  });

  it('GET /status answers the gateway info as { jina, envs }', async () => {
    const r = await call(gw.base, 'GET', '/status');
    assert.equal(r.status, 200);
    const info = r.json as { jina: Record<string, string>; envs: Record<string, string> };
    assert.equal(info.jina.runtime, 'gateway');
    assert.match(info.jina.weft ?? '', /^\d+\.\d+\.\d+/);
    assert.equal(typeof info.envs, 'object');
  });

  it('GET /dry_run answers a success status when every executor answers', async () => {
    const r = await call(gw.base, 'GET', '/dry_run');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { code: 0, description: '' });
  });
});

describe('HTTP gateway: data routes', () => {
  it('POST /post runs the body’s endpoint and answers Jina’s JSON response', async () => {
    const r = await post('/post', {
      execEndpoint: '/foo',
      data: [{ text: 'a' }, { id: 'd2', text: 'b', tags: { k: 5 } }],
      parameters: { limit: 3 },
    });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(r.body.header.execEndpoint, '/foo');
    assert.equal(r.body.header.targetExecutor, '');
    assert.match(r.body.header.requestId, /^[0-9a-f]{32}$/);
    assert.equal(r.body.header.status, undefined);
    assert.deepEqual(r.body.parameters, { limit: 3 });
    assert.deepEqual(
      r.body.routes.map((x) => x.executor),
      ['gateway', 'echo'],
    );
    for (const route of r.body.routes) {
      assert.ok(!Number.isNaN(Date.parse(route.startTime ?? '')) && !Number.isNaN(Date.parse(route.endTime ?? '')));
    }
    assert.deepEqual(
      r.body.data.map((d) => d.text),
      ['foo:a', 'foo:b'],
    );
    assert.equal(r.body.data[1]?.id, 'd2');
    assert.deepEqual(r.body.data[1]?.tags, { k: 5 });
  });

  it('accepts snake_case keys, data as { docs }, and keeps a request id from the header', async () => {
    const r = await post('/post', {
      exec_endpoint: '/params',
      header: { request_id: 'my-request-1' },
      data: { docs: [{ mime_type: 'text/plain', text: 'x' }] },
      parameters: { a: 1 },
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.header.requestId, 'my-request-1');
    assert.deepEqual(r.body.data[0]?.tags, { a: 1 });
    assert.deepEqual(r.body.parameters, { a: 1, __results__: { echo: { seen: 1 } } });
  });

  it('POST /post without an endpoint calls "/"', async () => {
    const r = await post('/post', { data: [{ text: 'plain' }] });
    assert.equal(r.status, 200);
    assert.equal(r.body.header.execEndpoint, '/');
    assert.equal(r.body.data[0]?.text, 'plain');
  });

  it('serves one POST route per endpoint the executors expose, bound to that endpoint', async () => {
    const r = await post('/foo', { data: [{ text: 'routed' }], execEndpoint: '/ignored' });
    assert.equal(r.status, 200);
    assert.equal(r.body.header.execEndpoint, '/foo');
    assert.equal(r.body.data[0]?.text, 'foo:routed');
  });

  it('serves the CRUD shortcuts with their methods', async () => {
    for (const [method, path] of [
      ['POST', '/index'],
      ['POST', '/search'],
      ['PUT', '/update'],
      ['DELETE', '/delete'],
    ] as const) {
      const r = await post(path, { data: [{ text: 'crud' }] }, method);
      assert.equal(r.status, 200, `${method} ${path}: ${r.text}`);
      assert.equal(r.body.header.execEndpoint, path);
      assert.equal(r.body.data[0]?.tags?.endpoint, path, `${method} ${path}`);
    }
  });

  it('answers an executor exception with 200 and the error in header.status', async () => {
    const r = await post('/fail', { data: [{ text: 'x' }] });
    assert.equal(r.status, 200);
    const status = r.body.header.status;
    assert.equal(status?.code, 1);
    assert.match(status?.description ?? '', /bad luck/);
    assert.equal(status?.exception?.name, 'RangeError');
    assert.deepEqual(status?.exception?.args, ['bad luck']);
    assert.equal(status?.exception?.executor, 'echo');
  });

  it('answers 404 naming the routes for a path that is no endpoint', async () => {
    const r = await post('/no-such-endpoint', { data: [] });
    assert.equal(r.status, 404);
    assert.match(r.body.detail ?? '', /no route POST \/no-such-endpoint.*POST \/foo/);
  });
});

describe('HTTP gateway: malformed and oversized bodies', () => {
  const stillServing = async (): Promise<void> => {
    const r = await post('/foo', { data: [{ text: 'after' }] });
    assert.equal(r.status, 200);
    assert.equal(r.body.data[0]?.text, 'foo:after');
  };

  it('answers 400 for a body that is not JSON, and keeps serving', async () => {
    const r = await post('/post', '{"data": [');
    assert.equal(r.status, 400);
    assert.match(r.body.detail ?? '', /^the request body is not valid JSON: /);
    assert.equal(r.body.header.status?.code, 1);
    await stillServing();
  });

  it('answers 400 naming the document field at fault, and keeps serving', async () => {
    const r = await post('/post', { data: [{}, {}, {}, { tensor: [[1, 2], [3]] }] });
    assert.equal(r.status, 400);
    assert.match(r.body.detail ?? '', /^data\[3\]\.tensor: /);
    assert.equal(r.body.field, 'data[3].tensor');
    await stillServing();
  });

  it('answers 400 naming an envelope field of the wrong type', async () => {
    const r = await post('/post', { data: [], parameters: 'limit=3' });
    assert.equal(r.status, 400);
    assert.match(r.body.detail ?? '', /^parameters must be a plain JSON object/);
  });

  it('refuses keys that would poison prototypes', async () => {
    const r = await post('/post', '{"parameters": {"__proto__": {"polluted": true}}}');
    assert.equal(r.status, 400);
    assert.match(r.body.detail ?? '', /__proto__/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('answers 415 for a body that is not sent as JSON, and takes no body as an empty request', async () => {
    const form = await fetch(`${gw.base}/post`, { method: 'POST', body: new URLSearchParams({ a: '1' }) });
    assert.equal(form.status, 415);
    assert.match(((await form.json()) as ResponseJson).detail ?? '', /Content-Type: application\/json/);
    const text = await fetch(`${gw.base}/post`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(text.status, 415);
    const none = await fetch(`${gw.base}/post`, { method: 'POST' });
    assert.equal(none.status, 200);
    assert.deepEqual(((await none.json()) as ResponseJson).data, []);
  });

  it('answers 413 for a body over maxMessageBytes, and keeps serving', async () => {
    const r = await post('/post', { data: [{ text: 'x'.repeat(LIMIT + 1) }] });
    assert.equal(r.status, 413);
    assert.match(r.body.detail ?? '', new RegExp(`limit of ${LIMIT} bytes`));
    await stillServing();
  });
});

describe('HTTP gateway: OpenAPI and the API page', () => {
  it('serves an OpenAPI 3 document listing every route and the Document schema', async () => {
    const r = await call(gw.base, 'GET', '/openapi.json');
    assert.equal(r.status, 200);
    const spec = r.json as {
      openapi: string;
      info: { title: string; description: string; version: string };
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    assert.match(spec.openapi, /^3\.\d+\.\d+$/);
    assert.equal(spec.info.title, 'Echo service');
    assert.equal(spec.info.description, 'Echoes documents.');
    const ops = Object.entries(spec.paths).flatMap(([p, m]) => Object.keys(m).map((x) => `${x.toUpperCase()} ${p}`));
    for (const op of [
      'GET /',
      'GET /status',
      'GET /dry_run',
      'POST /post',
      'POST /index',
      'POST /search',
      'PUT /update',
      'DELETE /delete',
      'POST /foo',
      'POST /params',
      'POST /fail',
      'POST /matches',
      'POST /barrier',
    ]) {
      assert.ok(ops.includes(op), `${op} missing from ${ops.join(', ')}`);
    }
    assert.ok(!ops.some((o) => o.includes('/docs') || o.includes('openapi') || o.includes('*')), ops.join(', '));
    assert.ok(spec.paths['/post']?.post?.responses['503'], 'the 503 answer is documented');
    const doc = spec.components.schemas.Document;
    assert.deepEqual(doc?.properties?.matches, { type: 'array', items: { $ref: '#/components/schemas/Document' } });
    assert.deepEqual(unresolvedRefs(spec), []);
  });

  it('serves a browsable API page at /docs', async () => {
    const res = await fetch(`${gw.base}/docs`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const html = await res.text();
    assert.match(html, /swagger-ui/i);
    // its assets are served by the gateway itself (no CDN)
    const css = /href="([^"]*swagger-ui\.css)"/.exec(html)?.[1];
    assert.ok(css?.startsWith('/docs/'), `stylesheet ${css}`);
    const asset = await fetch(`${gw.base}${css}`);
    assert.equal(asset.status, 200);
    assert.match(await asset.text(), /swagger-ui/);
  });
});

describe('HTTP gateway: CORS', () => {
  it('answers a preflight request with allow-all headers', async () => {
    const res = await fetch(`${gw.base}/post`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.match(res.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /content-type/i);
  });

  it('marks simple requests as readable from any origin', async () => {
    const r = await call(gw.base, 'POST', '/foo', { data: [] }, { origin: 'http://example.com' });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
  });
});

/** Every `$ref` of the document that does not point at a component schema. */
function unresolvedRefs(spec: { components: { schemas: Record<string, unknown> } }): string[] {
  const bad: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref') {
          const name = typeof x === 'string' ? x.replace('#/components/schemas/', '') : '';
          if (!(typeof x === 'string' && x.startsWith('#/components/schemas/') && name in spec.components.schemas))
            bad.push(String(x));
        } else walk(x);
      }
    }
  };
  walk(spec);
  return bad;
}
