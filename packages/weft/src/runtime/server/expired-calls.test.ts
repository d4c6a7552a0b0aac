import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RuntimeClient, type ServiceOutcome } from '../../networking/index.js';
import { DataRequest, encodeDataRequest, encodeEndpoints } from '../../request/index.js';
import { RuntimeServer } from './runtime-server.js';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * A runtime whose executor blocks its thread for 100 ms per request (a synchronous model call): requests that
 * arrive together wait behind each other, and those whose caller gave up meanwhile must not be run.
 */
describe('RuntimeServer and callers that gave up', () => {
  let processed = 0;
  const server = new RuntimeServer(
    { kind: 'worker', name: 'busy/rep-0', host: '127.0.0.1', nativePort: 0, log: () => undefined },
    {
      processSingleData: (bytes): Promise<ServiceOutcome> => {
        processed++;
        Atomics.wait(sleeper, 0, 0, 100);
        return Promise.resolve({ bytes });
      },
      endpointDiscovery: async () => ({ bytes: encodeEndpoints({ endpoints: ['/x'], writeEndpoints: [] }) }),
    },
  );
  let client: RuntimeClient;

  before(async () => {
    await server.start();
    client = new RuntimeClient(server.address, { name: 'busy/rep-0' });
    assert.equal(await client.connect({ timeoutMs: 5000 }), 'native');
  });

  after(async () => {
    client.close();
    await server.stop(1000);
  });

  it('answers DEADLINE_EXCEEDED without processing a request whose deadline passed before its turn', async () => {
    // sent in one tick: one write, one chunk at the runtime, dispatched one after the other
    const calls = Array.from({ length: 4 }, () =>
      client.processSingleData(new DataRequest({ header: { execEndpoint: '/x' } }), { timeoutMs: 50 }).then(
        () => 'answered',
        (err: { code?: string }) => err.code,
      ),
    );
    const outcomes = await Promise.all(calls);
    assert.deepEqual(outcomes, ['WEFT_TIMEOUT', 'WEFT_TIMEOUT', 'WEFT_TIMEOUT', 'WEFT_TIMEOUT']);
    assert.equal(processed, 1, 'only the request dispatched before its deadline ran');
    // one with time to spare is still served
    const ok = await client.processSingleData(new DataRequest({ header: { execEndpoint: '/x' } }), {
      timeoutMs: 5000,
    });
    assert.equal(ok.header.execEndpoint, '/x');
    assert.equal(processed, 2);
    assert.ok(encodeDataRequest(ok).length > 0);
  });
});
