import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Document, DocumentArray } from '../document/index.js';
import { ExecutorLoadError, ExecutorReturnError } from '../errors/index.js';
import { dynamicBatching, requests } from './decorators.js';
import { type EndpointArgs, Executor, type StreamArgs } from './executor.js';
import { ExecutorRunner } from './executor-runner.js';

class Chat extends Executor {
  readonly closed: string[] = [];
  readonly signals: AbortSignal[] = [];

  @requests({ on: '/chat' })
  async *chat({ doc, parameters }: StreamArgs): AsyncGenerator<Document> {
    const words = String(doc.text ?? '').split(' ');
    const limit = typeof parameters.limit === 'number' ? parameters.limit : words.length;
    for (const [i, w] of words.slice(0, limit).entries()) yield new Document({ id: `${doc.id}-${i}`, text: w });
  }

  @requests({ on: '/sync' })
  *sync({ doc }: StreamArgs): Generator<Document> {
    yield new Document({ text: `${doc.text}!` });
  }

  @requests({ on: '/forever' })
  async *forever({ doc, signal }: StreamArgs): AsyncGenerator<Document> {
    this.signals.push(signal);
    try {
      for (let i = 0; ; i++) yield new Document({ text: `${doc.text} ${i}` });
    } finally {
      this.closed.push(String(doc.id));
    }
  }

  @requests({ on: '/bad-yield' })
  async *badYield(): AsyncGenerator<unknown> {
    yield new Document({ text: 'fine' });
    yield { text: 'not a Document' };
  }

  @requests({ on: '/raise' })
  async *raise({ doc }: StreamArgs): AsyncGenerator<Document> {
    yield new Document({ text: 'first' });
    throw new RangeError(`cannot go on with ${doc.id}`);
  }

  @requests({ on: '/upper' })
  upper({ docs }: EndpointArgs): void {
    for (const d of docs) d.text = String(d.text ?? '').toUpperCase();
  }
}

async function collect(it: AsyncIterable<Document>): Promise<Document[]> {
  const out: Document[] = [];
  for await (const d of it) out.push(d);
  return out;
}

describe('streaming endpoints', () => {
  it('are the generator methods, and are listed as such', () => {
    const chat = new Chat();
    assert.deepEqual(chat.streamingEndpoints.sort(), ['/bad-yield', '/chat', '/forever', '/raise', '/sync']);
    assert.equal(chat.resolveEndpoint('/chat')?.streaming, true);
    assert.equal(chat.resolveEndpoint('/upper')?.streaming, undefined);
  });

  it('stream() yields each document the endpoint yields, with executor-specific parameters', async () => {
    const runner = new ExecutorRunner(new Chat({ metas: { name: 'chat' } }));
    const docs = await collect(
      runner.stream({
        endpoint: '/chat',
        doc: new Document({ id: 'q', text: 'one two three' }),
        parameters: { chat__limit: 2 },
      }),
    );
    assert.deepEqual(
      docs.map((d) => [d.id, d.text]),
      [
        ['q-0', 'one'],
        ['q-1', 'two'],
      ],
    );
  });

  it('plain generator methods stream too', async () => {
    const runner = new ExecutorRunner(new Chat());
    const docs = await collect(runner.stream({ endpoint: '/sync', doc: new Document({ text: 'hi' }) }));
    assert.deepEqual(
      docs.map((d) => d.text),
      ['hi!'],
    );
  });

  it('an ordinary request runs the generator once per document and collects every yield', async () => {
    const runner = new ExecutorRunner(new Chat());
    const input = new DocumentArray([new Document({ id: 'a', text: 'x y' }), new Document({ id: 'b', text: 'z' })]);
    const r = await runner.invoke({ endpoint: '/chat', docs: input });
    assert.equal(r.handled, true);
    assert.deepEqual(
      r.docs.map((d) => d.id),
      ['a-0', 'a-1', 'b-0'],
    );
  });

  it('stream() on an ordinary endpoint yields its result documents; an unserved one passes the document through', async () => {
    const runner = new ExecutorRunner(new Chat());
    const upper = await collect(runner.stream({ endpoint: '/upper', doc: new Document({ text: 'shout' }) }));
    assert.deepEqual(
      upper.map((d) => d.text),
      ['SHOUT'],
    );
    const through = await collect(
      runner.stream({ endpoint: '/nowhere', doc: new Document({ id: 'p', text: 'as is' }) }),
    );
    assert.deepEqual(
      through.map((d) => [d.id, d.text]),
      [['p', 'as is']],
    );
  });

  it('ending the iteration early stops the generator (its finally runs)', async () => {
    const chat = new Chat();
    const runner = new ExecutorRunner(chat);
    const seen: string[] = [];
    for await (const d of runner.stream({ endpoint: '/forever', doc: new Document({ id: 'f', text: 'tick' }) })) {
      seen.push(String(d.text));
      if (seen.length === 3) break;
    }
    assert.deepEqual(seen, ['tick 0', 'tick 1', 'tick 2']);
    assert.deepEqual(chat.closed, ['f']);
    assert.equal(runner.inFlight, 0);
  });

  it('passes the caller signal to the endpoint', async () => {
    const chat = new Chat();
    const runner = new ExecutorRunner(chat);
    const abort = new AbortController();
    const it = runner.stream({ endpoint: '/forever', doc: new Document({ text: 't' }), signal: abort.signal });
    await it.next();
    abort.abort();
    assert.equal(chat.signals[0]?.aborted, true);
    await it.return(undefined);
    assert.equal(chat.closed.length, 1);
  });

  it('an exception propagates after the documents yielded before it', async () => {
    const runner = new ExecutorRunner(new Chat());
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const d of runner.stream({ endpoint: '/raise', doc: new Document({ id: 'r' }) }))
          seen.push(String(d.text));
      })(),
      /cannot go on with r/,
    );
    assert.deepEqual(seen, ['first']);
  });

  it('yielding anything but a Document is WEFT_EXECUTOR_RETURN', async () => {
    const runner = new ExecutorRunner(new Chat());
    await assert.rejects(collect(runner.stream({ endpoint: '/bad-yield', doc: new Document() })), (err: unknown) => {
      assert.ok(err instanceof ExecutorReturnError);
      assert.match(err.message, /streaming endpoint '\/bad-yield' .* yielded an instance of Object/);
      return true;
    });
  });

  it('cannot be dynamically batched', () => {
    class Batched extends Executor {
      @requests({ on: '/s' })
      @dynamicBatching({ preferredBatchSize: 2 })
      async *s(): AsyncGenerator<Document> {}
    }
    assert.throws(() => new Batched(), ExecutorLoadError);
    class ByOption extends Executor {
      @requests({ on: '/s' })
      async *s(): AsyncGenerator<Document> {}
    }
    assert.throws(
      () => new ByOption({ dynamicBatching: { '/s': { preferredBatchSize: 2 } } }),
      /cannot use dynamic batching/,
    );
  });
});
