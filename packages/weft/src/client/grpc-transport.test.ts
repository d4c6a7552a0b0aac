import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeadlineExceededError } from '../errors/index.js';
import { type ServiceOutcome, serviceErrorFrom } from '../networking/index.js';
import { decodeDataRequest, encodeDataRequest, encodeEndpoints } from '../request/index.js';
import { RuntimeServer } from '../runtime/server/index.js';
import { Client } from './index.js';

/**
 * A gateway stand-in that reads at most 2 messages of a stream at a time and fails every one after a moment, as a
 * gateway does when an executor runs over its `timeout_send`: the client's sender is then waiting for the stream to
 * drain while the stream is already over.
 */
function timingOutGateway() {
  let seen = 0;
  const server = new RuntimeServer(
    { kind: 'gateway', name: 'gw', host: '127.0.0.1', prefetch: 2, log: () => undefined },
    {
      processSingleData: async (): Promise<ServiceOutcome> => {
        seen++;
        await new Promise((r) => setTimeout(r, 20));
        const err = new DeadlineExceededError("executor 'slow' did not answer within 10 ms (timeout_send)");
        return { error: serviceErrorFrom(err, 'gateway gw') };
      },
      endpointDiscovery: async () => ({ bytes: encodeEndpoints({ endpoints: ['/x'], writeEndpoints: [] }) }),
    },
  );
  return { server, seen: () => seen };
}

/** A gateway stand-in that answers every request after a moment and counts how many it held at once. */
function countingGateway() {
  let running = 0;
  let most = 0;
  const server = new RuntimeServer(
    { kind: 'gateway', name: 'gw', host: '127.0.0.1', log: () => undefined },
    {
      processSingleData: async (bytes): Promise<ServiceOutcome> => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return { bytes: encodeDataRequest(decodeDataRequest(bytes)) };
      },
      endpointDiscovery: async () => ({ bytes: encodeEndpoints({ endpoints: ['/x'], writeEndpoints: [] }) }),
    },
  );
  return {
    server,
    most: () => most,
    reset: () => {
      most = 0;
    },
  };
}

describe('GrpcTransport prefetch', () => {
  const gw = countingGateway();
  let client: Client;

  before(async () => {
    const port = await gw.server.start();
    client = new Client({ host: `grpc://127.0.0.1:${port}`, showProgress: false });
  });

  after(async () => {
    await client.close();
    await gw.server.stop(1000);
  });

  it('keeps at most prefetch requests unanswered, and sends them all', async () => {
    const docs = Array.from({ length: 40 }, (_, i) => ({ text: `d${i}` }));
    const answered = await client.post('/x', docs, { requestSize: 1, prefetch: 3 });
    assert.equal(answered.length, 40);
    assert.ok(gw.most() <= 3, `the gateway held ${gw.most()} requests at once`);
  });

  it('sends as fast as the gateway reads without prefetch', async () => {
    gw.reset();
    const docs = Array.from({ length: 40 }, (_, i) => ({ text: `d${i}` }));
    assert.equal((await client.post('/x', docs, { requestSize: 1 })).length, 40);
    assert.ok(gw.most() > 3, `the gateway held ${gw.most()} requests at once`);
  });
});

describe('GrpcTransport without a prefetch', () => {
  // a gateway that holds every request until told to answer
  const held: (() => void)[] = [];
  const server = new RuntimeServer(
    { kind: 'gateway', name: 'gw', host: '127.0.0.1', log: () => undefined },
    {
      processSingleData: (bytes) =>
        new Promise<ServiceOutcome>((resolve) =>
          held.push(() => resolve({ bytes: encodeDataRequest(decodeDataRequest(bytes)) })),
        ),
      endpointDiscovery: async () => ({ bytes: encodeEndpoints({ endpoints: ['/x'], writeEndpoints: [] }) }),
    },
  );
  let client: Client;

  before(async () => {
    client = new Client({ host: `grpc://127.0.0.1:${await server.start()}`, showProgress: false });
  });

  after(async () => {
    await client.close();
    await server.stop(1000);
  });

  it('lets the event loop run while an endless input waits for answers', { timeout: 30_000 }, async () => {
    let more = true;
    let produced = 0;
    const inputs = async function* () {
      while (more) {
        produced++;
        yield { text: 'x' };
      }
    };
    const post = client.post('/x', inputs(), { requestSize: 1 });
    // a timer fires only if the sender leaves the event loop alone once the default window (1000) is full
    await new Promise((r) => setTimeout(r, 50));
    more = false;
    while (held.length > 0) for (const answer of held.splice(0)) answer();
    const timer = setInterval(() => {
      for (const answer of held.splice(0)) answer();
    }, 10);
    try {
      await post;
    } finally {
      clearInterval(timer);
    }
    assert.ok(produced <= 1002, `${produced} inputs read before any answer`);
  });
});

describe('GrpcTransport', () => {
  const gw = timingOutGateway();
  let client: Client;

  before(async () => {
    const port = await gw.server.start();
    client = new Client({ host: `grpc://127.0.0.1:${port}`, showProgress: false });
  });

  after(async () => {
    await client.close();
    await gw.server.stop(1000);
  });

  it('ends a post whose stream the gateway failed while the sender waited for it to drain', {
    timeout: 20_000,
  }, async () => {
    let produced = 0;
    // endless inputs, each large enough that the stream's buffers fill while the gateway reads no more
    const inputs = async function* () {
      for (;;) {
        produced++;
        yield { text: 'x'.repeat(64 * 1024) };
      }
    };
    await assert.rejects(client.post('/x', inputs(), { requestSize: 1 }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'WEFT_TIMEOUT', err.message);
      assert.match(err.message, /executor 'slow'/);
      return true;
    });
    // the sender stopped reading the inputs once the stream was over
    const after = produced;
    await new Promise((r) => setImmediate(r));
    assert.equal(produced, after);
    assert.ok(gw.seen() >= 1);
  });
});
