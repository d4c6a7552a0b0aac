import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DocumentArray } from '../../document/index.js';
import { statusFromError, UnavailableError } from '../../errors/index.js';
import { type EndpointArgs, Executor, ExecutorRunner, requests } from '../../executor/index.js';
import {
  DataRequest,
  decodeDataRequest,
  decodeDataRequestList,
  encodeDataRequest,
  encodeDataRequestList,
  nowTimestamp,
} from '../../request/index.js';
import { type NodeClient, TopologyGraph } from './topology-graph.js';

/** A node client that runs an executor in-process but crosses the wire format both ways, like a worker. */
function local(name: string, exec: Executor, calls: string[] = []): NodeClient {
  const runner = new ExecutorRunner(exec, name);
  const handle = async (req: DataRequest, docsMatrix?: DocumentArray[]): Promise<DataRequest> => {
    calls.push(name);
    const route = req.addRoute(name);
    try {
      const r = await runner.invoke({
        endpoint: req.header.execEndpoint ?? '/default',
        docs: req.docs,
        parameters: req.parameters,
        ...(docsMatrix ? { docsMatrix } : {}),
      });
      req.docs = r.docs;
      if (r.results)
        req.parameters = {
          ...req.parameters,
          __results__: { ...(req.parameters.__results__ as object), [name]: r.results },
        };
    } catch (err) {
      req.header.status = statusFromError(err, name);
      route.status = req.header.status;
    }
    route.endTime = nowTimestamp();
    return decodeDataRequest(encodeDataRequest(req));
  };
  return {
    send: async (req) => handle(decodeDataRequest(encodeDataRequest(req))),
    sendList: async (reqs) => {
      const list = decodeDataRequestList(encodeDataRequestList(reqs));
      const base = list[0] as DataRequest;
      return handle(
        base,
        list.map((r) => r.docs),
      );
    },
    endpoints: async () => exec.endpoints,
  };
}

class Tagger extends Executor {
  @requests()
  tag({ docs }: EndpointArgs): void {
    for (const d of docs) d.tags[this.metas.name] = true;
  }
}

class Hello extends Executor {
  @requests()
  hello({ docs }: EndpointArgs): void {
    for (const d of docs) d.text = `${d.text ?? ''}hello, world!`;
  }
}

function request(docs: DocumentArray, endpoint = '/', extra: Partial<DataRequest['header']> = {}): DataRequest {
  return new DataRequest({ header: { execEndpoint: endpoint, ...extra }, docs });
}

describe('TopologyGraph', () => {
  it('runs a chain (the hello world)', async () => {
    const g = new TopologyGraph({
      graph: { 'start-gateway': ['a'], a: ['b'], b: ['end-gateway'] },
      clients: { a: local('a', new Hello()), b: local('b', new Hello()) },
    });
    const res = await g.process(request(DocumentArray.empty(2)));
    assert.deepEqual(res.docs.texts, ['hello, world!hello, world!', 'hello, world!hello, world!']);
    assert.deepEqual(
      res.routes.map((r) => r.executor),
      ['gateway', 'a', 'b'],
    );
    assert.ok(res.routes[0]?.endTime);
  });

  it('joins reduce by id so fields set by different branches all arrive, in input order', async () => {
    class Embed extends Executor {
      @requests()
      e({ docs }: EndpointArgs): DocumentArray {
        // answers in reverse order to check the gateway restores input order
        const out = docs.toArray().reverse();
        for (const d of out) d.embedding = [1, 2];
        return DocumentArray.wrap(out);
      }
    }
    const g = new TopologyGraph({
      graph: { 'start-gateway': ['tags', 'embed'], tags: ['join'], embed: ['join'], join: ['end-gateway'] },
      clients: {
        tags: local('tags', new Tagger({ metas: { name: 'tags' } })),
        embed: local('embed', new Embed()),
        join: local('join', new Tagger({ metas: { name: 'join' } })),
      },
    });
    const input = new DocumentArray([{ id: 'x' }, { id: 'y' }, { id: 'z' }]);
    const res = await g.process(request(input));
    assert.deepEqual(res.docs.ids, ['x', 'y', 'z']);
    for (const d of res.docs) {
      assert.deepEqual(d.tags, { tags: true, join: true });
      assert.equal(d.embedding?.size, 2);
    }
    assert.deepEqual(res.routes.map((r) => r.executor).sort(), ['embed', 'gateway', 'join', 'tags']);
  });

  it('passes docsMatrix to noReduce joins', async () => {
    class Matrix extends Executor {
      @requests()
      m({ docsMatrix }: EndpointArgs): Record<string, unknown> {
        return { sizes: docsMatrix.map((d) => d.length) };
      }
    }
    class Drop extends Executor {
      @requests()
      d({ docs }: EndpointArgs): DocumentArray {
        return docs.slice(0, 1);
      }
    }
    const g = new TopologyGraph({
      graph: { 'start-gateway': ['a', 'b'], a: ['m'], b: ['m'], m: ['end-gateway'] },
      clients: { a: local('a', new Tagger()), b: local('b', new Drop()), m: local('m', new Matrix()) },
      noReduce: ['m'],
    });
    const res = await g.process(request(DocumentArray.empty(3)));
    assert.deepEqual(res.parameters.__results__, { m: { sizes: [3, 1] } });
  });

  it('applies when conditions per branch; filtered documents leave only that branch', async () => {
    const calls: string[] = [];
    const g = new TopologyGraph({
      graph: { 'start-gateway': ['cheap', 'dear'], cheap: ['end-gateway'], dear: ['end-gateway'] },
      clients: {
        cheap: local('cheap', new Tagger({ metas: { name: 'cheap' } }), calls),
        dear: local('dear', new Tagger({ metas: { name: 'dear' } }), calls),
      },
      conditions: { cheap: { tags__price: { $lt: 10 } }, dear: { tags__price: { $gte: 10 } } },
    });
    const input = new DocumentArray([
      { id: 'a', tags: { price: 5 } },
      { id: 'b', tags: { price: 50 } },
      { id: 'c', tags: { price: 1 } },
    ]);
    const res = await g.process(request(input));
    assert.deepEqual(res.docs.ids, ['a', 'b', 'c']);
    assert.equal(res.docs.get('a')?.tags.cheap, true);
    assert.equal(res.docs.get('a')?.tags.dear, undefined);
    assert.equal(res.docs.get('b')?.tags.dear, true);
    assert.equal(res.docs.get('b')?.tags.cheap, undefined);
  });

  it('chained conditions drop documents for the rest of the branch', async () => {
    const g = new TopologyGraph({
      graph: { 'start-gateway': ['a'], a: ['b'], b: ['end-gateway'] },
      clients: {
        a: local('a', new Tagger({ metas: { name: 'a' } })),
        b: local('b', new Tagger({ metas: { name: 'b' } })),
      },
      conditions: { a: { tags__k: { $gt: 1 } }, b: { tags__k: { $gt: 2 } } },
    });
    const res = await g.process(request(new DocumentArray([1, 2, 3, 4].map((k) => ({ id: `d${k}`, tags: { k } })))));
    assert.deepEqual(res.docs.ids, ['d3', 'd4']);
  });

  it('targetExecutor restricts which executors run', async () => {
    const calls: string[] = [];
    const g = new TopologyGraph({
      graph: { 'start-gateway': ['enc'], enc: ['idx'], idx: ['end-gateway'] },
      clients: { enc: local('enc', new Tagger(), calls), idx: local('idx', new Tagger(), calls) },
    });
    await g.process(request(DocumentArray.empty(1), '/', { targetExecutor: 'idx' }));
    assert.deepEqual(calls, ['idx']);
    calls.length = 0;
    await g.process(request(DocumentArray.empty(1), '/', { targetExecutor: 'e.*' }));
    assert.deepEqual(calls, ['enc']);
  });

  it('skips executors whose endpoints do not include the request endpoint', async () => {
    class OnlyIndex extends Executor {
      @requests({ on: '/index' })
      i({ docs }: EndpointArgs): void {
        for (const d of docs) d.text = 'indexed';
      }
    }
    const calls: string[] = [];
    const g = new TopologyGraph({
      graph: { 'start-gateway': ['a'], a: ['end-gateway'] },
      clients: { a: local('a', new OnlyIndex(), calls) },
    });
    await g.process(request(DocumentArray.empty(1), '/search'));
    assert.deepEqual(calls, []);
    const res = await g.process(request(DocumentArray.empty(1), '/index'));
    assert.equal(res.docs.at(0)?.text, 'indexed');
  });

  it('stops at an in-band executor error', async () => {
    class Boom extends Executor {
      @requests()
      b(): void {
        throw new TypeError('boom');
      }
    }
    const calls: string[] = [];
    const g = new TopologyGraph({
      graph: { 'start-gateway': ['a'], a: ['b'], b: ['end-gateway'] },
      clients: { a: local('a', new Boom(), calls), b: local('b', new Tagger(), calls) },
    });
    const res = await g.process(request(DocumentArray.empty(1)));
    assert.equal(res.header.status?.code, 1);
    assert.equal(res.header.status?.exception?.name, 'TypeError');
    assert.equal(res.header.status?.exception?.executor, 'a');
    assert.deepEqual(calls, ['a']);
  });

  it('transport errors name the executor', async () => {
    const dead: NodeClient = {
      send: async () => {
        throw new UnavailableError('cannot reach 127.0.0.1:1');
      },
      sendList: async () => {
        throw new UnavailableError('cannot reach 127.0.0.1:1');
      },
      endpoints: async () => undefined,
    };
    const g = new TopologyGraph({ graph: { 'start-gateway': ['x'], x: ['end-gateway'] }, clients: { x: dead } });
    await assert.rejects(g.process(request(DocumentArray.empty(1))), (e: Error & { code: string }) => {
      return e.code === 'WEFT_UNAVAILABLE' && /executor 'x'.*127\.0\.0\.1:1/.test(e.message);
    });
  });

  it('fires floating executors without waiting for them', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    class Slow extends Executor {
      done = false;
      @requests()
      async s(): Promise<void> {
        await gate;
        this.done = true;
      }
    }
    const slow = new Slow();
    const g = new TopologyGraph({
      graph: { 'start-gateway': ['main', 'logger'], main: ['end-gateway'], logger: [] },
      clients: { main: local('main', new Tagger()), logger: local('logger', slow) },
    });
    assert.deepEqual([...g.plan.floating], ['logger']);
    const res = await g.process(request(DocumentArray.empty(1)));
    assert.equal(res.docs.length, 1);
    assert.equal(slow.done, false);
    assert.equal(g.floatingInFlight, 1);
    release();
    await g.drainFloating();
    assert.equal(slow.done, true);
  });

  it('collects __results__ and restores the input parameters', async () => {
    class Count extends Executor {
      @requests()
      c({ docs }: EndpointArgs): Record<string, number> {
        return { n: docs.length };
      }
    }
    const g = new TopologyGraph({
      graph: { 'start-gateway': ['a'], a: ['b'], b: ['end-gateway'] },
      clients: { a: local('a', new Count()), b: local('b', new Count()) },
    });
    const req = request(DocumentArray.empty(2));
    req.parameters = { p: 1 };
    const res = await g.process(req);
    assert.deepEqual(res.parameters, { p: 1, __results__: { a: { n: 2 }, b: { n: 2 } } });
  });

  it('rejects invalid graphs with coded errors', () => {
    const clients = { a: local('a', new Tagger()), b: local('b', new Tagger()) };
    assert.throws(() => new TopologyGraph({ graph: { a: ['b'] }, clients }), { code: 'WEFT_CONFIG' });
    assert.throws(
      () => new TopologyGraph({ graph: { 'start-gateway': ['a'], a: ['b'], b: ['a'] }, clients }),
      /cycle: .*a → b → a/,
    );
    assert.throws(
      () => new TopologyGraph({ graph: { 'start-gateway': ['zz'], zz: ['end-gateway'] }, clients }),
      /no address known for executor 'zz'/,
    );
  });
});
