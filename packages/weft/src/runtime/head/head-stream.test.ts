import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Document } from '../../document/index.js';
import { statusFromError, UnavailableError } from '../../errors/index.js';
import type { SingleDocumentRequest } from '../../request/index.js';
import { HeadHandler, type HeadTarget } from './head-handler.js';

interface ShardScript {
  /** Texts to stream, one answer each (a turn apart). */
  texts?: string[];
  /** Fail before the first answer with this error. */
  refuse?: Error;
  /** After the texts, answer an in-band error. */
  inBandError?: boolean;
  /** After the texts, keep streaming until cancelled (and count what was streamed). */
  forever?: boolean;
}

/** A shard that streams by its script; `cancelled` tells whether its call's signal was aborted. */
function shard(i: number, script: ShardScript): HeadTarget & { cancelled: boolean; streamed: number } {
  const target = {
    name: `s/shard-${i}`,
    addresses: [`shard-${i}`],
    cancelled: false,
    streamed: 0,
    send: async () => assert.fail('not an ordinary request'),
    sendList: async () => assert.fail('not an ordinary request'),
    endpointDiscovery: async () => ({ endpoints: ['/s'], writeEndpoints: [] }),
    async *streamDoc(req: SingleDocumentRequest, options: { signal?: AbortSignal }) {
      options.signal?.addEventListener('abort', () => {
        target.cancelled = true;
      });
      if (script.refuse) throw script.refuse;
      const answer = (text: string) => ({ ...req, document: new Document({ text, tags: { shard: i } }) });
      for (const text of script.texts ?? []) {
        await nextTurn();
        target.streamed++;
        yield answer(text);
      }
      if (script.inBandError) {
        const status = statusFromError(new RangeError('no'), `s/shard-${i}`);
        yield { header: { ...req.header, status }, parameters: req.parameters, routes: req.routes };
        return;
      }
      while (script.forever && !options.signal?.aborted) {
        await nextTurn();
        target.streamed++;
        yield answer('more');
      }
    },
    close: () => undefined,
  };
  return target;
}

const request: SingleDocumentRequest = {
  header: { requestId: 'r', execEndpoint: '/s' },
  parameters: {},
  routes: [],
  document: new Document({ text: 'in' }),
};

async function collect(answers: AsyncIterable<SingleDocumentRequest>): Promise<string[]> {
  const out: string[] = [];
  for await (const a of answers) out.push(a.document ? `${a.document.tags.shard}:${a.document.text}` : 'error');
  return out;
}

describe('HeadHandler.streamDoc', () => {
  it('ANY: one shard streams, round robin; a shard that cannot be reached is left for the next', async () => {
    const shards = [shard(0, { texts: ['a', 'b'] }), shard(1, { refuse: new UnavailableError('down') })];
    const head = new HeadHandler({ deployment: 's', shards, polling: 'ANY' });
    assert.deepEqual(await collect(head.streamDoc(request)), ['0:a', '0:b']);
    assert.deepEqual(await collect(head.streamDoc(request)), ['0:a', '0:b'], 'shard 1 is down: shard 0 streams');
  });

  it('ANY: when no shard can be reached, an UnavailableError naming the deployment', async () => {
    const down = () => shard(0, { refuse: new UnavailableError('down') });
    const head = new HeadHandler({ deployment: 's', shards: [down(), down()], polling: 'ANY' });
    await assert.rejects(collect(head.streamDoc(request)), (err: unknown) => {
      assert.ok(err instanceof UnavailableError);
      assert.match(err.message, /no shard of 's' could serve the stream/);
      return true;
    });
  });

  it('ALL: every shard streams, the answers interleaved, each shard in its order', async () => {
    const shards = [shard(0, { texts: ['a', 'b', 'c'] }), shard(1, { texts: ['x', 'y'] })];
    const head = new HeadHandler({ deployment: 's', shards, polling: 'ALL' });
    const got = await collect(head.streamDoc(request));
    assert.equal(got.length, 5);
    assert.deepEqual(
      got.filter((g) => g.startsWith('0:')),
      ['0:a', '0:b', '0:c'],
    );
    assert.deepEqual(
      got.filter((g) => g.startsWith('1:')),
      ['1:x', '1:y'],
    );
  });

  it('ALL: a shard that fails is left out and logged; all failing fails the stream', async () => {
    const logs: string[] = [];
    const shards = [shard(0, { refuse: new UnavailableError('shard 0 is down') }), shard(1, { texts: ['x'] })];
    const head = new HeadHandler({ deployment: 's', shards, polling: 'ALL', log: (m) => logs.push(m) });
    assert.deepEqual(await collect(head.streamDoc(request)), ['1:x']);
    assert.match(logs.join('\n'), /1 of 2 shards of 's' failed to stream.*shard 0 is down/);
    const down = new HeadHandler({
      deployment: 's',
      shards: [shard(0, { refuse: new UnavailableError('a') }), shard(1, { refuse: new UnavailableError('b') })],
      polling: 'ALL',
    });
    await assert.rejects(collect(down.streamDoc(request)), UnavailableError);
  });

  it("ALL: an in-band error of one shard is the last answer and cancels the others' calls", async () => {
    const forever = shard(0, { texts: ['a'], forever: true });
    const failing = shard(1, { texts: ['x'], inBandError: true });
    const head = new HeadHandler({ deployment: 's', shards: [forever, failing], polling: 'ALL' });
    const got = await collect(head.streamDoc(request));
    assert.equal(got.at(-1), 'error');
    assert.ok(got.includes('1:x'));
    assert.ok(forever.cancelled, 'the shard still streaming was cancelled');
  });

  it('ALL: a caller that stops reading cancels every shard', async () => {
    const shards = [shard(0, { forever: true }), shard(1, { forever: true })];
    const head = new HeadHandler({ deployment: 's', shards, polling: 'ALL' });
    let n = 0;
    for await (const _ of head.streamDoc(request)) if (++n === 5) break;
    assert.ok(shards.every((s) => s.cancelled));
  });
});
