import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DocumentArray, type JsonObject } from '../../document/index.js';
import { type EndpointArgs, Executor, ExecutorRunner, requests } from '../../executor/index.js';
import { DataRequest, decodeDataRequest, encodeDataRequest } from '../../request/index.js';
import { RequestHandler } from './request-handler.js';

class Exec extends Executor {
  seen: EndpointArgs[] = [];

  @requests({ on: '/mutate' })
  mutate(args: EndpointArgs): void {
    this.seen.push(args);
    for (const d of args.docs) d.text = `${d.text ?? ''}!`;
  }

  @requests({ on: '/new' })
  fresh(): DocumentArray {
    return new DocumentArray([{ id: 'fresh' }]);
  }

  @requests({ on: '/same' })
  same({ docs }: EndpointArgs): DocumentArray {
    return docs;
  }

  @requests({ on: '/result' })
  result(args: EndpointArgs): JsonObject {
    this.seen.push(args);
    return { n: args.docs.length };
  }

  @requests({ on: '/not-json' })
  notJson(): JsonObject {
    return { when: new Date(0) } as unknown as JsonObject;
  }

  @requests({ on: '/boom' })
  boom(): void {
    throw new SyntaxError('unexpected token');
  }
}

function setup(name = 'exec/rep-1'): { handler: RequestHandler; exec: Exec; errors: unknown[] } {
  const exec = new Exec({ metas: { name: 'exec' } });
  const errors: unknown[] = [];
  return { handler: new RequestHandler(new ExecutorRunner(exec, name), name, (e) => errors.push(e)), exec, errors };
}

/** A request as the worker receives it: decoded from bytes, documents not yet decoded. */
function received(endpoint: string | undefined, docs: string[] = ['a'], parameters: JsonObject = {}): DataRequest {
  const req = new DataRequest({
    header: endpoint === undefined ? { requestId: 'r' } : { requestId: 'r', execEndpoint: endpoint },
    parameters,
    docs: new DocumentArray(docs.map((id) => ({ id, text: id }))),
  });
  return decodeDataRequest(encodeDataRequest(req));
}

describe('RequestHandler', () => {
  it('names routes after the deployment and results after the runtime', async () => {
    const { handler } = setup('exec/rep-1');
    assert.equal(handler.deploymentName, 'exec');
    const { request, isError } = await handler.handle(received('/result', ['a', 'b'], { k: 1 }));
    assert.equal(isError, false);
    assert.deepEqual(request.parameters, { k: 1, __results__: { 'exec/rep-1': { n: 2 } } });
    assert.equal(request.routes.length, 1);
    assert.equal(request.routes[0]?.executor, 'exec');
    assert.ok(request.routes[0]?.endTime);
  });

  it('keeps the mutated input when the endpoint returns nothing or the same array, replaces on a new one', async () => {
    const { handler } = setup();
    const kept = await handler.handle(received('/mutate', ['a']));
    assert.equal(kept.request.docs.at(0)?.text, 'a!');
    const same = await handler.handle(received('/same', ['a']));
    assert.deepEqual(same.request.docs.ids, ['a']);
    const fresh = await handler.handle(received('/new', ['a']));
    assert.deepEqual(fresh.request.docs.ids, ['fresh']);
  });

  it('passes unserved endpoints and dry runs through without decoding the documents', async () => {
    const { handler, exec } = setup();
    for (const endpoint of ['/nobody', '_jina_dry_run_', undefined]) {
      const req = received(endpoint);
      const raw = req.rawDocs;
      const { request } = await handler.handle(req);
      assert.equal(request.docsDecoded, false, String(endpoint));
      assert.equal(request.rawDocs, raw);
      assert.equal(request.routes.length, 0);
    }
    assert.equal(exec.seen.length, 0);
  });

  it('turns an exception into an in-band status on the header and the route', async () => {
    const { handler, errors } = setup();
    const { request, isError } = await handler.handle(received('/boom', ['a']));
    assert.equal(isError, true);
    assert.equal(request.header.status?.code, 1);
    assert.equal(request.header.status?.exception?.name, 'SyntaxError');
    assert.equal(request.header.status?.exception?.executor, 'exec/rep-1');
    assert.deepEqual(request.routes[0]?.status, request.header.status);
    assert.deepEqual(request.docs.ids, ['a']);
    assert.equal(errors.length, 1);
  });

  it('rejects results that are not JSON as an ExecutorReturnError, in-band', async () => {
    const { handler } = setup();
    const { request, isError } = await handler.handle(received('/not-json'));
    assert.equal(isError, true);
    assert.equal(request.header.status?.exception?.name, 'ExecutorReturnError');
    assert.match(request.header.status?.exception?.args[0] ?? '', /__results__\.exec\/rep-1\.when/);
    assert.equal(request.parameters.__results__, undefined);
  });

  it('throws a WEFT_DECODE error (not an in-band status) for undecodable documents', async () => {
    const { handler } = setup();
    const req = new DataRequest({ header: { requestId: 'x', execEndpoint: '/mutate' } });
    req.setRawDocs(new Uint8Array([0x0a, 0x10, 0x01]));
    await assert.rejects(handler.handle(req), { code: 'WEFT_DECODE' });
    const opaque = new DataRequest({ header: { requestId: 'y', execEndpoint: '/mutate' } });
    opaque.setRawDocs(undefined, new Uint8Array([1, 2]));
    await assert.rejects(handler.handle(opaque), { code: 'WEFT_BAD_REQUEST' });
  });

  it('handles a list: matrix and map per parent, reduced docs, merged routes and results', async () => {
    const { handler, exec } = setup();
    const a = received('/mutate', ['x', 'y'], { __results__: { up1: 1 } });
    a.routes.push({ executor: 'left' });
    const b = received('/mutate', ['y', 'z'], { __results__: { up2: 2 } });
    b.routes.push({ executor: 'right' });
    const { request } = await handler.handleList([a, b]);
    const args = exec.seen[0] as EndpointArgs;
    assert.deepEqual(
      args.docsMatrix.map((m) => m.ids),
      [
        ['x', 'y'],
        ['y', 'z'],
      ],
    );
    assert.deepEqual(Object.keys(args.docsMap), ['left', 'right']);
    assert.deepEqual(args.docs.ids, ['x', 'y', 'z']);
    // the executor mutated a reduced copy: the matrix itself is untouched
    assert.equal(args.docsMatrix[0]?.at(0)?.text, 'x');
    assert.deepEqual(
      request.docs.map((d) => d.text),
      ['x!', 'y!', 'z!'],
    );
    assert.deepEqual(
      request.routes.map((r) => r.executor),
      ['left', 'right', 'exec'],
    );
    assert.deepEqual(request.parameters.__results__, { up1: 1, up2: 2 });
    await assert.rejects(handler.handleList([]), { code: 'WEFT_BAD_REQUEST' });
  });

  it('encodes an answer, or an in-band error when the answer has no wire form', () => {
    const { handler } = setup();
    const ok = handler.encode({ request: received('/x'), isError: false });
    assert.equal(decodeDataRequest(ok.bytes).header.requestId, 'r');
    const bad = received('/x');
    bad.parameters = { n: Number.NaN } as unknown as JsonObject;
    const out = handler.encode({ request: bad, isError: false });
    assert.equal(out.isError, true);
    const back = decodeDataRequest(out.bytes);
    assert.equal(back.header.status?.code, 1);
    assert.equal(back.docs.length, 0);
  });
});
