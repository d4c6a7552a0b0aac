/**
 * Streaming requests routed by the topology graph like any other request, through real Flows (gateway, heads and
 * executors in their own processes), over gRPC (`stream_doc` through the Client) and HTTP Server-Sent Events:
 * - a sharded streaming endpoint behind a head: polling ANY streams from one shard (round robin), polling ALL
 *   from every shard, the answers interleaved; an error of one shard under ALL ends the stream in-band;
 * - conditional (`when`) and targeted (`targetExecutor`) streaming endpoints: the document streams from the one
 *   executor its filters lead to; two candidates are a bad request until `targetExecutor` picks one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, type Document, ExecutorError, Flow, WeftError } from '../../../src/index.js';
import { Words } from './fixtures/executors.js';
import { parseEvents } from './fixtures/sse.js';

let anyFlow: Flow;
let allFlow: Flow;
/** `en` and `fr` side by side, each behind a `when` on `tags.lang` (`multi` reaches both). */
let langFlow: Flow;
const clients: Client[] = [];

function url(flow: Flow, protocol: string): string {
  const e = flow.endpoints.find((x) => x.protocol === protocol);
  assert.ok(e, `the Flow serves ${protocol}`);
  return e.url;
}

function client(flow: Flow, protocol: string): Client {
  const c = new Client({ host: url(flow, protocol), showProgress: false });
  clients.push(c);
  return c;
}

async function collect(docs: AsyncIterable<Document>): Promise<Document[]> {
  const out: Document[] = [];
  for await (const d of docs) out.push(d);
  return out;
}

/** The documents of a Server-Sent Events stream of `POST /<endpoint>`, and its event names. */
async function sse(
  flow: Flow,
  endpoint: string,
  body: Record<string, unknown>,
): Promise<{ events: string[]; docs: { id: string; text: string; tags: Record<string, unknown> }[] }> {
  const res = await fetch(`${url(flow, 'http')}${endpoint}`, {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const events = parseEvents(await res.text());
  return {
    events: events.map((e) => e.event),
    docs: events.filter((e) => e.event === 'update').map((e) => e.data as never),
  };
}

before(async () => {
  const protocol = ['grpc', 'http'] as const;
  [anyFlow, allFlow, langFlow] = await Promise.all([
    new Flow({ protocol: [...protocol] }).add({ name: 'words', uses: Words, shards: 2, polling: 'ANY' }).start(),
    new Flow({ protocol: [...protocol] }).add({ name: 'words', uses: Words, shards: 2, polling: 'ALL' }).start(),
    new Flow({ protocol: [...protocol] })
      .add({ name: 'en', uses: Words, needs: 'gateway', when: { tags__lang: { $in: ['en', 'multi'] } } })
      .add({ name: 'fr', uses: Words, needs: 'gateway', when: { tags__lang: { $in: ['fr', 'multi'] } } })
      .start(),
  ]);
});

after(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled([anyFlow?.close(), allFlow?.close(), langFlow?.close()]);
});

describe('a sharded streaming endpoint (shards: 2)', () => {
  for (const protocol of ['grpc', 'http']) {
    it(`polling ANY over ${protocol}: one shard streams every answer, the next stream the other shard`, async () => {
      const c = client(anyFlow, protocol);
      const first = await collect(c.streamDoc('/words', { id: `${protocol}-a1`, text: 'one two three' }));
      const second = await collect(c.streamDoc('/words', { id: `${protocol}-a2`, text: 'four five' }));
      assert.deepEqual(
        first.map((d) => d.text),
        ['one', 'two', 'three'],
      );
      assert.deepEqual(
        second.map((d) => d.text),
        ['four', 'five'],
      );
      const shardsOf = (docs: Document[]) => [...new Set(docs.map((d) => d.tags.shard))];
      assert.equal(shardsOf(first).length, 1, 'one shard streams a request');
      assert.equal(shardsOf(second).length, 1);
      assert.deepEqual([...shardsOf(first), ...shardsOf(second)].sort(), [0, 1], 'round robin over the shards');
    });
  }

  it('polling ANY over HTTP Server-Sent Events: update events from one shard, then end', async () => {
    const { events, docs } = await sse(anyFlow, '/words', { data: { id: 's-any', text: 'a b' } });
    assert.deepEqual(events, ['update', 'update', 'end']);
    assert.deepEqual(
      docs.map((d) => d.id),
      ['s-any-0', 's-any-1'],
    );
    assert.equal(new Set(docs.map((d) => d.tags.shard)).size, 1);
    // the head's endpoint discovery marks /words as streaming, so the gateway serves GET /words too
    const get = await fetch(`${url(anyFlow, 'http')}/words?id=g-any&text=c`);
    assert.equal(get.status, 200);
    assert.deepEqual(
      parseEvents(await get.text()).map((e) => (e.data as { id?: string } | undefined)?.id ?? e.event),
      ['g-any-0', 'end'],
    );
  });

  for (const protocol of ['grpc', 'http']) {
    it(`polling ALL over ${protocol}: every shard streams, answers interleaved, each shard's in its order`, async () => {
      const docs = await collect(
        client(allFlow, protocol).streamDoc('/words', { id: `${protocol}-all`, text: 'red green blue' }),
      );
      assert.equal(docs.length, 6);
      for (const shard of [0, 1]) {
        assert.deepEqual(
          docs.filter((d) => d.tags.shard === shard).map((d) => [d.id, d.text]),
          [
            [`${protocol}-all-0`, 'red'],
            [`${protocol}-all-1`, 'green'],
            [`${protocol}-all-2`, 'blue'],
          ],
          `shard ${shard} streamed every word in order`,
        );
      }
    });
  }

  it('polling ALL over HTTP Server-Sent Events: the updates of both shards, then end', async () => {
    const { events, docs } = await sse(allFlow, '/words', { data: { id: 's-all', text: 'x y' } });
    assert.deepEqual(events, ['update', 'update', 'update', 'update', 'end']);
    assert.deepEqual(docs.map((d) => `${d.tags.shard}:${d.text}`).sort(), ['0:x', '0:y', '1:x', '1:y']);
  });

  it('polling ALL: an executor error of one shard ends the stream with that error', async () => {
    await assert.rejects(
      collect(client(allFlow, 'grpc').streamDoc('/words-fail', { id: 'all-fail', text: 'p q r s t' })),
      (err: unknown) => {
        assert.ok(err instanceof ExecutorError, String(err));
        assert.equal(err.remoteName, 'RangeError');
        assert.match(err.message, /shard 1 gave up on all-fail/);
        return true;
      },
    );
    const { events } = await sse(allFlow, '/words-fail', { data: { id: 's-fail', text: 'p q r s t' } });
    assert.deepEqual(events.slice(-2), ['error', 'end']);
  });
});

describe('conditional and targeted streaming endpoints', () => {
  for (const protocol of ['grpc', 'http']) {
    it(`over ${protocol}: the document streams from the executor whose when filter takes it`, async () => {
      const c = client(langFlow, protocol);
      for (const lang of ['en', 'fr']) {
        const docs = await collect(
          c.streamDoc('/words', { id: `${protocol}-${lang}`, text: 'bonjour hello', tags: { lang } }),
        );
        assert.deepEqual(
          docs.map((d) => [d.text, d.tags.by]),
          [
            ['bonjour', lang],
            ['hello', lang],
          ],
        );
      }
    });

    it(`over ${protocol}: two executors take it: a bad request until targetExecutor picks one`, async () => {
      const c = client(langFlow, protocol);
      const doc = { id: `${protocol}-multi`, text: 'salut', tags: { lang: 'multi' } };
      await assert.rejects(collect(c.streamDoc('/words', doc)), (err: unknown) => {
        // a bad request (INVALID_ARGUMENT, HTTP 400); its class across the hop is the errors work's business
        assert.ok(err instanceof WeftError, String(err));
        assert.match(err.message, /several executors this request reaches \((en, fr|fr, en)\).*targetExecutor/);
        return true;
      });
      const docs = await collect(c.streamDoc('/words', doc, { targetExecutor: 'fr' }));
      assert.deepEqual(
        docs.map((d) => [d.text, d.tags.by]),
        [['salut', 'fr']],
      );
    });
  }

  it('over HTTP Server-Sent Events: when filters and targetExecutor route the stream', async () => {
    const fr = await sse(langFlow, '/words', { data: { id: 's-fr', text: 'un deux', tags: { lang: 'fr' } } });
    assert.deepEqual(fr.events, ['update', 'update', 'end']);
    assert.deepEqual(
      fr.docs.map((d) => d.tags.by),
      ['fr', 'fr'],
    );
    const targeted = await sse(langFlow, '/words', {
      data: { id: 's-multi', text: 'ciao', tags: { lang: 'multi' } },
      targetExecutor: 'en',
    });
    assert.deepEqual(
      targeted.docs.map((d) => [d.text, d.tags.by]),
      [['ciao', 'en']],
    );
  });

  it('a document no filter takes runs as an ordinary request: nothing to stream', async () => {
    const docs = await collect(
      client(langFlow, 'grpc').streamDoc('/words', { id: 'de', text: 'hallo', tags: { lang: 'de' } }),
    );
    assert.deepEqual(docs, []);
  });
});
