import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, type ClientDuplexStream, credentials, type StatusObject, status } from '@grpc/grpc-js';
import { TooManyRequestsError, UnavailableError } from '../../errors/index.js';
import { IS_ERROR_TRAILERS, type ServiceOutcome, serviceErrorFrom } from '../../networking/index.js';
import { DataRequest, decodeDataRequest, encodeDataRequest, encodeEndpoints } from '../../request/index.js';
import { RuntimeServer } from './runtime-server.js';

/** A deferred: `promise` settles when the test says so. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * A runtime whose calls do what the request's endpoint says: `/ok` answers, `/inband` answers with an in-band
 * error, `/fail` fails outright (an unreachable executor), `/hold-<n>` answers once `release(n)` is called.
 */
function scriptedRuntime(options: { prefetch?: number } = {}) {
  const held = new Map<string, ReturnType<typeof deferred>>();
  const processed: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const hold = (key: string) => {
    let d = held.get(key);
    if (!d) held.set(key, (d = deferred()));
    return d;
  };
  const server = new RuntimeServer(
    { kind: 'worker', name: 'scripted', host: '127.0.0.1', log: () => undefined, ...options },
    {
      processSingleData: async (bytes): Promise<ServiceOutcome> => {
        const req = decodeDataRequest(bytes);
        const endpoint = req.header.execEndpoint ?? '';
        processed.push(req.header.requestId);
        running++;
        maxRunning = Math.max(maxRunning, running);
        try {
          if (endpoint.startsWith('/hold-')) await hold(endpoint.slice(6)).promise;
          if (endpoint === '/fail') {
            return { error: serviceErrorFrom(new UnavailableError("executor 'x' is unreachable"), 'worker scripted') };
          }
          if (endpoint === '/inband') {
            req.header.status = { code: 1, description: 'raised' };
            return { bytes: encodeDataRequest(req), trailers: IS_ERROR_TRAILERS };
          }
          return { bytes: encodeDataRequest(req) };
        } finally {
          running--;
        }
      },
      endpointDiscovery: async () => ({ bytes: encodeEndpoints({ endpoints: [], writeEndpoints: [] }) }),
    },
  );
  return {
    server,
    processed,
    maxRunning: () => maxRunning,
    release: (key: string) => hold(key).resolve(),
  };
}

interface Outcome {
  answers: DataRequest[];
  status: StatusObject;
}

function open(client: Client): { stream: ClientDuplexStream<DataRequest, DataRequest>; done: Promise<Outcome> } {
  const stream = client.makeBidiStreamRequest(
    '/jina.JinaRPC/Call',
    (r: DataRequest) => Buffer.from(encodeDataRequest(r)),
    decodeDataRequest,
  );
  const answers: DataRequest[] = [];
  stream.on('data', (r: DataRequest) => answers.push(r));
  stream.on('error', () => undefined);
  const done = new Promise<Outcome>((resolve) =>
    stream.on('status', (s: StatusObject) => resolve({ answers, status: s })),
  );
  return { stream, done };
}

const req = (id: string, endpoint: string) => new DataRequest({ header: { requestId: id, execEndpoint: endpoint } });

describe('serveCallStream: the rule for a stream and a failing call in it', () => {
  const rt = scriptedRuntime();
  let client: Client;

  before(async () => {
    await rt.server.start();
    client = new Client(rt.server.address, credentials.createInsecure());
  });
  after(async () => {
    client.close();
    await rt.server.stop(1000);
  });

  it('writes in-band errors as answers, goes on, and ends OK with the is-error trailer', async () => {
    const { stream, done } = open(client);
    stream.write(req('a1', '/ok'));
    stream.write(req('a2', '/inband'));
    stream.write(req('a3', '/ok'));
    stream.end();
    const { answers, status: s } = await done;
    assert.deepEqual(answers.map((a) => a.header.requestId).sort(), ['a1', 'a2', 'a3']);
    assert.equal(answers.find((a) => a.header.requestId === 'a2')?.header.status?.code, 1);
    assert.equal(s.code, status.OK);
    assert.deepEqual(s.metadata.get('is-error'), ['true']);
  });

  it('a clean stream ends OK without the is-error trailer', async () => {
    const { stream, done } = open(client);
    stream.write(req('c1', '/ok'));
    stream.end();
    const { answers, status: s } = await done;
    assert.equal(answers.length, 1);
    assert.equal(s.code, status.OK);
    assert.deepEqual(s.metadata.get('is-error'), []);
  });

  it('a failing call ends the stream with its status after the answers under way; later messages are not processed', async () => {
    const { stream, done } = open(client);
    stream.write(req('f1', '/hold-f'));
    stream.write(req('f2', '/fail'));
    // wait until the failure is in, then send more: they must not be processed
    while (!rt.processed.includes('f2')) await new Promise((r) => setImmediate(r));
    stream.write(req('f3', '/ok'));
    rt.release('f');
    const { answers, status: s } = await done;
    assert.deepEqual(
      answers.map((a) => a.header.requestId),
      ['f1'],
      'the answer under way is written',
    );
    assert.equal(s.code, status.UNAVAILABLE);
    assert.match(s.details, /executor 'x' is unreachable/);
    assert.deepEqual(s.metadata.get('weft-error-code'), ['WEFT_UNAVAILABLE']);
    assert.equal(rt.processed.includes('f3'), false);
    stream.end();
  });
});

describe('serveCallStream: prefetch and shutdown', () => {
  it('handles at most `prefetch` messages of a stream at once', async () => {
    const rt = scriptedRuntime({ prefetch: 2 });
    await rt.server.start();
    const client = new Client(rt.server.address, credentials.createInsecure());
    try {
      const { stream, done } = open(client);
      for (let i = 0; i < 6; i++) stream.write(req(`p${i}`, `/hold-${i}`));
      stream.end();
      while (rt.processed.length < 2) await new Promise((r) => setImmediate(r));
      for (let i = 0; i < 6; i++) {
        // release in order; the next message is read only once one of the two under way is done
        while (!rt.processed.includes(`p${i}`)) await new Promise((r) => setImmediate(r));
        rt.release(String(i));
      }
      const { answers, status: s } = await done;
      assert.equal(answers.length, 6);
      assert.equal(s.code, status.OK);
      assert.equal(rt.maxRunning(), 2);
    } finally {
      client.close();
      await rt.server.stop(1000);
    }
  });

  it('at shutdown ends a stream whose client finished sending with OK, an open one with UNAVAILABLE', async () => {
    const rt = scriptedRuntime();
    await rt.server.start();
    const client = new Client(rt.server.address, credentials.createInsecure());
    try {
      const finished = open(client);
      finished.stream.write(req('s1', '/hold-s'));
      finished.stream.end();
      const still = open(client);
      still.stream.write(req('s2', '/ok'));
      while (!rt.processed.includes('s1') || !rt.processed.includes('s2')) {
        await new Promise((r) => setImmediate(r));
      }
      const stopped = rt.server.stop(5000);
      rt.release('s');
      const [a, b] = await Promise.all([finished.done, still.done]);
      await stopped;
      assert.deepEqual([a.answers.length, a.status.code], [1, status.OK]);
      assert.deepEqual([b.answers.length, b.status.code], [1, status.UNAVAILABLE]);
      assert.match(b.status.details, /worker scripted: shutting down/);
    } finally {
      client.close();
    }
  });
});

describe('serveCallStream: back-pressure refusals (rule 6)', () => {
  // a gateway whose connection budget is 2 calls: more are refused as its limits interceptor refuses them
  let running = 0;
  const server = new RuntimeServer(
    { kind: 'gateway', name: 'limited', host: '127.0.0.1', log: () => undefined },
    {
      processSingleData: async (bytes): Promise<ServiceOutcome> => {
        if (running >= 2) {
          const err = new TooManyRequestsError('this connection has 2 requests in flight, its limit');
          return { error: serviceErrorFrom(err, 'gateway limited') };
        }
        running++;
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return { bytes: encodeDataRequest(decodeDataRequest(bytes)) };
      },
      endpointDiscovery: async () => ({ bytes: encodeEndpoints({ endpoints: [], writeEndpoints: [] }) }),
    },
  );
  let client: Client;

  before(async () => {
    await server.start();
    client = new Client(server.address, credentials.createInsecure());
  });
  after(async () => {
    client.close();
    await server.stop(1000);
  });

  it('holds a message refused for back-pressure until a call of its stream completes, instead of failing the stream', async () => {
    const { stream, done } = open(client);
    for (let i = 0; i < 8; i++) stream.write(req(`b${i}`, '/x'));
    stream.end();
    const { answers, status: s } = await done;
    assert.equal(s.code, status.OK, s.details);
    assert.deepEqual(
      answers.map((a) => a.header.requestId).sort(),
      Array.from({ length: 8 }, (_, i) => `b${i}`),
    );
  });
});
