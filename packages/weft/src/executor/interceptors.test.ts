import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, it } from 'node:test';
import { Document, DocumentArray } from '../document/index.js';
import { BadRequestError } from '../errors/index.js';
import { type BatchFormed, CHANNELS, type ExecutorRequestEnd } from '../observability/index.js';
import { dynamicBatching, requests } from './decorators.js';
import { type EndpointArgs, Executor, type StreamArgs } from './executor.js';
import { ExecutorRunner } from './executor-runner.js';
import type { ExecutorContext, ExecutorInterceptor } from './interceptors.js';

class Upper extends Executor {
  @requests({ on: '/upper' })
  upper({ docs }: EndpointArgs): void {
    for (const d of docs) d.text = (d.text ?? '').toUpperCase();
  }

  @requests({ on: '/fail' })
  fail(): void {
    throw new Error('executor broke');
  }

  @requests({ on: '/chat' })
  async *chat({ doc }: StreamArgs): AsyncGenerator<Document> {
    for (const w of (doc.text ?? '').split(' ')) yield new Document({ text: w });
  }

  @requests({ on: '/batched' })
  @dynamicBatching({ preferredBatchSize: 2, timeoutMs: 60_000 })
  batched({ docs }: EndpointArgs): void {
    for (const d of docs) d.tags = { batch: docs.length };
  }
}

const texts = (docs: DocumentArray) => docs.toArray().map((d) => d.text);

/** Collect what `channel` publishes while `fn` runs. */
async function collect<T>(channel: string, fn: () => Promise<unknown>): Promise<T[]> {
  const seen: T[] = [];
  const listener = (m: unknown): void => {
    seen.push(m as T);
  };
  subscribe(channel, listener);
  try {
    await fn();
  } finally {
    unsubscribe(channel, listener);
  }
  return seen;
}

describe('ExecutorRunner interceptors', () => {
  it('run around the call, see its context and its result', async () => {
    const seen: Partial<ExecutorContext>[] = [];
    const watch: ExecutorInterceptor = async (ctx, next) => {
      ctx.state.t = 1;
      await next();
      seen.push({ executor: ctx.executor, endpoint: ctx.endpoint, protocol: ctx.protocol, headers: ctx.headers });
      if (ctx.result) ctx.result.docs.push(new Document({ text: 'added' }));
    };
    const runner = new ExecutorRunner(new Upper(), 'upper/rep-0', { interceptors: [watch] });
    const r = await runner.invoke({
      endpoint: '/upper',
      docs: new DocumentArray([{ text: 'a' }]),
      headers: { authorization: 'Bearer x' },
    });
    assert.deepEqual(texts(r.docs), ['A', 'added']);
    assert.deepEqual(seen, [
      { executor: 'upper/rep-0', endpoint: '/upper', protocol: 'in-process', headers: { authorization: 'Bearer x' } },
    ]);
  });

  it('may refuse a call with a WeftError: the executor is not called', async () => {
    const refuse: ExecutorInterceptor = async (ctx, next) => {
      if (ctx.headers.authorization !== 'Bearer ok') throw new BadRequestError('no token');
      await next();
    };
    const runner = new ExecutorRunner(new Upper(), 'u').use(refuse);
    const docs = new DocumentArray([{ text: 'a' }]);
    await assert.rejects(runner.invoke({ endpoint: '/upper', docs }), BadRequestError);
    assert.deepEqual(texts(docs), ['a']);
    const ok = await runner.invoke({ endpoint: '/upper', docs, headers: { authorization: 'Bearer ok' } });
    assert.deepEqual(texts(ok.docs), ['A']);
  });

  it('do not run for requests that pass through (no binding, dry run)', async () => {
    let calls = 0;
    const runner = new ExecutorRunner(new Upper(), 'u').use(async (_c, next) => {
      calls++;
      await next();
    });
    await runner.invoke({ endpoint: '/nobody', docs: new DocumentArray() });
    assert.equal(calls, 0);
  });

  it('wrap a whole streaming call', async () => {
    const log: string[] = [];
    const runner = new ExecutorRunner(new Upper(), 'u').use(async (ctx, next) => {
      log.push(`start streaming=${ctx.streaming}`);
      await next();
      log.push(`end yielded=${ctx.yielded}`);
    });
    for await (const d of runner.stream({ endpoint: '/chat', doc: new Document({ text: 'hi there' }) })) {
      log.push(d.text ?? '');
    }
    assert.deepEqual(log, ['start streaming=true', 'hi', 'there', 'end yielded=2']);
  });
});

describe('executor events', () => {
  it('publish start and end with the same object, and error with the exception', async () => {
    const runner = new ExecutorRunner(new Upper(), 'u');
    const starts = await collect<ExecutorRequestEnd>(CHANNELS.executorRequestStart, async () => {
      const ends = await collect<ExecutorRequestEnd>(CHANNELS.executorRequestEnd, () =>
        runner.invoke({ endpoint: '/upper', docs: new DocumentArray([{ text: 'a' }, { text: 'b' }]) }),
      );
      assert.equal(ends.length, 1);
      assert.equal(ends[0]?.docs, 2);
      assert.ok((ends[0]?.durationMs ?? -1) >= 0);
    });
    assert.equal(starts.length, 1);
    assert.equal(starts[0]?.endpoint, '/upper');
    const errors = await collect<{ error: unknown }>(CHANNELS.executorRequestError, () =>
      runner.invoke({ endpoint: '/fail', docs: new DocumentArray() }).catch(() => undefined),
    );
    assert.match(String(errors[0]?.error), /executor broke/);
  });

  it('publish a batch formed by dynamic batching', async () => {
    const runner = new ExecutorRunner(new Upper(), 'b/rep-0');
    const batches = await collect<BatchFormed>(CHANNELS.batchFormed, () =>
      Promise.all([
        runner.invoke({ endpoint: '/batched', docs: new DocumentArray([{ text: 'a' }]) }),
        runner.invoke({ endpoint: '/batched', docs: new DocumentArray([{ text: 'b' }]) }),
      ]),
    );
    assert.deepEqual(batches, [{ executor: 'b/rep-0', endpoint: '/batched', docs: 2, requests: 2, reason: 'size' }]);
  });
});
