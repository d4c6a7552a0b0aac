import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Metadata, status } from '@grpc/grpc-js';
import { Document } from '../../document/index.js';
import { StatusCode, WeftError } from '../../errors/index.js';
import { type EndpointArgs, Executor, requests, type StreamArgs } from '../../executor/index.js';
import { RuntimeClient } from '../../networking/index.js';
import type { SingleDocumentRequest } from '../../request/index.js';
import { type InProcessWorker, startWorkerInProcess } from './in-process.js';
import { WORKER_SERVICE_NAMES } from './worker-server.js';

/** Resolves once the generator of document `id` has finished (its `finally` ran). */
const finished = new Map<string, { promise: Promise<number>; resolve: (yielded: number) => void }>();
function finishedOf(id: string) {
  let entry = finished.get(id);
  if (!entry) {
    let resolve!: (n: number) => void;
    const promise = new Promise<number>((r) => {
      resolve = r;
    });
    entry = { promise, resolve };
    finished.set(id, entry);
  }
  return entry;
}

class Streamer extends Executor {
  @requests({ on: '/count' })
  async *count({ doc, parameters }: StreamArgs): AsyncGenerator<Document> {
    const n = Number(parameters.n ?? 3);
    for (let i = 0; i < n; i++) yield new Document({ id: `${doc.id}-${i}`, text: `${doc.text} ${i}` });
  }

  @requests({ on: '/forever' })
  async *forever({ doc }: StreamArgs): AsyncGenerator<Document> {
    let i = 0;
    try {
      for (;;) {
        yield new Document({ text: String(i++) });
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      finishedOf(doc.id).resolve(i);
    }
  }

  @requests({ on: '/fail' })
  async *fail(): AsyncGenerator<Document> {
    yield new Document({ text: 'before' });
    throw new RangeError('the generator broke');
  }

  @requests({ on: '/plain' })
  plain({ docs }: EndpointArgs): void {
    for (const d of docs) d.text = `plain ${d.text}`;
  }
}

function request(endpoint: string, doc: Document, parameters = {}): SingleDocumentRequest {
  return {
    header: { requestId: `r-${doc.id}`, execEndpoint: endpoint },
    parameters,
    routes: [{ executor: 'gateway' }],
    document: doc,
  };
}

async function collect(it: AsyncIterable<SingleDocumentRequest>): Promise<SingleDocumentRequest[]> {
  const out: SingleDocumentRequest[] = [];
  for await (const a of it) out.push(a);
  return out;
}

describe('worker stream_doc', () => {
  let w: InProcessWorker;
  let client: RuntimeClient;
  before(async () => {
    w = await startWorkerInProcess({ uses: Streamer, name: 'streamer/rep-0', log: () => undefined });
    client = new RuntimeClient(w.address, { transport: 'grpc' });
  });
  after(async () => {
    client?.close();
    await w?.stop({ graceMs: 5000 });
  });

  it('answers one message per yielded document, echoing header and parameters, with its route', async () => {
    const answers = await collect(
      client.streamDoc(request('/count', new Document({ id: 'c', text: 'n' }), { n: 2, other: 'x' })),
    );
    assert.deepEqual(
      answers.map((a) => [a.document?.id, a.document?.text]),
      [
        ['c-0', 'n 0'],
        ['c-1', 'n 1'],
      ],
    );
    for (const a of answers) {
      assert.equal(a.header.requestId, 'r-c');
      assert.equal(a.header.execEndpoint, '/count');
      assert.equal(a.header.status, undefined);
      assert.deepEqual(a.parameters, { n: 2, other: 'x' });
      assert.deepEqual(
        a.routes.map((r) => r.executor),
        ['gateway', 'streamer'],
      );
      assert.ok(a.routes[1]?.startTime && a.routes[1]?.endTime);
    }
  });

  it('an ordinary endpoint answers its result documents; an unknown one passes the document through', async () => {
    const plain = await collect(client.streamDoc(request('/plain', new Document({ id: 'p', text: 'x' }))));
    assert.deepEqual(
      plain.map((a) => a.document?.text),
      ['plain x'],
    );
    const through = await collect(client.streamDoc(request('/nope', new Document({ id: 'u', text: 'as is' }))));
    assert.deepEqual(
      through.map((a) => [a.document?.id, a.document?.text]),
      [['u', 'as is']],
    );
  });

  it('an exception is the last answer, in-band, with the is-error trailer', async () => {
    let trailers: Metadata | undefined;
    const answers = await collect(
      client.streamDoc(request('/fail', new Document({ id: 'f' })), {
        onTrailers: (t) => {
          trailers = t;
        },
      }),
    );
    assert.equal(answers.length, 2);
    assert.equal(answers[0]?.document?.text, 'before');
    const last = answers[1] as SingleDocumentRequest;
    assert.equal(last.document, undefined);
    assert.equal(last.header.status?.code, StatusCode.ERROR);
    assert.equal(last.header.status?.exception?.name, 'RangeError');
    assert.equal(last.header.status?.exception?.executor, 'streamer/rep-0');
    assert.match(last.header.status?.description ?? '', /the generator broke/);
    assert.equal(last.routes.at(-1)?.status?.code, StatusCode.ERROR);
    assert.deepEqual(trailers?.get('is-error'), ['true']);
  });

  it('a client that stops reading cancels the call and stops the generator', async () => {
    let seen = 0;
    for await (const a of client.streamDoc(request('/forever', new Document({ id: 'stop-me' })))) {
      assert.equal(a.document?.text, String(seen));
      if (++seen === 5) break;
    }
    const yielded = await finishedOf('stop-me').promise;
    assert.ok(yielded >= 5, `the generator yielded ${yielded} documents`);
  });

  it('aborting the signal ends the iteration quietly and stops the generator', async () => {
    const abort = new AbortController();
    const got: string[] = [];
    for await (const a of client.streamDoc(request('/forever', new Document({ id: 'abort-me' })), {
      signal: abort.signal,
    })) {
      got.push(String(a.document?.text));
      if (got.length === 2) abort.abort();
    }
    assert.ok(got.length >= 2);
    await finishedOf('abort-me').promise;
  });

  it('a request without a document is INVALID_ARGUMENT', async () => {
    await assert.rejects(
      collect(client.streamDoc({ header: { requestId: 'x', execEndpoint: '/count' }, parameters: {}, routes: [] })),
      (err: unknown) => {
        assert.ok(err instanceof WeftError);
        assert.equal((err.details as { grpcCode?: number }).grpcCode, status.INVALID_ARGUMENT);
        return true;
      },
    );
  });

  it('lists the service in reflection and health, and marks streaming endpoints in discovery', async () => {
    assert.ok(WORKER_SERVICE_NAMES.includes('jina.JinaSingleDocumentRequestRPC'));
    assert.equal(await client.healthCheck('jina.JinaSingleDocumentRequestRPC'), 'SERVING');
    const discovered = await client.endpointDiscovery();
    assert.deepEqual(discovered.schemas?.['/count'], { is_generator: true, is_singleton_doc: true });
    assert.deepEqual(discovered.schemas?.['/plain'], { is_generator: false, is_singleton_doc: false });
  });
});
