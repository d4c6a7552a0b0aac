// A Flow DAG with two branches from the gateway joined twice: `join` reduces its parents' answers by document id,
// `matrix` gets them unreduced (`noReduce` → docsMatrix/docsMap). Also dry run through the Client and through a
// client generated from jina.proto alone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Flow } from '../../../src/index.js';
import type { DataRequest } from '../../../src/request/index.js';
import { Inspect, Left, Matrix, Right } from './fixtures/executors.js';
import { ProtoGatewayClient } from './fixtures/proto-client.js';
import { results } from './helpers.js';

async function request(flow: Flow, endpoint: string, ids: string[]): Promise<DataRequest> {
  const answers: DataRequest[] = [];
  for await (const res of flow.stream(
    endpoint,
    ids.map((id) => ({ id })),
  ))
    answers.push(res);
  assert.equal(answers.length, 1);
  return answers[0] as DataRequest;
}

// the timeout only turns a hang into a failure
describe('Flow DAG: joins', { timeout: 180_000 }, () => {
  // port 0: any free port, which the Flow then names
  const flow = new Flow({ port: 0 })
    .add({ name: 'left', uses: Left, needs: 'gateway' })
    .add({ name: 'right', uses: Right, needs: 'gateway' })
    .add({ name: 'join', uses: Inspect, needs: ['left', 'right'] })
    .add({ name: 'matrix', uses: Matrix, needs: ['left', 'right'], noReduce: true });
  before(() => flow.start());
  after(() => flow.close());

  it('names the free port it chose for port 0', () => {
    assert.notEqual(flow.port, 0);
    assert.equal(flow.endpoints[0]?.url, `grpc://127.0.0.1:${flow.port}`);
  });

  it('builds the routing graph from needs', () => {
    assert.deepEqual(flow.graph, {
      'start-gateway': ['left', 'right'],
      left: ['join', 'matrix'],
      right: ['join', 'matrix'],
      join: ['end-gateway'],
      matrix: ['end-gateway'],
    });
  });

  it('a reducing join receives the fields every branch set, merged by document id', async () => {
    const res = await request(flow, '/', ['a', 'b']);
    const seen = results(res)['join/rep-0']?.docs;
    assert.deepEqual(seen, [
      { id: 'a', text: 'left saw a', embedding: true, right: true, matches: ['a-left', 'a-right'] },
      { id: 'b', text: 'left saw b', embedding: true, right: true, matches: ['b-left', 'b-right'] },
    ]);
    // and so does the client: text from one branch, embedding and tags from the other, matches from both
    assert.deepEqual(
      res.docs.map((d) => [d.id, d.text, [...(d.embedding?.data ?? [])], d.tags.right, d.matches.map((m) => m.id)]),
      [
        ['a', 'left saw a', [1, 2, 3], true, ['a-left', 'a-right']],
        ['b', 'left saw b', [1, 2, 3], true, ['b-left', 'b-right']],
      ],
    );
    assert.deepEqual(
      res.routes.map((r) => r.executor),
      ['gateway', 'left', 'right', 'join', 'matrix'],
    );
  });

  it('a noReduce join receives one DocumentArray per parent (docsMatrix) and docsMap by parent name', async () => {
    const res = await request(flow, '/', ['a', 'b', 'c']);
    assert.deepEqual(results(res)['matrix/rep-0'], {
      rows: [3, 3],
      texts: [
        ['left saw a', 'left saw b', 'left saw c'],
        [null, null, null],
      ],
      parents: ['left', 'right'],
      reduced: 3,
    });
  });

  it('answers documents in the order the client sent them, whatever order the branches answered in', async () => {
    const ids = ['d1', 'd2', 'd3', 'd4', 'd5'];
    const res = await request(flow, '/reverse', ids);
    // both branches reversed them, so the join saw them reversed …
    assert.deepEqual(
      ((results(res)['join/rep-0']?.docs ?? []) as { id: string }[]).map((d) => d.id),
      [...ids].reverse(),
    );
    // … and the gateway put them back
    assert.deepEqual(
      res.docs.map((d) => d.id),
      ids,
    );
    assert.deepEqual(
      (
        await flow.post(
          '/reverse',
          ids.map((id) => ({ id })),
        )
      ).map((d) => d.id),
      ids,
    );
  });

  it('dry run succeeds with every executor up (Client and JinaGatewayDryRunRPC/dry_run)', async () => {
    const status = await flow.client.dryRun();
    assert.equal(status.code, 0, status.description);
    const proto = new ProtoGatewayClient(`127.0.0.1:${flow.port}`);
    try {
      const s = await proto.dryRun();
      assert.equal(s.code ?? 'SUCCESS', 'SUCCESS', s.description);
    } finally {
      proto.close();
    }
  });
});
