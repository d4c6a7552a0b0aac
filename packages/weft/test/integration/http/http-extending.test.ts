// A Flow from YAML with a gateway interceptor, an executor interceptor, an HTTP plugin and a static folder, all
// named by module specifier and loaded in the gateway and worker processes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Flow } from '../../../src/index.js';
import { call } from './helpers.js';

let flow: Flow;
let base: string;

before(async () => {
  flow = await Flow.load(fileURLToPath(new URL('./fixtures/extending/flow.yml', import.meta.url))).start();
  base = `http://127.0.0.1:${flow.port}`;
});
after(() => flow?.close());

describe('Flow YAML: interceptors, http_plugins, static_folder', () => {
  it('refuses a request the gateway interceptor refuses, with its error', async () => {
    const r = await call(base, 'POST', '/post', { data: [{ text: 'a' }] });
    assert.equal(r.status, 400);
    assert.match(r.text, /x-token missing or wrong/);
  });

  it('runs both interceptors around an accepted request', async () => {
    const r = await call(base, 'POST', '/foo', { data: [{ text: 'a' }] }, { 'x-token': 'let-me-in' });
    assert.equal(r.status, 200);
    const doc = (r.json as { data: { id: string; text: string; tags: Record<string, unknown> }[] }).data[0];
    assert.deepEqual(doc, { id: doc?.id, text: 'foo:a', tags: { by: 'echo/rep-0', seenBy: 'gateway over http' } });
  });

  it('serves the plugin route (through the Flow) and the static page at /', async () => {
    const api = await call(base, 'GET', '/api/echo?q=hello');
    assert.equal(api.status, 200);
    assert.deepEqual(api.json, [{ text: 'foo:hello', tags: { by: 'echo/rep-0', seenBy: 'gateway over in-process' } }]);
    const page = await call(base, 'GET', '/');
    assert.match(page.text, /flow page/);
  });
});
