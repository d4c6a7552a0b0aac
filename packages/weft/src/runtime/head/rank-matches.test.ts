import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Document, DocumentArray, type Metric } from '../../document/index.js';
import { DataRequest } from '../../request/index.js';
import { HeadHandler, type HeadTarget } from './head-handler.js';
import { matchRanking, namedOrder, rankMatches, requestedLimit } from './rank-matches.js';
import { reduceAnswers } from './reduce-answers.js';

type Scored = [id: string, score?: number];

/** One shard's answer: query `q` with the given matches (in the shard's order) scored under `name`. */
function answer(name: string, ...lists: Scored[][]): DataRequest {
  const docs = lists.map((matches, i) => ({
    id: `q${i}`,
    matches: matches.map(([id, score]) => ({ id, ...(score === undefined ? {} : { scores: { [name]: score } }) })),
  }));
  return new DataRequest({ header: { execEndpoint: '/search' }, docs: new DocumentArray(docs) });
}

const ids = (req: DataRequest, i = 0) => req.docs.at(i)?.matches.ids;

describe('reduceAnswers ranks merged matches', () => {
  it('sorts distances ascending across shards and keeps parameters.limit', () => {
    const merged = reduceAnswers(
      [
        answer('cosine', [
          ['a', 0.1],
          ['b', 0.4],
          ['c', 0.7],
        ]),
        answer('cosine', [
          ['d', 0.05],
          ['e', 0.5],
          ['f', 0.6],
        ]),
        answer('cosine', [
          ['g', 0.2],
          ['h', 0.3],
          ['i', 0.9],
        ]),
      ],
      { limit: 4 },
    );
    assert.deepEqual(ids(merged), ['d', 'a', 'g', 'h']);
    assert.deepEqual(
      merged.docs.at(0)?.matches.map((m) => m.scores.cosine?.value),
      [0.05, 0.1, 0.2, 0.3],
    );
  });

  it('sorts similarities descending and honours Jina’s top_k', () => {
    const merged = reduceAnswers(
      [
        answer('ip', [
          ['a', 9],
          ['b', 3],
        ]),
        answer('ip', [
          ['c', 12],
          ['d', 4],
        ]),
      ],
      { top_k: 3 },
    );
    assert.deepEqual(ids(merged), ['c', 'a', 'd']);
  });

  it('reads the direction of an unknown score from the shards’ own order', () => {
    const shards = [
      answer('relevance_v2', [
        ['a', 0.9],
        ['b', 0.2],
      ]),
      answer('relevance_v2', [
        ['c', 0.95],
        ['d', 0.1],
      ]),
    ];
    assert.deepEqual(ids(reduceAnswers(shards, { limit: 3 })), ['c', 'a', 'b']);
    const rising = [
      answer('hops', [
        ['a', 1],
        ['b', 5],
      ]),
      answer('hops', [
        ['c', 2],
        ['d', 3],
      ]),
    ];
    assert.deepEqual(ids(reduceAnswers(rising, { limit: 3 })), ['a', 'c', 'd']);
  });

  it('falls back to the score’s name when every shard returned one match', () => {
    const l2 = reduceAnswers([answer('l2', [['a', 3]]), answer('l2', [['b', 1]]), answer('l2', [['c', 2]])], {
      limit: 1,
    });
    assert.deepEqual(ids(l2), ['b']);
    const dot = reduceAnswers([answer('dot', [['a', 3]]), answer('dot', [['b', 1]])], { limit: 1 });
    assert.deepEqual(ids(dot), ['a']);
    const unknown = reduceAnswers([answer('mystery', [['a', 3]]), answer('mystery', [['b', 1]])], { limit: 1 });
    assert.deepEqual(ids(unknown), ['a', 'b'], 'direction unknowable: the reduce order is kept, nothing is cut');
  });

  it('keeps every match, sorted, when the request names no limit', () => {
    const merged = reduceAnswers([
      answer('euclidean', [
        ['a', 2],
        ['b', 4],
      ]),
      answer('euclidean', [
        ['c', 1],
        ['d', 3],
      ]),
    ]);
    assert.deepEqual(ids(merged), ['c', 'a', 'd', 'b']);
  });

  it('keeps the reduce order of unscored matches, and of lists not sorted by their score', () => {
    const plain = reduceAnswers([answer('x', [['a'], ['b']]), answer('x', [['c']])], { limit: 1 });
    assert.deepEqual(ids(plain), ['a', 'b', 'c']);
    const unsorted = reduceAnswers(
      [
        answer('cosine', [
          ['a', 0.5],
          ['b', 0.1],
          ['c', 0.3],
        ]),
        answer('cosine', [['d', 0.2]]),
      ],
      { limit: 2 },
    );
    assert.deepEqual(ids(unsorted), ['a', 'b', 'c', 'd']);
  });

  it('puts matches without the score last and breaks ties by id', () => {
    const merged = reduceAnswers(
      [
        answer('cosine', [['z', 0.2], ['y']]),
        answer('cosine', [
          ['b', 0.2],
          ['a', 0.3],
        ]),
      ],
      { limit: 10 },
    );
    assert.deepEqual(ids(merged), ['b', 'z', 'a', 'y']);
  });

  it('ranks every query of the request and the matches of chunks', () => {
    const a = answer('cosine', [['a', 0.3]], [['x', 0.9]]);
    const b = answer('cosine', [['b', 0.1]], [['y', 0.5]]);
    const chunked = (req: DataRequest, id: string, score: number) => {
      (req.docs.at(0) as Document).chunks = [{ id: 'chunk', matches: [{ id, scores: { cosine: score } }] }];
      return req;
    };
    const merged = reduceAnswers([chunked(a, 'ca', 0.8), chunked(b, 'cb', 0.2)], { limit: 1 });
    assert.deepEqual(ids(merged, 0), ['b']);
    assert.deepEqual(ids(merged, 1), ['y']);
    assert.deepEqual(merged.docs.at(0)?.chunks.at(0)?.matches.ids, ['cb']);
  });

  it('leaves an answer that carries a shard’s error as reduced', () => {
    const failed = answer('cosine', [['b', 0.1]]);
    failed.header.status = { code: 1, description: 'boom' } as DataRequest['header']['status'];
    const merged = reduceAnswers([answer('cosine', [['a', 0.3]]), failed], { limit: 1 });
    assert.ok(merged.isError);
    assert.deepEqual(ids(merged), ['a', 'b']);
  });
});

describe('rank-matches helpers', () => {
  it('knows the usual distances and similarities', () => {
    for (const d of ['cosine', 'euclidean', 'sqeuclidean', 'l2', 'L2', 'hamming'])
      assert.equal(namedOrder(d), 'ascending');
    for (const s of ['ip', 'dot', 'cosine_similarity', 'bm25']) assert.equal(namedOrder(s), 'descending');
    assert.equal(namedOrder('score_v2'), undefined);
  });

  it('reads limit, then top_k, ignoring values that are not positive integers', () => {
    assert.equal(requestedLimit({ limit: 5, top_k: 7 }), 5);
    assert.equal(requestedLimit({ top_k: 7 }), 7);
    assert.equal(requestedLimit({ limit: 0, top_k: 2.5 }), undefined);
    assert.equal(requestedLimit({ limit: '5' }), undefined);
  });

  it('prefers a score the shards are sorted by over one they are not', () => {
    const docs = new DocumentArray([
      {
        id: 'q',
        matches: [
          { id: 'a', scores: { raw: 5, rank: 0.1 } },
          { id: 'b', scores: { raw: 9, rank: 0.2 } },
          { id: 'c', scores: { raw: 1, rank: 0.3 } },
        ],
      },
    ]);
    const ranking = matchRanking([docs], { limit: 2 });
    assert.deepEqual(ranking, { score: 'rank', order: 'ascending', limit: 2 });
    rankMatches(docs, ranking as NonNullable<typeof ranking>);
    assert.deepEqual(docs.at(0)?.matches.ids, ['a', 'b']);
  });
});

describe('HeadHandler under polling ALL answers the global top-k', () => {
  /** A shard holding `part` of the collection: it answers /search with its own exact top-`limit`. */
  function shard(i: number, part: DocumentArray, metric: Metric): HeadTarget {
    const answerOf = (req: DataRequest): DataRequest => {
      const limit = (req.parameters.limit ?? req.parameters.indexer__limit) as number;
      const docs = req.docs.clone().match(part, { metric, limit });
      return new DataRequest({ header: { ...req.header }, parameters: req.parameters, docs });
    };
    return {
      name: `indexer/shard-${i}`,
      addresses: [`shard-${i}`],
      send: async (req) => answerOf(req),
      sendList: async (reqs) => answerOf(reqs[0] as DataRequest),
      endpointDiscovery: async () => ({ endpoints: ['/search'], writeEndpoints: [] }),
      streamDoc: () => {
        throw new Error('no streaming endpoints here');
      },
      close: () => undefined,
    };
  }

  /** Seeded pseudo-random vectors. */
  function vectors(n: number, d: number, seed: number): number[][] {
    let s = seed;
    const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
    return Array.from({ length: n }, () => Array.from({ length: d }, next));
  }

  for (const metric of ['cosine', 'euclidean', 'dot'] as const) {
    it(`${metric}: equals one unsharded exact search, with limit given as an executor-specific parameter`, async () => {
      const all = new DocumentArray(vectors(600, 8, 7).map((embedding, i) => ({ id: `d${i}`, embedding })));
      const parts = [0, 1, 2].map((s) => all.filter((_, i) => i % 3 === s));
      const head = new HeadHandler({
        deployment: 'indexer',
        shards: parts.map((p, i) => shard(i, p, metric)),
        polling: 'ALL',
      });
      const queries = () => new DocumentArray(vectors(20, 8, 99).map((embedding, i) => ({ id: `q${i}`, embedding })));
      const req = new DataRequest({
        header: { execEndpoint: '/search' },
        parameters: { indexer__limit: 7 },
        docs: queries(),
      });
      const { response } = await head.handle([req]);
      const want = queries().match(all, { metric, limit: 7 });
      assert.equal(response.docs.length, 20);
      response.docs.forEach((q, i) => {
        assert.deepEqual(q.matches.ids, want.at(i)?.matches.ids, `query ${q.id}`);
        assert.deepEqual(
          q.matches.map((m) => m.scores[metric]?.value),
          want.at(i)?.matches.map((m) => m.scores[metric]?.value),
        );
      });
      head.close();
    });
  }
});
