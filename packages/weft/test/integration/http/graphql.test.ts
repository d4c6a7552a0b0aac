// GraphQL on the HTTP gateway (`exposeGraphqlEndpoint`): field selection, nested matches, errors, GET and POST.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type InProcessWorker, startWorkerInProcess } from '../../../src/runtime/worker/index.js';
import { HttpEcho } from './fixtures/executors.js';
import { call, startHttpGateway, type TestGateway } from './helpers.js';

let worker: InProcessWorker;
let gw: TestGateway;

before(async () => {
  worker = await startWorkerInProcess({ uses: HttpEcho, name: 'echo' });
  gw = await startHttpGateway({
    graph: { 'start-gateway': ['echo'], echo: ['end-gateway'] },
    addresses: { echo: [worker.address] },
    protocolOptions: { exposeGraphqlEndpoint: true },
  });
});

after(async () => {
  await gw?.stop();
  await worker?.stop({ graceMs: 1000 });
});

describe('HTTP gateway: GraphQL', () => {
  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const r = await call(gw.base, 'POST', '/graphql', { query, ...(variables ? { variables } : {}) });
    assert.equal(r.status, 200, r.text);
    return r.json as { data?: { docs: Record<string, unknown>[] } | null; errors?: GqlError[] };
  };
  interface GqlError {
    message: string;
    extensions?: { code?: string; status?: { exception?: { name: string; executor: string } } };
  }

  it('returns only the selected fields, nested matches to any depth', async () => {
    const r = await gql(`{
      docs(data: [{ id: "q1", text: "red dress" }], execEndpoint: "/matches") {
        id
        matches { id scores { name value opName } embedding tags matches { text } }
      }
    }`);
    assert.equal(r.errors, undefined);
    assert.deepEqual(r.data?.docs, [
      {
        id: 'q1',
        matches: [0, 1].map((i) => ({
          id: `q1-m${i}`,
          scores: [{ name: 'cosine', value: 1 - i / 4, opName: 'cosine' }],
          embedding: [i, 1, 2],
          tags: { rank: i },
          matches: [{ text: 'deep' }],
        })),
      },
    ]);
  });

  it('serves the same field as a mutation, with variables, parameters and the default endpoint /search', async () => {
    const r = await gql(
      `mutation Index($data: [DocumentInput!], $p: JSON) {
        docs(data: $data, parameters: $p) { text tags mimeType }
      }`,
      { data: [{ text: 'a', mimeType: 'text/plain', tags: { x: 1 } }], p: { limit: 2 } },
    );
    assert.equal(r.errors, undefined);
    assert.deepEqual(r.data?.docs, [{ text: 'a', tags: { x: 1, endpoint: '/search' }, mimeType: 'text/plain' }]);
    const params = await gql(
      '{ docs(data: [{}], execEndpoint: "/params", parameters: { limit: 2, deep: [1, "x"] }) { tags } }',
    );
    assert.deepEqual(params.data?.docs, [{ tags: { limit: 2, deep: [1, 'x'] } }]);
  });

  it('reports an executor exception as a GraphQL error carrying the remote exception', async () => {
    const r = await gql('{ docs(data: [{ text: "x" }], execEndpoint: "/fail") { id } }');
    assert.equal(r.data, null);
    assert.equal(r.errors?.[0]?.message, 'bad luck');
    assert.equal(r.errors?.[0]?.extensions?.code, 'WEFT_EXECUTOR');
    assert.equal(r.errors?.[0]?.extensions?.status?.exception?.name, 'RangeError');
    assert.equal(r.errors?.[0]?.extensions?.status?.exception?.executor, 'echo');
  });

  it('reports a malformed document naming the field', async () => {
    const r = await gql('{ docs(data: [{ text: "a" }, { tensor: "x" }], execEndpoint: "/foo") { id } }');
    assert.match(r.errors?.[0]?.message ?? '', /^data\[1\]\.tensor/);
    assert.equal(r.errors?.[0]?.extensions?.code, 'WEFT_BAD_DOCUMENT');
  });

  it('answers GET queries too', async () => {
    const q = encodeURIComponent('{ docs(data: [{ text: "g" }], execEndpoint: "/foo") { text } }');
    const r = await call(gw.base, 'GET', `/graphql?query=${q}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { data: { docs: [{ text: 'foo:g' }] } });
  });
});
