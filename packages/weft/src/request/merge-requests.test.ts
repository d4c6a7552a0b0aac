import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Document, DocumentArray, type JsonObject } from '../document/index.js';
import { statusFromError } from '../errors/index.js';
import { DataRequest, decodeDataRequest, encodeDataRequest, mergeRequests, RESULTS_KEY } from './index.js';

const t = (seconds: number) => ({ seconds, nanos: 0 });

function req(
  docs: { id: string; text?: string; tags?: Record<string, string> }[],
  routes: string[],
  results?: Record<string, unknown>,
): DataRequest {
  return new DataRequest({
    header: { requestId: 'r', execEndpoint: '/search' },
    parameters: results ? { limit: 2, [RESULTS_KEY]: results as JsonObject } : { limit: 2 },
    routes: routes.map((executor, i) => ({ executor, startTime: t(i + 1) })),
    docs: new DocumentArray(docs),
  });
}

describe('mergeRequests (the one merge rule)', () => {
  it('reduces documents by id in request order: present ones take missing fields, new ones are appended', () => {
    const a = req([{ id: 'x', text: 'from a' }, { id: 'y' }], ['gateway', 'a']);
    const b = req([{ id: 'y', text: 'from b' }, { id: 'z' }, { id: 'x', text: 'ignored' }], ['gateway', 'b']);
    const merged = mergeRequests([a, b]);
    assert.deepEqual(
      merged.docs.toArray().map((d) => [d.id, d.text]),
      [
        ['x', 'from a'],
        ['y', 'from b'],
        ['z', undefined],
      ],
    );
  });

  it('unions matches of the same document (DocumentArray.reduce)', () => {
    const a = req([{ id: 'q' }], ['s']);
    const b = req([{ id: 'q' }], ['s']);
    (a.docs.get('q') as Document).matches.push(new Document({ id: 'm1' }));
    (b.docs.get('q') as Document).matches.push(new Document({ id: 'm2' }), new Document({ id: 'm1' }));
    const merged = a.merge([b]);
    assert.deepEqual(
      (merged.docs.get('q') as Document).matches.toArray().map((m) => m.id),
      ['m1', 'm2'],
    );
  });

  it('appends routes in order, one entry per executor, the first entry kept', () => {
    const a = req([], ['gateway', 'left']);
    const b = req([], ['gateway', 'right']);
    const c = req([], ['gateway', 'left', 'extra']);
    const merged = mergeRequests([a, b, c]);
    assert.deepEqual(
      merged.routes.map((r) => [r.executor, r.startTime?.seconds]),
      [
        ['gateway', 1],
        ['left', 2],
        ['right', 2],
        ['extra', 3],
      ],
    );
  });

  it('a kept route takes the error status of a later entry of the same executor', () => {
    const a = req([], ['shard']);
    const b = req([], ['shard']);
    const failure = statusFromError(new Error('boom'), 'shard/rep-0');
    (b.routes[0] as { status?: unknown }).status = failure;
    const merged = mergeRequests([a, b]);
    assert.equal(merged.routes.length, 1);
    assert.equal(merged.routes[0]?.status?.code, 1);
  });

  it('accumulates __results__ by runtime name; a key already present keeps its value', () => {
    const a = req([], ['a'], { 'a/rep-0': { n: 1 } });
    const b = req([], ['b'], { 'b/rep-0': { n: 2 }, 'a/rep-0': { n: 99 } });
    const c = req([], ['c']);
    const merged = mergeRequests([c, a, b]);
    assert.deepEqual(merged.parameters[RESULTS_KEY], { 'a/rep-0': { n: 1 }, 'b/rep-0': { n: 2 } });
    assert.equal(merged.parameters.limit, 2);
  });

  it('the first error status wins, so an error of any input propagates', () => {
    const ok = req([{ id: 'x' }], ['s']);
    const first = req([], ['s']);
    first.header.status = statusFromError(new RangeError('first'), 's/rep-1');
    const second = req([], ['s']);
    second.header.status = statusFromError(new TypeError('second'), 's/rep-2');
    const merged = mergeRequests([ok, first, second]);
    assert.ok(merged.isError);
    assert.equal(merged.status?.exception?.name, 'RangeError');
    const own = req([], ['s']);
    own.header.status = statusFromError(new SyntaxError('own'), 's/rep-0');
    assert.equal(mergeRequests([own, first]).status?.exception?.name, 'SyntaxError');
  });

  it("copy 'none' merges into the first request; 'first' and 'all' leave the inputs untouched", () => {
    const make = () => [req([{ id: 'x' }], ['a']), req([{ id: 'x', text: 'b' }, { id: 'y' }], ['b'])] as const;
    const [a, b] = make();
    assert.equal(mergeRequests([a, b]), a);
    assert.equal(a.docs.get('x')?.text, 'b');

    const [a2, b2] = make();
    const copied = mergeRequests([a2, b2], { copy: 'first' });
    assert.notEqual(copied, a2);
    assert.equal(a2.docs.get('x')?.text, undefined);
    assert.equal(a2.docs.length, 1);
    assert.deepEqual(
      a2.routes.map((r) => r.executor),
      ['a'],
    );
    assert.equal(copied.docs.get('y'), b2.docs.get('y'), "'first' takes the others' documents by reference");

    const [a3, b3] = make();
    const isolated = mergeRequests([a3, b3], { copy: 'all' });
    assert.notEqual(isolated.docs.get('y'), b3.docs.get('y'));
    assert.equal(isolated.docs.get('y')?.id, 'y');
  });

  it('works on requests whose documents arrived as bytes', () => {
    const a = decodeDataRequest(encodeDataRequest(req([{ id: 'x' }], ['a'])));
    const b = decodeDataRequest(encodeDataRequest(req([{ id: 'y' }], ['b'])));
    const merged = decodeDataRequest(encodeDataRequest(mergeRequests([a, b])));
    assert.deepEqual(
      merged.docs.toArray().map((d) => d.id),
      ['x', 'y'],
    );
  });

  it('a single request comes back as it is; none is a RangeError', () => {
    const a = req([{ id: 'x' }], ['a']);
    assert.equal(mergeRequests([a], { copy: 'all' }), a);
    assert.throws(() => mergeRequests([]), RangeError);
  });
});
