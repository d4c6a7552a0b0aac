import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Document, type Filter } from '../../document/index.js';
import { BadRequestError } from '../../errors/index.js';
import type { DataRequest, SingleDocumentRequest } from '../../request/index.js';
import type { GraphDescription } from './graph-description.js';
import { type NodeClient, TopologyGraph } from './topology-graph.js';

/**
 * A node that streams `/s` (marking answers with its name) and answers ordinary requests by marking documents;
 * `calls` records who was asked what.
 */
function node(name: string, calls: string[], streams = true): NodeClient {
  const endpoints = ['/s', '/plain'];
  return {
    send: async (req: DataRequest) => {
      calls.push(`${name}:send`);
      for (const d of req.docs) d.tags = { ...d.tags, [name]: true };
      return req;
    },
    sendList: async () => assert.fail('no unreduced joins here'),
    endpoints: async () => endpoints,
    discovery: async () => ({
      endpoints,
      writeEndpoints: [],
      schemas: { '/s': { is_generator: streams } },
    }),
    async *streamDoc(req: SingleDocumentRequest) {
      calls.push(`${name}:stream`);
      yield { ...req, document: new Document({ text: name }) };
    },
  };
}

/** The graph over `node`s; `streaming` names the nodes that stream `/s` (default: all). */
function graph(description: GraphDescription, conditions: Record<string, Filter> = {}, streaming?: string[]) {
  const calls: string[] = [];
  const names = Object.keys(description).filter((n) => n !== 'start-gateway');
  const clients = Object.fromEntries(names.map((n) => [n, node(n, calls, streaming?.includes(n) ?? true)]));
  return { calls, g: new TopologyGraph({ graph: description, clients, conditions }) };
}

function req(tags: Record<string, string> = {}, extra: Partial<SingleDocumentRequest['header']> = {}) {
  return {
    header: { requestId: 'r', execEndpoint: '/s', ...extra },
    parameters: {},
    routes: [],
    document: new Document({ id: 'd', tags }),
  } satisfies SingleDocumentRequest;
}

async function texts(answers: AsyncIterable<SingleDocumentRequest>): Promise<string[]> {
  const out: string[] = [];
  for await (const a of answers) out.push(String(a.document?.text ?? a.document?.id));
  return out;
}

describe('TopologyGraph.streamDoc', () => {
  const parallel = { 'start-gateway': ['a', 'b'], a: ['end-gateway'], b: ['end-gateway'] };

  it('streams from the one executor the when filters lead to; only it is called', async () => {
    const { g, calls } = graph(parallel, { a: { tags__k: { $eq: 'a' } }, b: { tags__k: { $eq: 'b' } } });
    assert.deepEqual(await texts(g.streamDoc(req({ k: 'b' }))), ['b']);
    assert.deepEqual(calls, ['b:stream']);
  });

  it('a filter upstream counts: a document it removes never reaches the streaming executor', async () => {
    const chain = { 'start-gateway': ['gate'], gate: ['s'], s: ['end-gateway'] };
    const { g, calls } = graph(chain, { gate: { tags__k: { $eq: 'pass' } } }, ['s']);
    assert.deepEqual(await texts(g.streamDoc(req({ k: 'pass' }))), ['s']);
    assert.deepEqual(calls, ['s:stream']);
    calls.length = 0;
    // removed by gate's filter: nobody streams, the ordinary request runs (gate's filter empties it)
    assert.deepEqual(await texts(g.streamDoc(req({ k: 'stop' }))), []);
    assert.deepEqual(calls, ['gate:send', 's:send']);
    calls.length = 0;
    // a request targeted at `s` skips gate, whose filter then removes nothing
    assert.deepEqual(await texts(g.streamDoc(req({ k: 'stop' }, { targetExecutor: 's' }))), ['s']);
  });

  it('several executors reached: BadRequestError until targetExecutor picks one', async () => {
    const { g } = graph(parallel);
    await assert.rejects(texts(g.streamDoc(req())), (err: unknown) => {
      assert.ok(err instanceof BadRequestError);
      assert.match(err.message, /several executors this request reaches \((a, b|b, a)\)/);
      return true;
    });
    assert.deepEqual(await texts(g.streamDoc(req({}, { targetExecutor: 'b' }))), ['b']);
  });

  it('an endpoint nobody streams runs through the graph as an ordinary request, its documents streamed', async () => {
    const { g, calls } = graph(parallel, {}, []);
    const answers: SingleDocumentRequest[] = [];
    for await (const a of g.streamDoc(req())) answers.push(a);
    assert.deepEqual(
      answers.map((a) => a.document?.tags),
      [{ a: true, b: true }],
    );
    assert.deepEqual(calls.sort(), ['a:send', 'b:send']);
  });

  it('streamingEndpoints lists what some executor streams', async () => {
    assert.deepEqual(await graph(parallel).g.streamingEndpoints(['/plain', '/s']), ['/s']);
    assert.deepEqual(await graph(parallel, {}, []).g.streamingEndpoints(['/plain', '/s']), []);
  });
});
