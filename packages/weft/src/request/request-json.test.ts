import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DocumentArray } from '../document/index.js';
import { BadDocumentError, BadRequestError, statusFromError } from '../errors/index.js';
import { DataRequest, requestFromJson, requestToJson, statusFromJson, statusToJson } from './index.js';

function thrown(fn: () => unknown): Error & { details?: Record<string, unknown> } {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  assert.fail('expected an error');
}

describe('requestFromJson', () => {
  it('reads a camelCase /post body', () => {
    const req = requestFromJson({
      execEndpoint: '/search',
      targetExecutor: 'enc.*',
      data: [{ text: 'hello world' }, { id: 'd2', tags: { k: 5 }, embedding: [0.5, 1] }],
      parameters: { limit: 3, ranker__threshold: 0.5 },
    });
    assert.equal(req.header.execEndpoint, '/search');
    assert.equal(req.header.targetExecutor, 'enc.*');
    assert.match(req.header.requestId, /^[0-9a-f]{32}$/);
    assert.deepEqual(req.parameters, { limit: 3, ranker__threshold: 0.5 });
    assert.equal(req.docs.length, 2);
    assert.equal(req.docs.at(0)?.text, 'hello world');
    assert.equal(req.docs.at(1)?.id, 'd2');
    assert.deepEqual(req.docs.at(1)?.tags, { k: 5 });
    assert.deepEqual([...(req.docs.at(1)?.embedding?.data ?? [])], [0.5, 1]);
  });

  it('reads snake_case keys, data as { docs }, and a header', () => {
    const req = requestFromJson({
      exec_endpoint: '/index',
      target_executor: 'indexer',
      header: { request_id: 'abc', timeout: 17 },
      data: { docs: [{ id: 'x', mime_type: 'text/plain', parent_id: 'p' }] },
    });
    assert.equal(req.header.requestId, 'abc');
    assert.equal(req.header.execEndpoint, '/index');
    assert.equal(req.header.targetExecutor, 'indexer');
    assert.equal(req.header.timeout, 17);
    assert.equal(req.docs.at(0)?.mimeType, 'text/plain');
    assert.equal(req.docs.at(0)?.parentId, 'p');
  });

  it('lets top-level keys win over the header, and a route-bound endpoint win over both', () => {
    const body = { execEndpoint: '/a', header: { execEndpoint: '/b', targetExecutor: 'x' } };
    assert.equal(requestFromJson(body).header.execEndpoint, '/a');
    assert.equal(requestFromJson(body).header.targetExecutor, 'x');
    assert.equal(requestFromJson({ header: { exec_endpoint: '/b' } }).header.execEndpoint, '/b');
    assert.equal(requestFromJson(body, { execEndpoint: '/index' }).header.execEndpoint, '/index');
  });

  it('uses the default endpoint only when the body names none', () => {
    assert.equal(requestFromJson({}, { defaultEndpoint: '/' }).header.execEndpoint, '/');
    assert.equal(requestFromJson({ execEndpoint: '/x' }, { defaultEndpoint: '/' }).header.execEndpoint, '/x');
    assert.equal(requestFromJson({}).header.execEndpoint, undefined);
  });

  it('takes strings in data as text documents and a lone object as one document', () => {
    assert.deepEqual(requestFromJson({ data: ['a', 'b'] }).docs.texts, ['a', 'b']);
    assert.deepEqual(requestFromJson({ data: { text: 'solo' } }).docs.texts, ['solo']);
    assert.equal(requestFromJson({ data: null }).docs.length, 0);
    assert.equal(requestFromJson({ data: { docs: null } }).docs.length, 0);
  });

  it('ignores unknown top-level keys, as Jina does', () => {
    assert.equal(requestFromJson({ data: [], request_size: 10 }).docs.length, 0);
  });

  it('names the document field at fault, from its place in the body', () => {
    const err = thrown(() => requestFromJson({ data: [{}, {}, {}, { tensor: 'not numbers' }] })) as BadDocumentError;
    assert.ok(err instanceof BadDocumentError);
    assert.match(err.message, /^data\[3\]\.tensor/);
    assert.equal(err.details.field, 'data[3].tensor');

    const nested = thrown(() => requestFromJson({ data: [{ chunks: [{ bogus: 1 }] }] })) as BadDocumentError;
    assert.match(nested.message, /^data\[0\]\.chunks\[0\]\.bogus is not a Document field/);

    const inDocs = thrown(() => requestFromJson({ data: { docs: [{ text: 'a' }, 7] } }));
    assert.ok(inDocs instanceof BadDocumentError);
    assert.match(inDocs.message, /^data\.docs\[1\] must be a document object/);

    const twoContents = thrown(() => requestFromJson({ data: [{ text: 'a', tensor: [1, 2] }] }));
    assert.ok(twoContents instanceof BadDocumentError);
    assert.match(twoContents.message, /^data\[0\]: Document content fields are mutually exclusive/);
    assert.equal((twoContents as BadDocumentError).details.field, 'data[0]');
  });

  it('names the envelope field at fault', () => {
    const cases: [unknown, RegExp][] = [
      [[], /request body must be a JSON object, got a list/],
      ['text', /request body must be a JSON object/],
      [{ parameters: 5 }, /^parameters must be a plain JSON object/],
      [{ parameters: [1] }, /^parameters must be a plain JSON object/],
      [{ execEndpoint: 3 }, /^execEndpoint: must be a string, got number 3/],
      [{ header: { requestId: 4 } }, /^header\.requestId: must be a string/],
      [{ header: 'x' }, /^header: must be an object/],
      [{ data: 5 }, /^data: must be a list of documents/],
      [{ data: { docs: 'x' } }, /^data\.docs: must be a list of documents/],
      [{ routes: {} }, /^routes: must be a list/],
      [{ routes: [{ executor: 'a', startTime: 'yesterday' }] }, /^routes\[0\]\.startTime: must be an ISO-8601 time/],
      [{ header: { status: { code: 'BAD' } } }, /^header\.status\.code: must be 0, 1/],
    ];
    for (const [body, re] of cases) {
      const err = thrown(() => requestFromJson(body));
      assert.ok(err instanceof BadRequestError, `${JSON.stringify(body)} → ${err.name}`);
      assert.match(err.message, re, JSON.stringify(body));
    }
  });
});

describe('requestToJson', () => {
  const status = statusFromError(new RangeError('too far'), 'ranker');
  const req = new DataRequest({
    header: { requestId: 'r1', execEndpoint: '/search', status },
    parameters: { limit: 3, __results__: { ranker: { n: 1 } } },
    routes: [
      {
        executor: 'gateway',
        startTime: { seconds: 1700000000, nanos: 123456789 },
        endTime: { seconds: 1700000001, nanos: 0 },
      },
      { executor: 'ranker', startTime: { seconds: 1700000000, nanos: 500000000 }, status },
    ],
    docs: new DocumentArray([
      { id: 'd1', text: 'hi', mimeType: 'text/plain', matches: [{ id: 'm1', scores: { cos: 0.5 } }] },
    ]),
  });

  it('writes Jina’s v1 HTTP response shape in camelCase', () => {
    const json = requestToJson(req);
    assert.deepEqual(json.header, {
      requestId: 'r1',
      execEndpoint: '/search',
      targetExecutor: '',
      status: statusToJson(status),
    });
    assert.equal(json.header.status?.code, 1);
    assert.equal(json.header.status?.exception?.name, 'RangeError');
    assert.equal(json.header.status?.exception?.executor, 'ranker');
    assert.deepEqual(json.parameters, { limit: 3, __results__: { ranker: { n: 1 } } });
    assert.deepEqual(json.routes[0], {
      executor: 'gateway',
      startTime: '2023-11-14T22:13:20.123456Z',
      endTime: '2023-11-14T22:13:21.000000Z',
    });
    assert.equal(json.routes[1]?.status?.code, 1);
    assert.deepEqual(json.data, [
      { id: 'd1', text: 'hi', mime_type: 'text/plain', matches: [{ id: 'm1', scores: { cos: { value: 0.5 } } }] },
    ]);
  });

  it('writes snake_case keys on request', () => {
    const json = requestToJson(req, { casing: 'snake' });
    assert.deepEqual(Object.keys(json.header), ['request_id', 'exec_endpoint', 'target_executor', 'status']);
    assert.deepEqual(Object.keys(json.routes[0] ?? {}), ['executor', 'start_time', 'end_time']);
  });

  it('round-trips through JSON text in both casings', () => {
    for (const casing of ['camel', 'snake'] as const) {
      const back = requestFromJson(JSON.parse(JSON.stringify(requestToJson(req, { casing: casing as 'camel' }))));
      assert.equal(back.header.requestId, 'r1');
      assert.equal(back.header.execEndpoint, '/search');
      assert.deepEqual(back.header.status, status);
      assert.deepEqual(back.parameters, req.parameters);
      assert.equal(back.routes.length, 2);
      // ISO times keep microseconds: nanos below a microsecond are lost, as in Jina's JSON
      assert.deepEqual(back.routes[0]?.startTime, { seconds: 1700000000, nanos: 123456000 });
      assert.deepEqual(back.routes[1]?.status, status);
      assert.equal(back.docs.at(0)?.matches.at(0)?.scores.cos?.value, 0.5);
      assert.equal(back.docs.at(0)?.mimeType, 'text/plain');
    }
  });
});

describe('statusFromJson', () => {
  it('accepts Jina’s enum names and integer codes', () => {
    assert.equal(statusFromJson({ code: 'ERROR', description: 'x' }).code, 1);
    assert.equal(statusFromJson({ code: 'SUCCESS' }).code, 0);
    assert.equal(statusFromJson({}).code, 0);
    assert.deepEqual(statusFromJson({ code: 1, exception: { name: 'E', args: ['a'] } }).exception, {
      name: 'E',
      args: ['a'],
      stacks: [],
      executor: '',
    });
    assert.throws(
      () => statusFromJson({ exception: { args: [1] } }),
      /status\.exception\.args: must be a list of strings/,
    );
  });
});
