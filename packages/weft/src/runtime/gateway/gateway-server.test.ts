import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { echo, type FakeRuntime, startFakeRuntime } from '../../../test/fixtures/fake-runtime.js';
import { parseGatewayConfig } from './gateway-config.js';
import { GatewayServer } from './gateway-server.js';

describe('GatewayServer start-up', () => {
  let executor: FakeRuntime;
  let server: GatewayServer;

  before(async () => {
    executor = await startFakeRuntime('enc/rep-0', echo('enc'), { endpoints: ['/encode'] });
    server = new GatewayServer(
      parseGatewayConfig({
        name: 'gw',
        host: '127.0.0.1',
        graph: { 'start-gateway': ['enc'], enc: ['end-gateway'] },
        addresses: { enc: [executor.address] },
        protocols: [{ protocol: 'grpc', port: 0 }],
      }),
    );
    await server.start();
  });

  after(async () => {
    await server.stop(0);
    await executor.stop();
  });

  it("asks every executor's endpoints at start-up, before any request, while they are idle", {
    timeout: 10_000,
  }, async () => {
    // an executor first asked once it is saturated may not answer in time, and would then be sent every endpoint
    while (executor.discoveries === 0) await new Promise((r) => setTimeout(r, 10));
    assert.equal(executor.received.length, 0);
    assert.deepEqual(await server.gateway.endpoints(), ['/encode']);
    assert.equal(executor.discoveries, 1, 'the answer was kept');
  });
});
