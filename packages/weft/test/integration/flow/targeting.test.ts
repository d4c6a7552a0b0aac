// `targetExecutor` (a regex over executor names) in a Flow that is linear (a → b), branches (b → c1, c2) and ends
// in a sharded executor (idx: 2 shards, polling ALL): only matching executors process the request, the others
// pass it on untouched; with polling ALL every shard's matches arrive, merged per document.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Flow } from '../../../src/index.js';
import type { DataRequest } from '../../../src/request/index.js';
import { Mark, ShardMatch } from './fixtures/executors.js';
import { processedBy, results } from './helpers.js';

async function request(flow: Flow, targetExecutor?: string): Promise<DataRequest> {
  const answers: DataRequest[] = [];
  const docs = [{ id: 'x' }, { id: 'y' }];
  for await (const res of flow.stream('/', docs, targetExecutor ? { targetExecutor } : {})) answers.push(res);
  assert.equal(answers.length, 1);
  return answers[0] as DataRequest;
}

describe('Flow targetExecutor and shards', { timeout: 180_000 }, () => {
  const flow = new Flow()
    .add({ name: 'a', uses: Mark })
    .add({ name: 'b', uses: Mark })
    .add({ name: 'c1', uses: Mark, needs: 'b' })
    .add({ name: 'c2', uses: Mark, needs: 'b' })
    .add({ name: 'idx', uses: ShardMatch, needs: ['c1', 'c2'], shards: 2, polling: 'ALL' });
  before(() => flow.start());
  after(() => flow.close());

  it('without a target every executor processes the request, and every shard of idx (polling ALL)', async () => {
    const res = await request(flow);
    assert.deepEqual(processedBy(res), ['a', 'b', 'c1', 'c2', 'idx', 'idx']);
    assert.deepEqual(
      Object.keys(results(res))
        .filter((k) => k.startsWith('idx'))
        .sort(),
      ['idx/shard-0/rep-0', 'idx/shard-1/rep-0'],
    );
    // every shard's matches, merged into each document
    assert.deepEqual(
      res.docs.map((d) => [d.id, d.matches.map((m) => m.id).sort()]),
      [
        ['x', ['m-0', 'm-1']],
        ['y', ['m-0', 'm-1']],
      ],
    );
    assert.equal(res.docs.at(0)?.tags.path, '>a>b>c1>idx');
  });

  it('in a linear part only the targeted executor processes it', async () => {
    const res = await request(flow, 'b');
    assert.deepEqual(processedBy(res), ['b']);
    assert.deepEqual(
      res.docs.map((d) => d.tags.path),
      ['>b', '>b'],
    );
    assert.deepEqual(
      res.docs.map((d) => d.matches.length),
      [0, 0],
    );
  });

  it('across branches the regex selects the executors it matches', async () => {
    assert.deepEqual(processedBy(await request(flow, 'c.*')), ['c1', 'c2']);
    assert.deepEqual(processedBy(await request(flow, 'c2')), ['c2']);
    assert.deepEqual(processedBy(await request(flow, 'a|c1')), ['a', 'c1']);
  });

  it('matches the regex from the start of the name, as Jina (re.match) does', async () => {
    assert.deepEqual(processedBy(await request(flow, 'c')), ['c1', 'c2']);
    // '1' and 'dx' occur inside names, but no name starts with them
    assert.deepEqual(processedBy(await request(flow, '1')), []);
    assert.deepEqual(processedBy(await request(flow, 'dx')), []);
  });

  it('a sharded executor is targeted as a whole: every shard processes it, nothing else does', async () => {
    const res = await request(flow, 'idx');
    assert.deepEqual(processedBy(res), ['idx', 'idx']);
    assert.deepEqual(
      res.docs.map((d) => [d.tags.path, d.matches.map((m) => m.id).sort()]),
      [
        ['>idx', ['m-0', 'm-1']],
        ['>idx', ['m-0', 'm-1']],
      ],
    );
    assert.deepEqual(processedBy(await request(flow, 'nothing-by-that-name')), []);
  });
});
