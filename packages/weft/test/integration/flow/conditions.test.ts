// `when` conditions in a Flow: the gateway filters documents per executor, a filtered-out document is gone for the
// rest of its branch (chained conditions intersect), parallel branches filter independently, a branch left with
// no documents is still called, and the join answers in the client's order.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Flow } from '../../../src/index.js';
import type { DataRequest } from '../../../src/request/index.js';
import { Mark } from './fixtures/executors.js';
import { results } from './helpers.js';

const DOCS = [
  { id: 'd1', tags: { type: 1, even: false } },
  { id: 'd2', tags: { type: 2, even: true } },
  { id: 'd3', tags: { type: 3, even: false } },
  { id: 'd4', tags: { type: 1, even: true } },
  { id: 'd5', tags: { type: 2, even: true } },
  { id: 'd6', tags: { type: 4, even: false } },
];

async function request(flow: Flow, docs: typeof DOCS): Promise<DataRequest> {
  const answers: DataRequest[] = [];
  for await (const res of flow.stream('/', docs)) answers.push(res);
  assert.equal(answers.length, 1);
  return answers[0] as DataRequest;
}

/** The ids each executor was given, from its `__results__`. */
function idsSeen(res: DataRequest): Record<string, unknown> {
  return Object.fromEntries(Object.entries(results(res)).map(([k, v]) => [k.split('/')[0], v.ids]));
}

describe('Flow conditions (when)', { timeout: 180_000 }, () => {
  const flow = new Flow()
    .add({ name: 'ones', uses: Mark, needs: 'gateway', when: { tags__type: { $eq: 1 } } })
    .add({ name: 'big', uses: Mark, needs: 'gateway', when: { tags__type: { $gt: 1 } } })
    .add({ name: 'bigEven', uses: Mark, needs: 'big', when: { tags__even: true } })
    .add({ name: 'joiner', uses: Mark, needs: ['ones', 'bigEven'] });
  before(() => flow.start());
  after(() => flow.close());

  it('each executor gets only the documents its condition selects; chained conditions intersect', async () => {
    const res = await request(flow, DOCS);
    assert.deepEqual(idsSeen(res), {
      ones: ['d1', 'd4'],
      big: ['d2', 'd3', 'd5', 'd6'],
      // d4 is even but left this branch at `big`
      bigEven: ['d2', 'd5'],
      joiner: ['d1', 'd4', 'd2', 'd5'],
    });
    assert.deepEqual(
      res.docs.map((d) => [d.id, d.tags.path]),
      [
        ['d1', '>ones>joiner'],
        ['d2', '>big>bigEven>joiner'],
        ['d4', '>ones>joiner'],
        ['d5', '>big>bigEven>joiner'],
      ],
    );
  });

  it('answers in the order the client sent the documents', async () => {
    const shuffled = [DOCS[4], DOCS[3], DOCS[1], DOCS[0]] as typeof DOCS;
    const docs = await flow.post('/', shuffled);
    assert.deepEqual(
      docs.map((d) => d.id),
      ['d5', 'd4', 'd2', 'd1'],
    );
  });

  it('still calls a branch whose condition selected no document', async () => {
    const res = await request(flow, [DOCS[0]] as typeof DOCS);
    assert.deepEqual(idsSeen(res), { ones: ['d1'], big: [], bigEven: [], joiner: ['d1'] });
    assert.deepEqual(
      res.docs.map((d) => d.id),
      ['d1'],
    );
  });
});
