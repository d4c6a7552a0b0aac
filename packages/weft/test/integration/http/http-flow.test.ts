// A Flow serving HTTP (its own client speaks it) and gRPC side by side: the Client over HTTP end to end.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '../../../src/client/index.js';
import { Document, ExecutorError, Flow } from '../../../src/index.js';
import type { DataRequest } from '../../../src/request/index.js';
import { HttpEcho } from './fixtures/executors.js';

let flow: Flow;
let httpPort: number;

before(async () => {
  flow = await new Flow({ protocol: ['http', 'grpc'] }).add({ uses: HttpEcho, name: 'echo' }).start();
  httpPort = flow.endpoints.find((e) => e.protocol === 'http')?.port as number;
});

after(() => flow?.close());

describe('Client over HTTP against a Flow', () => {
  it('serves both protocols, the first one (http) for its own client', () => {
    assert.deepEqual(
      flow.endpoints.map((e) => e.protocol),
      ['http', 'grpc'],
    );
    assert.equal(flow.client.protocol, 'http');
    assert.equal(flow.port, httpPort);
  });

  it('pipelines requests and returns the documents in input order with resultsInOrder', async () => {
    // '/barrier' answers only once 4 requests wait there together, then in reverse order of arrival
    const inputs = ['a', 'b', 'c', 'd'].map((id) => new Document({ id, text: id }));
    const docs = await flow.post('/barrier', inputs, { requestSize: 1, resultsInOrder: true, parameters: { n: 4 } });
    assert.deepEqual(docs.ids, ['a', 'b', 'c', 'd']);
    // all four were waiting at the executor at once, then let go one by one (the order they arrived in is up to
    // the network; the conformance suite's '/order' test pins which answer completes last)
    assert.deepEqual(docs.map((d) => d.tags.released).sort(), [0, 1, 2, 3]);
  });

  it('reads generator inputs lazily, request by request', async () => {
    async function* inputs(): AsyncGenerator<{ text: string }> {
      for (let i = 0; i < 5; i++) yield { text: `g${i}` };
    }
    const docs = await flow.post('/foo', inputs(), { requestSize: 2, resultsInOrder: true });
    assert.deepEqual(docs.texts, ['foo:g0', 'foo:g1', 'foo:g2', 'foo:g3', 'foo:g4']);
    function* sync(): Generator<Document> {
      yield new Document({ text: 's' });
    }
    assert.deepEqual((await flow.post('/foo', sync())).texts, ['foo:s']);
  });

  it('streams whole responses: header, parameters and routes', async () => {
    const seen: DataRequest[] = [];
    for await (const res of flow.stream('/params', [{ text: 'x' }], { parameters: { k: 1 } })) seen.push(res);
    assert.equal(seen.length, 1);
    const res = seen[0] as DataRequest;
    assert.equal(res.header.execEndpoint, '/params');
    // results are keyed by the runtime that returned them (a Flow names replicas `<executor>/rep-<i>`)
    assert.deepEqual(res.parameters, { k: 1, __results__: { 'echo/rep-0': { seen: 1 } } });
    assert.deepEqual(
      res.routes.map((r) => r.executor),
      ['gateway', 'echo'],
    );
    assert.ok(res.routes.every((r) => r.startTime && r.endTime));
    assert.deepEqual(res.docs.at(0)?.tags, { k: 1 });
  });

  it('rejects with the executor’s own error, or reports it with continueOnError', async () => {
    await assert.rejects(flow.post('/fail', [{ text: 'x' }]), (err: Error) => {
      assert.ok(err instanceof ExecutorError, err.stack);
      assert.equal(err.name, 'RangeError');
      assert.equal(err.executor, 'echo/rep-0');
      assert.match(err.message, /bad luck/);
      return true;
    });
    const failed: DataRequest[] = [];
    const docs = await flow.post('/fail', [{ text: 'x' }], { continueOnError: true, onError: (r) => failed.push(r) });
    assert.equal(docs.length, 0);
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.header.status?.exception?.name, 'RangeError');
  });

  it('answers health, dry run and status over HTTP', async () => {
    const client = new Client({ host: `http://127.0.0.1:${httpPort}` });
    try {
      assert.equal(await client.isFlowReady(), true);
      assert.deepEqual(await client.dryRun(), { code: 0, description: '' });
      assert.equal((await client.status()).jina.runtime, 'gateway');
    } finally {
      await client.close();
    }
  });

  it('gives the same answers over gRPC on the other port', async () => {
    const grpcPort = flow.endpoints.find((e) => e.protocol === 'grpc')?.port as number;
    const client = new Client({ host: `grpc://127.0.0.1:${grpcPort}` });
    try {
      assert.deepEqual((await client.post('/foo', [{ text: 'both' }])).texts, ['foo:both']);
    } finally {
      await client.close();
    }
  });
});
