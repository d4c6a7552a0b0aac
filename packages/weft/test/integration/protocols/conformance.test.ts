/**
 * The protocol conformance suite: one Flow serving grpc, http and websocket (one port each), and the same cases run
 * through each protocol's Client: every Document field round trip, parameters and `__results__`, target executor,
 * executor errors in-band, an unreachable executor, a timeout, dry run, status, pipelining, results in order,
 * generator inputs, and a Client that starts before its gateway. A second Flow (a gateway alone, in front of an
 * external executor on a dead port) supplies the unavailable executor.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resolveTransport } from '../../../src/client/index.js';
import {
  Client,
  DeadlineExceededError,
  Document,
  DocumentArray,
  type DocumentInit,
  ExecutorError,
  Flow,
  UnavailableError,
} from '../../../src/index.js';
import { DataRequest, decodeDataRequest, encodeDataRequest } from '../../../src/request/index.js';
import { protocolNames } from '../../../src/runtime/gateway/index.js';
import { freePort, freePorts } from '../../../src/testing/index.js';
import { openSocket } from '../../fixtures/raw-socket.js';
import { assertSameDocuments, everyField } from './fixtures/documents.js';
import { Conformance, SLOW_TIMEOUT_MS, Slow } from './fixtures/executors.js';

type Protocol = 'grpc' | 'http' | 'websocket';
const PROTOCOLS: readonly Protocol[] = ['grpc', 'http', 'websocket'];
const SCHEME: Record<Protocol, string> = { grpc: 'grpc', http: 'http', websocket: 'ws' };
/** Protocols that carry tensors as raw bytes (JSON ones turn them into number lists, dtype lost). */
const BINARY: ReadonlySet<Protocol> = new Set(['grpc', 'websocket']);

function hasTransport(protocol: string): boolean {
  try {
    resolveTransport(protocol, { host: '127.0.0.1', port: 1, tls: false });
    return true;
  } catch {
    return false;
  }
}
const available = PROTOCOLS.filter((p) => protocolNames().includes(p) && hasTransport(p));

let flow: Flow;
let deadFlow: Flow;
const clients: Client[] = [];
const late = new Map<Protocol, Promise<DocumentArray>>();

function client(f: Flow, protocol: Protocol): Client {
  const endpoint = f.endpoints.find((e) => e.protocol === protocol);
  assert.ok(endpoint, `the Flow serves ${protocol}`);
  const c = new Client({ host: endpoint.url, showProgress: false });
  clients.push(c);
  return c;
}

before(async () => {
  // clients that start before their gateway: they retry with back-off until it is up
  const ports = await freePorts(available.length, '127.0.0.1');
  available.forEach((protocol, i) => {
    const c = new Client({ host: `${SCHEME[protocol]}://127.0.0.1:${ports[i]}`, showProgress: false });
    clients.push(c);
    const post = c.post('/', [{ id: `late-${protocol}`, text: 'sent before the gateway started' }], {
      maxAttempts: 1000,
      initialBackoff: 50,
      maxBackoff: 500,
    });
    post.catch(() => undefined); // awaited by its test
    late.set(protocol, post);
  });
  flow = await new Flow({ protocol: [...available], port: ports })
    .add({ name: 'conf', uses: Conformance })
    .add({ name: 'slow', uses: Slow, timeoutSend: SLOW_TIMEOUT_MS })
    .start();
  const deadPort = await freePort('127.0.0.1');
  deadFlow = await new Flow({ protocol: [...available] })
    .add({ name: 'dead', external: true, host: '127.0.0.1', port: deadPort, retries: 0 })
    .start();
});

after(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled([flow?.close(), deadFlow?.close()]);
});

for (const protocol of PROTOCOLS) {
  const skip = available.includes(protocol) ? false : `the ${protocol} protocol or client transport is not registered`;
  describe(`conformance over ${protocol}`, { skip }, () => {
    let c: Client;
    let dead: Client;
    before(() => {
      c = client(flow, protocol);
      dead = client(deadFlow, protocol);
    });

    it('a client that starts before the gateway retries until it answers', async () => {
      const docs = await (late.get(protocol) as Promise<DocumentArray>);
      assert.deepEqual(docs.texts, ['sent before the gateway started']);
      assert.equal(docs.at(0)?.id, `late-${protocol}`);
    });

    it('round-trips every Document field through an executor', async () => {
      const sent = everyField();
      const got = await c.post('/', sent);
      assertSameDocuments(got, sent, BINARY.has(protocol));
    });

    it('sends parameters and returns them with __results__', async () => {
      const parameters = { limit: 3, nested: { list: [1, 'x', true, null] }, conf__only: 'mine' };
      const answers = [];
      for await (const res of c.stream('/params', [{ id: 'p1' }], { parameters })) answers.push(res);
      assert.equal(answers.length, 1);
      const res = answers[0] as (typeof answers)[0];
      const { __results__: results, ...echoed } = res.parameters;
      assert.deepEqual(echoed, parameters);
      const entries = Object.entries(results as Record<string, { received: Record<string, unknown> }>);
      assert.equal(entries.length, 1);
      const [runtime, result] = entries[0] as [string, { received: Record<string, unknown> }];
      assert.match(runtime, /^conf/);
      // executor-specific keys reach their executor with the prefix removed
      assert.equal(result.received.limit, 3);
      assert.equal(result.received.only, 'mine');
      assert.deepEqual(res.header.execEndpoint, '/params');
    });

    it('only the target executor processes a targeted request', async () => {
      const all = await c.post('/visit', [{ id: 'v1' }]);
      assert.deepEqual(all.at(0)?.tags.visited, ['conf', 'slow']);
      const targeted = await c.post('/visit', [{ id: 'v2' }], { targetExecutor: 'slow' });
      assert.deepEqual(targeted.at(0)?.tags.visited, ['slow']);
    });

    it('rejects with the remote executor error, or returns the rest with continueOnError', async () => {
      const docs = [{ id: 'ok1' }, { id: 'bad', tags: { fail: true } }, { id: 'ok2' }];
      await assert.rejects(c.post('/fail', docs, { requestSize: 1 }), (err: unknown) => {
        assert.ok(err instanceof ExecutorError, String(err));
        assert.equal(err.remoteName, 'RangeError');
        assert.match(err.message, /cannot process document bad/);
        assert.match(err.executor, /^conf/);
        return true;
      });
      const rest = await c.post('/fail', docs, { requestSize: 1, continueOnError: true, resultsInOrder: true });
      assert.deepEqual(
        rest.map((d) => d.id),
        ['ok1', 'ok2'],
      );
      const seen = { done: 0, error: 0, always: 0 };
      await c.post('/fail', docs, {
        requestSize: 1,
        onDone: () => seen.done++,
        onError: (res) => {
          seen.error++;
          assert.equal(res.status?.exception?.name, 'RangeError');
        },
        onAlways: () => seen.always++,
      });
      assert.deepEqual(seen, { done: 2, error: 1, always: 3 });
    });

    it('rejects with UnavailableError naming an executor that cannot be reached', async () => {
      await assert.rejects(dead.post('/', [{ id: 'u1' }]), (err: unknown) => {
        assert.ok(err instanceof UnavailableError, String(err));
        assert.match(err.message, /dead/);
        return true;
      });
    });

    it('rejects with DeadlineExceededError when an executor runs over timeoutSend', async () => {
      await assert.rejects(c.post('/slow', [{ id: 's1' }]), (err: unknown) => {
        assert.ok(err instanceof DeadlineExceededError, String(err));
        assert.match(err.message, /slow/);
        return true;
      });
    });

    it("rejects with DeadlineExceededError when a request runs over the post's timeout", async () => {
      await assert.rejects(c.post('/slow', [{ id: 's2' }], { timeout: SLOW_TIMEOUT_MS / 5 }), (err: unknown) => {
        assert.ok(err instanceof DeadlineExceededError, String(err));
        assert.match(err.message, /no answer to request \w+ within \d+ ms/);
        return true;
      });
      // the abandoned call does not disturb the next one
      assert.equal((await c.post('/', [{ id: 'after-timeout' }])).at(0)?.id, 'after-timeout');
    });

    it('dry run succeeds through live executors and fails naming a dead one', async () => {
      assert.equal(await c.isFlowReady(), true);
      assert.deepEqual(await c.dryRun(), { code: 0, description: '' });
      const bad = await dead.dryRun();
      assert.equal(bad.code, 1);
      assert.match(bad.description, /dead/);
    });

    it('reports the gateway status', async () => {
      const info = await c.status();
      assert.equal(info.jina.runtime, 'gateway');
      assert.ok(info.jina.weft, 'the weft version');
      assert.equal(typeof info.envs, 'object');
    });

    it('pipelines many requests and answers each once', async () => {
      const ids = new Set<string>();
      let docs = 0;
      for await (const res of c.stream('/', DocumentArray.empty(200), { requestSize: 10 })) {
        ids.add(res.header.requestId);
        docs += res.docs.length;
      }
      assert.equal(ids.size, 20);
      assert.equal(docs, 200);
    });

    it('returns results in input order with resultsInOrder, even when answers complete out of order', async () => {
      // 'first' is held at the executor until 'fourth' (read from the generator last) was processed: the other
      // requests must overtake it. With two in flight (HTTP, WebSocket), 'second' and 'third' are answered, one at
      // a time, while 'first' waits, so their answers reach the client before its answer.
      const gate = `gate-${protocol}`;
      async function* inputs(): AsyncGenerator<DocumentInit> {
        yield { id: 'first', tags: { gate, role: 'hold' } };
        yield { id: 'second', tags: { gate } };
        yield { id: 'third', tags: { gate } };
        yield { id: 'fourth', tags: { gate, role: 'release' } };
      }
      const docs = await c.post('/order', inputs(), { requestSize: 1, resultsInOrder: true, prefetch: 2 });
      assert.deepEqual(
        docs.map((d) => d.id),
        ['first', 'second', 'third', 'fourth'],
      );
      assert.ok(docs.toArray().every((d) => d.tags.handled === true));
      const [first, , , fourth] = docs.toArray() as Document[];
      assert.equal(first?.tags.releasedBy, 'gate', 'the later requests overtook the first one');
      assert.ok(Number(first?.tags.completed) > Number(fourth?.tags.completed), 'first finished after fourth');
      // gRPC sends the whole input at once; HTTP and WebSocket keep to `prefetch`, so every other one finished first
      if (protocol !== 'grpc') assert.equal(first?.tags.completed, 3);
    });

    it('takes sync and async generators as inputs', async () => {
      function* sync(): Generator<Document> {
        for (let i = 0; i < 7; i++) yield new Document({ id: `s${i}`, text: `sync ${i}` });
      }
      async function* asyncInputs(): AsyncGenerator<{ id: string; text: string }> {
        for (let i = 0; i < 5; i++) {
          await Promise.resolve();
          yield { id: `a${i}`, text: `async ${i}` };
        }
      }
      const a = await c.post('/', sync(), { requestSize: 3, resultsInOrder: true });
      assert.deepEqual(
        a.map((d) => d.id),
        ['s0', 's1', 's2', 's3', 's4', 's5', 's6'],
      );
      const b = await c.post('/', asyncInputs(), { requestSize: 2, resultsInOrder: true });
      assert.deepEqual(b.texts, ['async 0', 'async 1', 'async 2', 'async 3', 'async 4']);
    });

    it('profiles a round trip per hop', async () => {
      const p = await c.profiling('/', [{ text: 'profile me' }]);
      assert.ok(p.roundtrip !== undefined && p.roundtrip > 0);
      assert.ok(p.gateway !== undefined && p.gateway >= 0);
      assert.ok(p.conf !== undefined && p.conf >= 0);
    });
  });
}

describe('websocket subprotocols through the Flow', { skip: !available.includes('websocket') }, () => {
  const wsPort = (): number => (flow.endpoints.find((e) => e.protocol === 'websocket') as { port: number }).port;

  it('bytes: DataRequestProtos in and out, a 0x00 byte ends', async () => {
    const s = await openSocket(wsPort(), '/', ['bytes']);
    const sent = everyField();
    const req = new DataRequest({ header: { requestId: 'raw-1', execEndpoint: '/' }, docs: new DocumentArray(sent) });
    s.ws.send(encodeDataRequest(req));
    s.ws.send(Buffer.from([0]));
    assert.equal((await s.closed).code, 1000);
    assert.equal(s.messages.length, 1);
    const res = decodeDataRequest(s.messages[0] as Buffer);
    assert.equal(res.header.requestId, 'raw-1');
    assert.deepEqual(
      res.routes.map((r) => r.executor),
      ['gateway', 'conf'],
    );
    assertSameDocuments(res.docs, sent, true);
  });

  it('json: a /post body in, DataRequest.to_dict() out, {} ends', async () => {
    const s = await openSocket(wsPort(), '/', ['json']);
    s.ws.send(JSON.stringify({ data: [{ text: 'hi' }], exec_endpoint: '/visit', header: { request_id: 'j1' } }));
    s.ws.send('{}');
    assert.equal((await s.closed).code, 1000);
    const body = JSON.parse(s.messages[0] as string);
    assert.equal(body.header.request_id, 'j1');
    assert.equal(body.header.exec_endpoint, '/visit');
    assert.deepEqual(
      body.routes.map((r: { executor: string }) => r.executor),
      ['gateway', 'conf', 'slow'],
    );
    assert.deepEqual(body.data[0].tags, { visited: ['conf', 'slow'] });
  });
});
