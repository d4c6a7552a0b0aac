/**
 * Streaming endpoints through a real Flow (gateway and executors in their own processes) serving grpc, http and
 * websocket: Server-Sent Events read with plain `fetch` and `node:http` (event names, order, documents, errors
 * mid-stream, a client that hangs up), `stream_doc` through the Client and through a client generated from
 * proto/jina.proto alone, the Client over http, and what the other paths do with a streaming endpoint (an
 * ordinary post collects its documents; websocket has no streaming).
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  type ClientReadableStream,
  credentials,
  loadPackageDefinition,
  type Metadata,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { Client, type Document, ExecutorError, Flow, UnavailableError, UnsupportedError } from '../../../src/index.js';
import { RuntimeClient } from '../../../src/networking/index.js';
import { freePort } from '../../../src/orchestrate/index.js';
import { Chat, Visitor } from './fixtures/executors.js';
import { parseEvents } from './fixtures/sse.js';

const PROTO_DIR = fileURLToPath(new URL('../../../../../proto/', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: messages are the dynamic objects proto-loader produces
type Msg = any;

let flow: Flow;
/** A gateway alone, in front of an external executor on a dead port. */
let deadFlow: Flow;
/** `Chat` in two shards, behind a head (polling ANY: one shard streams). */
let shardedFlow: Flow;
const clients: Client[] = [];

function url(protocol: string, f: Flow = flow): string {
  const e = f.endpoints.find((x) => x.protocol === protocol);
  assert.ok(e, `the Flow serves ${protocol}`);
  return e.url;
}

function client(protocol: string): Client {
  const c = new Client({ host: url(protocol), showProgress: false });
  clients.push(c);
  return c;
}

async function collect(docs: AsyncIterable<Document>): Promise<Document[]> {
  const out: Document[] = [];
  for await (const d of docs) out.push(d);
  return out;
}

before(async () => {
  flow = await new Flow({ protocol: ['grpc', 'http', 'websocket'] })
    .add({ name: 'chat', uses: Chat })
    .add({ name: 'visitor', uses: Visitor })
    .start();
  const deadPort = await freePort('127.0.0.1');
  deadFlow = await new Flow({ protocol: ['grpc', 'http'] })
    .add({ name: 'dead', external: true, host: '127.0.0.1', port: deadPort, retries: 0 })
    .start();
  shardedFlow = await new Flow({ protocol: 'grpc' }).add({ name: 'chat', uses: Chat, shards: 2 }).start();
});

after(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled([flow?.close(), deadFlow?.close(), shardedFlow?.close()]);
});

describe('streaming endpoints over HTTP (Server-Sent Events)', () => {
  it('GET /<endpoint> streams one update per yielded document, then end', async () => {
    const query = new URLSearchParams({ id: 'q1', text: 'hello streaming world', parameters: '{"prefix":">"}' });
    const res = await fetch(`${url('http')}/chat?${query}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const events = parseEvents(await res.text());
    assert.deepEqual(
      events.map((e) => e.event),
      ['update', 'update', 'update', 'end'],
    );
    assert.deepEqual(
      events.slice(0, 3).map((e) => e.data),
      [
        { id: 'q1-0', text: '>hello', tags: { index: 0, of: 'q1' } },
        { id: 'q1-1', text: '>streaming', tags: { index: 1, of: 'q1' } },
        { id: 'q1-2', text: '>world', tags: { index: 2, of: 'q1' } },
      ],
    );
  });

  it('POST /<endpoint> with Accept: text/event-stream streams; the body is an envelope or the document itself', async () => {
    const envelope = await fetch(`${url('http')}/chat`, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ data: { id: 'p1', text: 'a b' }, parameters: { prefix: '#' } }),
    });
    assert.equal(envelope.status, 200);
    const events = parseEvents(await envelope.text());
    assert.deepEqual(
      events.map((e) => [e.event, (e.data as { text?: string } | undefined)?.text]),
      [
        ['update', '#a'],
        ['update', '#b'],
        ['end', undefined],
      ],
    );
    // Jina's client sends the document itself as the body
    const bare = await fetch(`${url('http')}/chat`, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'p2', text: 'just me' }),
    });
    assert.deepEqual(
      parseEvents(await bare.text()).map((e) => (e.data as { id?: string } | undefined)?.id ?? e.event),
      ['p2-0', 'p2-1', 'end'],
    );
    // …labelled text/plain, as Jina's Python client does: taken on a streaming request, 415 on any other
    const labelledText = await fetch(`${url('http')}/chat`, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'text/plain' },
      body: JSON.stringify({ id: 'p3', text: 'plain' }),
    });
    assert.deepEqual(
      parseEvents(await labelledText.text()).map((e) => (e.data as { id?: string } | undefined)?.id ?? e.event),
      ['p3-0', 'end'],
    );
    const notStreaming = await fetch(`${url('http')}/post`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ data: [{ text: 'x' }] }),
    });
    assert.equal(notStreaming.status, 415);
  });

  it('an exception mid-stream is an error event carrying the coded, in-band error, then end', async () => {
    const res = await fetch(`${url('http')}/chat-fail?id=f1`);
    assert.equal(res.status, 200);
    const events = parseEvents(await res.text());
    assert.deepEqual(
      events.map((e) => e.event),
      ['update', 'update', 'error', 'end'],
    );
    const error = events[2]?.data as {
      code: string;
      detail: string;
      header: { status: { code: number; exception: { name: string; executor: string } } };
    };
    assert.equal(error.code, 'WEFT_EXECUTOR');
    assert.match(error.detail, /lost its train of thought on f1/);
    assert.equal(error.header.status.code, 1);
    assert.equal(error.header.status.exception.name, 'RangeError');
    assert.match(error.header.status.exception.executor, /^chat/);
  });

  it('a client that hangs up stops the generator', async () => {
    const updates = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${url('http')}/forever?id=sse-hangup`, (res) => {
        let seen = 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          seen += chunk.split('event: update').length - 1;
          if (seen >= 3) {
            req.destroy();
            resolve(seen);
          }
        });
        res.on('error', () => undefined);
      });
      req.on('error', (err) => {
        if (!req.destroyed) reject(err);
      });
      req.end();
    });
    assert.ok(updates >= 3);
    const [report] = await client('grpc').post('/stopped', [{ id: 'sse-hangup' }]);
    assert.ok(Number(report?.tags.yielded) >= 3, `the generator yielded ${report?.tags.yielded} documents`);
  });

  it('an ordinary POST to a streaming endpoint answers everything it yielded, through the whole Flow', async () => {
    const res = await fetch(`${url('http')}/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: [{ id: 'o1', text: 'x y' }] }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { data: { id: string; text: string; tags: Record<string, unknown> }[] };
    assert.deepEqual(
      body.data.map((d) => [d.id, d.text, d.tags.visitor]),
      [
        ['o1-0', 'x', true],
        ['o1-1', 'y', true],
      ],
    );
  });

  it('the OpenAPI document lists the streaming GET routes', async () => {
    const spec = (await (await fetch(`${url('http')}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    assert.deepEqual(spec.paths['/chat']?.get?.tags, ['Streaming']);
    assert.ok(spec.paths['/chat']?.post, 'POST /chat stays');
  });
});

describe('streaming endpoints through the Client', () => {
  for (const protocol of ['grpc', 'http']) {
    describe(`over ${protocol}`, () => {
      it('streamDoc yields the documents as the executor yields them, from the executor that streams', async () => {
        const docs = await collect(
          client(protocol).streamDoc(
            '/chat',
            { id: `${protocol}-1`, text: 'one two three' },
            {
              parameters: { prefix: '~' },
            },
          ),
        );
        assert.deepEqual(
          docs.map((d) => [d.id, d.text]),
          [
            [`${protocol}-1-0`, '~one'],
            [`${protocol}-1-1`, '~two'],
            [`${protocol}-1-2`, '~three'],
          ],
        );
        // straight to the executor that streams: the next one in the Flow never saw them
        assert.ok(docs.every((d) => d.tags.visitor === undefined));
      });

      it('rejects with the remote ExecutorError after the documents yielded before it', async () => {
        const got: string[] = [];
        await assert.rejects(
          (async () => {
            for await (const d of client(protocol).streamDoc('/chat-fail', { id: `${protocol}-f` }))
              got.push(String(d.text));
          })(),
          (err: unknown) => {
            assert.ok(err instanceof ExecutorError, String(err));
            assert.equal(err.remoteName, 'RangeError');
            assert.match(err.message, new RegExp(`lost its train of thought on ${protocol}-f`));
            assert.match(err.executor, /^chat/);
            return true;
          },
        );
        assert.deepEqual(got, ['one', 'two']);
      });

      it('leaving the loop early stops the generator', async () => {
        const id = `${protocol}-early`;
        let seen = 0;
        for await (const d of client(protocol).streamDoc('/forever', { id })) {
          assert.equal(d.text, `token ${seen}`);
          if (++seen === 4) break;
        }
        const [report] = await client('grpc').post('/stopped', [{ id }]);
        assert.ok(Number(report?.tags.yielded) >= 4, `the generator yielded ${report?.tags.yielded} documents`);
      });

      it('an endpoint nobody streams runs through the Flow, its documents streamed', async () => {
        const docs = await collect(client(protocol).streamDoc('/plain', { id: `${protocol}-plain`, text: 'p' }));
        assert.deepEqual(
          docs.map((d) => [d.id, d.tags.visitor]),
          [[`${protocol}-plain`, true]],
        );
      });
    });
  }

  it('an executor that cannot be reached: UnavailableError over grpc, HTTP 503 before any event', async () => {
    const dead = new Client({ host: url('grpc', deadFlow), showProgress: false });
    clients.push(dead);
    await assert.rejects(collect(dead.streamDoc('/chat', { text: 'hi' })), (err: unknown) => {
      assert.ok(err instanceof UnavailableError, String(err));
      assert.match(err.message, /dead/);
      return true;
    });
    const res = await fetch(`${url('http', deadFlow)}/post`, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ execEndpoint: '/chat', data: { text: 'hi' } }),
    });
    assert.equal(res.status, 503);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await res.json()) as { detail: string; header: { status: { code: number } } };
    assert.match(body.detail, /dead/);
    assert.equal(body.header.status.code, 1);
  });

  it('a sharded streaming endpoint streams through its head, from one shard (polling ANY)', {
    timeout: 60_000,
  }, async () => {
    const sharded = new Client({ host: url('grpc', shardedFlow), showProgress: false });
    clients.push(sharded);
    const docs = await collect(sharded.streamDoc('/chat', { id: 'sh', text: 'split in shards' }));
    assert.deepEqual(
      docs.map((d) => [d.id, d.text]),
      [
        ['sh-0', 'split'],
        ['sh-1', 'in'],
        ['sh-2', 'shards'],
      ],
    );
    // an endpoint that never ends can only be read as a stream (an ordinary request would wait for its end)
    let seen = 0;
    for await (const d of sharded.streamDoc('/forever', { id: 'sh-forever' })) {
      assert.equal(d.text, `token ${seen}`);
      if (++seen === 4) break;
    }
    assert.equal(seen, 4);
  });

  it('websocket has no streaming endpoints: UnsupportedError', async () => {
    await assert.rejects(collect(client('websocket').streamDoc('/chat', { text: 'hi' })), (err: unknown) => {
      assert.ok(err instanceof UnsupportedError, String(err));
      assert.equal(err.code, 'WEFT_UNSUPPORTED');
      return true;
    });
  });

  it('the gateway lists jina.JinaSingleDocumentRequestRPC as serving', async () => {
    const gateway = new RuntimeClient(url('grpc').replace('grpc://', ''), { transport: 'grpc' });
    try {
      assert.equal(await gateway.healthCheck('jina.JinaSingleDocumentRequestRPC'), 'SERVING');
    } finally {
      gateway.close();
    }
  });
});

describe('stream_doc from a client generated from proto/jina.proto', () => {
  const jina = (
    loadPackageDefinition(
      loadSync('jina.proto', {
        includeDirs: [PROTO_DIR],
        keepCase: true,
        longs: Number,
        enums: String,
        defaults: false,
        oneofs: true,
      }),
    ) as unknown as {
      jina: Record<string, new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Msg>;
    }
  ).jina;
  let stub: Msg;
  before(() => {
    const Ctor = jina.JinaSingleDocumentRequestRPC;
    assert.ok(Ctor, 'jina.proto declares JinaSingleDocumentRequestRPC');
    stub = new Ctor(url('grpc').replace('grpc://', ''), credentials.createInsecure());
  });
  after(() => stub?.close());

  function streamDoc(message: Msg): Promise<{ answers: Msg[]; trailers: Metadata }> {
    return new Promise((resolve, reject) => {
      const call = stub.stream_doc(message) as ClientReadableStream<Msg>;
      const answers: Msg[] = [];
      call.on('data', (m: Msg) => answers.push(m));
      call.on('error', (err: ServiceError) => reject(err));
      call.on('status', (s: { code: number; metadata: Metadata }) => {
        if (s.code === 0) resolve({ answers, trailers: s.metadata });
      });
    });
  }

  it('streams SingleDocumentRequestProto answers, one document each', async () => {
    const { answers, trailers } = await streamDoc({
      header: { request_id: 'proto-1', exec_endpoint: '/chat' },
      parameters: { fields: { prefix: { stringValue: '*' } } },
      document: { id: 'pd', text: 'alpha beta' },
    });
    assert.deepEqual(
      answers.map((a) => [a.header.request_id, a.document.id, a.document.text]),
      [
        ['proto-1', 'pd-0', '*alpha'],
        ['proto-1', 'pd-1', '*beta'],
      ],
    );
    assert.deepEqual(
      answers[0].routes.map((r: Msg) => r.executor),
      ['gateway', 'chat'],
    );
    assert.deepEqual(trailers.get('is-error'), []);
  });

  it('an executor error is the last answer, with header.status and the is-error trailer', async () => {
    const { answers, trailers } = await streamDoc({
      header: { request_id: 'proto-2', exec_endpoint: '/chat-fail' },
      document: { id: 'pf' },
    });
    assert.equal(answers.length, 3);
    const last = answers[2];
    assert.equal(last.document, undefined);
    assert.equal(last.header.status.code, 'ERROR');
    assert.equal(last.header.status.exception.name, 'RangeError');
    assert.deepEqual(trailers.get('is-error'), ['true']);
  });
});
