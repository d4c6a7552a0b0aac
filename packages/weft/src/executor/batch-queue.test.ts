import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Document, DocumentArray, type JsonObject } from '../document/index.js';
import { BadDocumentError } from '../errors/index.js';
import { BatchQueue } from './batch-queue.js';
import { dynamicBatching, requests } from './decorators.js';
import { type EndpointArgs, Executor } from './executor.js';
import { ExecutorRunner } from './executor-runner.js';

/**
 * An endpoint that counts and tags every document it sees, then fails the whole call when one of them is `bad`
 * (as an image decoder does), naming that document. `calls` records each call's document ids.
 */
function endpoint() {
  const calls: string[][] = [];
  const call = async (docs: DocumentArray): Promise<{ docs: DocumentArray; results?: JsonObject }> => {
    calls.push(docs.ids);
    for (const d of docs) {
      d.tags.seen = ((d.tags.seen as number | undefined) ?? 0) + 1;
      d.text = `${d.text ?? ''}+`;
    }
    const bad = docs.toArray().find((d) => d.tags.bad === true);
    if (bad) throw new BadDocumentError(`cannot decode document '${bad.id}'`, { details: { id: bad.id } });
    return { docs, results: { size: docs.length } };
  };
  return { calls, call };
}

const request = (...ids: string[]) =>
  new DocumentArray(ids.map((id) => ({ id, ...(id.startsWith('bad') ? { tags: { bad: true } } : {}) })));

const reason = (r: PromiseSettledResult<unknown>) => ((r as PromiseRejectedResult).reason as Error).message;

describe('BatchQueue: a failing batch', () => {
  it('retries its requests one by one, so only the request with the bad document fails, with its own error', async () => {
    const { calls, call } = endpoint();
    const q = new BatchQueue({ preferredBatchSize: 100, timeoutMs: 60_000 }, call);
    const pending = [q.push(request('a1', 'a2')), q.push(request('b1', 'bad-b2')), q.push(request('c1'))];
    await q.drain();
    const [a, b, c] = await Promise.allSettled(pending);
    assert.deepEqual(calls, [['a1', 'a2', 'b1', 'bad-b2', 'c1'], ['a1', 'a2'], ['b1', 'bad-b2'], ['c1']]);
    assert.equal(b?.status, 'rejected');
    assert.equal(reason(b as PromiseSettledResult<unknown>), "cannot decode document 'bad-b2'");
    for (const [r, ids] of [
      [a, ['a1', 'a2']],
      [c, ['c1']],
    ] as const) {
      assert.equal(r?.status, 'fulfilled');
      const { docs, results } = (r as PromiseFulfilledResult<{ docs: DocumentArray; results?: JsonObject }>).value;
      assert.deepEqual(docs.ids, ids);
      assert.deepEqual(results, { size: ids.length }, 'the results of its own call');
      // retried from a snapshot: the failed call's changes are not applied twice
      assert.deepEqual(
        docs.map((d: Document) => [d.tags.seen, d.text]),
        ids.map(() => [1, '+']),
      );
    }
  });

  it('does not retry a request that was alone in its batch', async () => {
    const { calls, call } = endpoint();
    const q = new BatchQueue({ preferredBatchSize: 100, timeoutMs: 60_000 }, call);
    const pending = q.push(request('x1', 'bad-x2', 'x3'));
    await q.drain();
    await assert.rejects(pending, /cannot decode document 'bad-x2'/);
    assert.deepEqual(calls, [['x1', 'bad-x2', 'x3']]);
  });

  it('retries only the requests of the failed mini-batch, and none when that mini-batch held one request', async () => {
    const { calls, call } = endpoint();
    const q = new BatchQueue({ preferredBatchSize: 2, timeoutMs: 60_000 }, call);
    // one flush of 4 documents, called as [a1, b1] and [b2, bad-b3]: the failed call held only b's documents
    const [a, b] = await Promise.allSettled([q.push(request('a1')), q.push(request('b1', 'b2', 'bad-b3'))]);
    assert.deepEqual(calls, [
      ['a1', 'b1'],
      ['b2', 'bad-b3'],
    ]);
    assert.equal(a?.status, 'fulfilled');
    assert.equal(b?.status, 'rejected');

    calls.length = 0;
    const [c, d] = await Promise.allSettled([q.push(request('bad-c1')), q.push(request('d1', 'd2', 'd3'))]);
    assert.deepEqual(calls, [['bad-c1', 'd1'], ['d2', 'd3'], ['bad-c1'], ['d1', 'd2'], ['d3']]);
    assert.equal(c?.status, 'rejected');
    assert.equal(reason(c as PromiseSettledResult<unknown>), "cannot decode document 'bad-c1'");
    assert.equal(d?.status, 'fulfilled');
  });

  it('fails every request whose documents a call held when it answers with the wrong number of documents', async () => {
    let calls = 0;
    const q = new BatchQueue({ preferredBatchSize: 100, timeoutMs: 60_000 }, async () => {
      calls++;
      return { docs: DocumentArray.empty(1) };
    });
    const pending = [q.push(request('a')), q.push(request('b'))];
    await q.drain();
    for (const r of await Promise.allSettled(pending)) {
      assert.equal(r.status, 'rejected');
      assert.equal((r as PromiseRejectedResult).reason.code, 'WEFT_BATCH_MISMATCH');
    }
    assert.equal(calls, 1);
  });

  it('retries requests without documents one by one too', async () => {
    let calls = 0;
    const q = new BatchQueue({ preferredBatchSize: 100, timeoutMs: 60_000 }, async (docs) => {
      if (++calls === 1) throw new Error('the shared call failed');
      return { docs };
    });
    const pending = [q.push(new DocumentArray()), q.push(new DocumentArray())];
    await q.drain();
    const settled = await Promise.allSettled(pending);
    assert.deepEqual(
      settled.map((r) => r.status),
      ['fulfilled', 'fulfilled'],
    );
    assert.equal(calls, 3);
  });
});

describe('dynamic batching through ExecutorRunner', () => {
  class Decoder extends Executor {
    @requests({ on: '/encode' })
    @dynamicBatching({ preferredBatchSize: 4, timeoutMs: 60_000 })
    encode({ docs }: EndpointArgs): void {
      for (const [i, d] of docs.toArray().entries()) {
        if (d.text === 'corrupt') {
          throw new BadDocumentError(`cannot encode document '${d.id}' (index ${i} of ${docs.length})`);
        }
        d.embedding = [d.text?.length ?? 0];
      }
    }
  }

  it('one corrupt document fails only the request that sent it; the index in the message is the request’s', async () => {
    const runner = new ExecutorRunner(new Decoder());
    const texts = [['ab'], ['abc', 'corrupt'], ['a']];
    const settled = await Promise.allSettled(
      texts.map((t) => runner.invoke({ endpoint: '/encode', docs: new DocumentArray(t.map((text) => ({ text }))) })),
    );
    assert.equal(settled[1]?.status, 'rejected');
    assert.match(reason(settled[1] as PromiseSettledResult<unknown>), /\(index 1 of 2\)/);
    const ok = [settled[0], settled[2]].map((r) =>
      (r as PromiseFulfilledResult<{ docs: DocumentArray }>).value.docs.at(0)?.embedding?.toList(),
    );
    assert.deepEqual(ok, [[2], [1]]);
    await runner.close();
  });
});
