// Dynamic batching in a worker process: concurrent requests from separate calls share executor calls.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataRequest } from '../../../src/request/index.js';
import { EXECUTORS, JinaClient, request, startWorker, stopWorker } from './helpers.js';

type Started = Awaited<ReturnType<typeof startWorker>>;

function tags(res: DataRequest): Record<string, unknown>[] {
  return res.docs.map((d) => d.tags as Record<string, unknown>);
}

describe('worker process: dynamic batching', () => {
  let w: Started;
  // separate channels: the requests arrive as separate calls from separate clients
  const clients: JinaClient[] = [];
  const client = (i: number): JinaClient => {
    while (clients.length <= i) clients.push(new JinaClient(w.address));
    return clients[i] as JinaClient;
  };

  before(async () => {
    w = await startWorker({ uses: `${EXECUTORS}#Batcher`, name: 'batcher' });
  });
  after(async () => {
    for (const c of clients) c.close();
    if (w) assert.equal(await stopWorker(w), 0);
  });

  it('flushes when preferredBatchSize documents are queued (the timeout is an hour)', async () => {
    const answers = await Promise.all(
      [0, 1, 2, 3].map((i) => client(i).processSingle(request('/size', [{ id: `d${i}` }]))),
    );
    const all = answers.flatMap((a) => tags(a.value));
    assert.ok(all.every((t) => t.batchSize === 4));
    assert.equal(new Set(all.map((t) => t.call)).size, 1, 'one executor call served all four requests');
    answers.forEach((a, i) => {
      assert.deepEqual(a.value.docs.ids, [`d${i}`]);
    });
  });

  it('flushes a partial batch when its oldest request waited timeoutMs', async () => {
    const answers = await Promise.all(
      [0, 1, 2].map((i) => client(i).processSingle(request('/timeout', [{ id: `t${i}` }]))),
    );
    const all = answers.flatMap((a) => tags(a.value));
    // preferredBatchSize is 1000: only the timeout can have flushed these
    assert.ok(all.every((t) => (t.batchSize as number) < 1000));
    assert.equal(
      all.reduce((n, t) => n + (t.position === 0 ? (t.batchSize as number) : 0), 0),
      3,
    );
  });

  it('keeps one queue per distinct parameters', async () => {
    const sends = [
      ['a', 'a1'],
      ['b', 'b1'],
      ['a', 'a2'],
      ['b', 'b2'],
    ].map(([group, id], i) =>
      client(i).processSingle(request('/size', [{ id: `${id}-x` }, { id: `${id}-y` }], { group })),
    );
    const answers = await Promise.all(sends);
    const all = answers.flatMap((a) => tags(a.value));
    for (const t of all) assert.equal(t.batchSize, 4);
    const callsOf = (group: string) => new Set(all.filter((t) => t.group === group).map((t) => t.call));
    assert.equal(callsOf('a').size, 1);
    assert.equal(callsOf('b').size, 1);
    assert.notDeepEqual([...callsOf('a')], [...callsOf('b')]);
    for (const a of answers) {
      const group = a.value.parameters.group;
      assert.ok(tags(a.value).every((t) => t.group === group));
    }
  });

  it('splits results back per request, in order', async () => {
    const three = client(0).processSingle(request('/size', [{ id: 'p0' }, { id: 'p1' }, { id: 'p2' }]));
    const one = client(1).processSingle(request('/size', [{ id: 'q0' }]));
    const [a, b] = await Promise.all([three, one]);
    assert.deepEqual(a.value.docs.ids, ['p0', 'p1', 'p2']);
    assert.deepEqual(b.value.docs.ids, ['q0']);
    const positions = [...tags(a.value), ...tags(b.value)].map((t) => t.position);
    const firstIsThree = tags(a.value)[0]?.position === 0;
    assert.deepEqual(positions, firstIsThree ? [0, 1, 2, 3] : [1, 2, 3, 0]);
  });

  it('fails every request of a batch whose output length does not match, in-band', async () => {
    const answers = await Promise.all(
      [0, 1].map((i) => client(i).processSingle(request('/mismatch', [{ id: `m${i}` }]))),
    );
    for (const a of answers) {
      assert.deepEqual(a.trailers.get('is-error'), ['true']);
      assert.equal(a.value.header.status?.code, 1);
      assert.equal(a.value.header.status?.exception?.name, 'BatchMismatchError');
      assert.match(a.value.header.status?.exception?.args[0] ?? '', /returned 1 documents for a batch of 2/);
    }
    const after = await client(0).processSingle(request('/timeout', [{ id: 'ok' }]));
    assert.equal(after.value.header.status, undefined);
  });
});
