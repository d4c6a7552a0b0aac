// `_status` (and the gateway's HTTP `GET /status`) on every runtime kind, each in its own process: a worker and a
// head (a sharded Deployment) and a gateway (a Flow over grpc and http). Every one reports the package's real
// version and never the value of an environment variable that looks like a secret.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Client, type EndpointArgs, Executor, Flow, requests } from '../../../src/index.js';
import { RuntimeClient } from '../../../src/networking/index.js';
import { Deployment } from '../../../src/orchestrate/index.js';
import type { JinaInfo } from '../../../src/request/index.js';

const SECRET = 's3cr3t';
const ENV = { WEFT_API_TOKEN: SECRET, WEFT_DB_PASSWORD: SECRET, JINA_AUTH: SECRET, WEFT_PLAIN: 'shown' };
const VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Exported: the runtime processes import this module to get it. */
export class StatusEcho extends Executor {
  @requests()
  echo(_: EndpointArgs): void {}
}

function assertSafe(info: JinaInfo, who: string): void {
  assert.ok(!JSON.stringify(info).includes(SECRET), `${who} leaked a secret: ${JSON.stringify(info.envs)}`);
  assert.equal(info.jina.weft, VERSION, `${who} reports the package's version`);
  assert.equal(info.envs.WEFT_API_TOKEN, '(set)', who);
  assert.equal(info.envs.WEFT_DB_PASSWORD, '(set)', who);
  assert.equal(info.envs.JINA_AUTH, '(set)', who);
  assert.equal(info.envs.WEFT_PLAIN, 'shown', `${who} still reports the other variables`);
}

describe('_status of a worker and a head (a sharded Deployment)', () => {
  const dep = new Deployment({ uses: StatusEcho, name: 'status', shards: 2, env: ENV });
  const clients: RuntimeClient[] = [];
  before(() => dep.start());
  after(async () => {
    for (const c of clients) c.close();
    await dep.close();
  });

  it('masks secrets and reports the version, on the head and on every worker', async () => {
    const roles = dep.runtimes.map((r) => r.role).sort();
    assert.deepEqual(roles, ['head', 'worker', 'worker']);
    for (const runtime of dep.runtimes) {
      const client = new RuntimeClient(runtime.address, { name: runtime.name, transport: 'grpc' });
      clients.push(client);
      const info = await client.status();
      assert.equal(info.jina['runtime-name'], runtime.name);
      assertSafe(info, `${runtime.role} ${runtime.name}`);
    }
  });
});

describe('_status and GET /status of a gateway (a Flow)', () => {
  let flow: Flow;
  before(async () => {
    flow = await new Flow({ protocol: ['grpc', 'http'], env: ENV }).add({ uses: StatusEcho, name: 'echo' }).start();
  });
  after(() => flow?.close());

  it('over gRPC _status', async () => {
    const grpc = flow.endpoints.find((e) => e.protocol === 'grpc');
    const client = new Client({ host: '127.0.0.1', port: grpc?.port as number, protocol: 'grpc' });
    try {
      const info = await client.status();
      assert.equal(info.jina.runtime, 'gateway');
      assertSafe(info, 'gateway over grpc');
    } finally {
      await client.close();
    }
  });

  it('over HTTP GET /status', async () => {
    const http = flow.endpoints.find((e) => e.protocol === 'http');
    const res = await fetch(`http://127.0.0.1:${http?.port}/status`);
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.ok(!body.includes(SECRET), `GET /status leaked a secret: ${body}`);
    assertSafe(JSON.parse(body) as JinaInfo, 'gateway over http');
  });
});
