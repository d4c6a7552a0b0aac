// The app's own routes and pages on the HTTP gateway: a fastify plugin whose route calls the Flow through
// `gateway.post`, a static folder, and the rule that whoever takes `GET /` moves the health route away.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DocumentArray, type HttpPlugin } from '../../../src/index.js';
import { type InProcessGateway, startInProcessGateway } from '../../fixtures/in-process-gateway.js';
import { HttpEcho } from './fixtures/executors.js';
import { call } from './helpers.js';

const site = fileURLToPath(new URL('./fixtures/site/', import.meta.url));

const shop: HttpPlugin = async (app, { gateway }) => {
  app.get('/api/echo', async (request) => {
    const q = (request.query as { q?: string }).q ?? '';
    const docs = await gateway.post('/', new DocumentArray([{ text: q }]));
    return { texts: docs.toArray().map((d) => d.text) };
  });
};

describe("HTTP gateway: the app's own routes", () => {
  const started: InProcessGateway[] = [];
  after(() => Promise.all(started.map((g) => g.stop())));
  const start = async (protocolOptions: Record<string, unknown>) => {
    const g = await startInProcessGateway({ protocol: 'http', executors: { echo: HttpEcho }, protocolOptions });
    started.push(g);
    return `http://127.0.0.1:${g.port}`;
  };

  it('serves a plugin route that runs a request through the Flow', async () => {
    const base = await start({ httpPlugins: [shop] });
    const r = await call(base, 'GET', '/api/echo?q=red%20shoes');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { texts: ['red shoes'] });
    // the gateway's own routes are still there, the health route included
    assert.deepEqual((await call(base, 'GET', '/')).json, {});
    assert.equal((await call(base, 'POST', '/post', { data: [{ text: 'x' }] })).status, 200);
  });

  it('serves a static folder at / instead of the health route', async () => {
    const base = await start({ httpPlugins: [shop], staticFolder: site });
    const page = await call(base, 'GET', '/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(page.text, /the shop/);
    assert.equal((await call(base, 'GET', '/index.html')).status, 200);
    assert.equal((await call(base, 'GET', '/missing.html')).status, 404);
    assert.equal((await call(base, 'GET', '/dry_run')).status, 200);
    assert.deepEqual((await call(base, 'GET', '/api/echo?q=a')).json, { texts: ['a'] });
  });

  it('keeps the health route when the static folder has a prefix of its own', async () => {
    const base = await start({ staticFolder: site, staticPrefix: '/ui/' });
    assert.deepEqual((await call(base, 'GET', '/')).json, {});
    assert.match((await call(base, 'GET', '/ui/')).text, /the shop/);
  });

  it('leaves GET / to a plugin that takes it', async () => {
    const home: HttpPlugin = async (app) => {
      app.get('/', async () => ({ home: true }));
    };
    const base = await start({ httpPlugins: [home] });
    assert.deepEqual((await call(base, 'GET', '/')).json, { home: true });
  });
});
