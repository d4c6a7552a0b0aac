import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Document, DocumentArray } from '../document/index.js';
import { dynamicBatching, requests } from './decorators.js';
import { type EndpointArgs, Executor } from './executor.js';
import { ExecutorRunner } from './executor-runner.js';

class Base extends Executor {
  @requests({ on: '/a' })
  a({ docs }: EndpointArgs): void {
    for (const d of docs) d.tags.by = 'base.a';
  }

  @requests({ on: ['/b', '/c'] })
  bc({ docs }: EndpointArgs): void {
    for (const d of docs) d.tags.by = 'base.bc';
  }

  @requests()
  fallback({ docs }: EndpointArgs): void {
    for (const d of docs) d.tags.by = 'base.default';
  }
}

class Child extends Base {
  @requests({ on: '/b' })
  b({ docs }: EndpointArgs): void {
    for (const d of docs) d.tags.by = 'child.b';
  }

  override a({ docs }: EndpointArgs): void {
    for (const d of docs) d.tags.by = 'child.a';
  }
}

class NoDefault extends Executor {
  @requests({ on: '/only' })
  only({ docs }: EndpointArgs): void {
    for (const d of docs) d.text = 'touched';
  }
}

async function call(exec: Executor, endpoint: string, docs = DocumentArray.empty(1), parameters = {}) {
  return new ExecutorRunner(exec).invoke({ endpoint, docs, parameters });
}

describe('Executor endpoints', () => {
  it('routes by endpoint, binds several endpoints, falls back to the default endpoint', async () => {
    const e = new Base();
    assert.deepEqual(e.endpoints.sort(), ['/a', '/b', '/c', '/default']);
    assert.equal((await call(e, '/a')).docs.at(0)?.tags.by, 'base.a');
    assert.equal((await call(e, '/c')).docs.at(0)?.tags.by, 'base.bc');
    assert.equal((await call(e, '/unknown')).docs.at(0)?.tags.by, 'base.default');
  });

  it('inherits tables; subclasses override bindings and methods', async () => {
    const e = new Child();
    assert.equal((await call(e, '/b')).docs.at(0)?.tags.by, 'child.b');
    assert.equal((await call(e, '/c')).docs.at(0)?.tags.by, 'base.bc');
    assert.equal((await call(e, '/a')).docs.at(0)?.tags.by, 'child.a');
    assert.equal((await call(new Base(), '/b')).docs.at(0)?.tags.by, 'base.bc');
  });

  it('passes unbound endpoints through unchanged when there is no default', async () => {
    const docs = new DocumentArray([{ text: 'x' }]);
    const r = await call(new NoDefault(), '/nope', docs);
    assert.equal(r.handled, false);
    assert.equal(r.docs, docs);
    assert.equal(r.docs.at(0)?.text, 'x');
  });

  it('remaps endpoints with the requests option', async () => {
    const e = new NoDefault({ requests: { '/renamed': 'only' } });
    assert.equal((await call(e, '/renamed')).docs.at(0)?.text, 'touched');
    assert.throws(() => new NoDefault({ requests: { '/x': 'missing' } }), { code: 'WEFT_EXECUTOR_LOAD' });
  });

  it('has metas, runtimeArgs and a per-shard workspace', () => {
    const base = mkdtempSync(join(tmpdir(), 'weft-ws-'));
    try {
      const e = new Base({
        metas: { name: 'enc', description: 'd' },
        runtimeArgs: { shardId: 2, shards: 3 },
        workspace: base,
      });
      assert.equal(e.metas.name, 'enc');
      assert.equal(e.runtimeArgs.shards, 3);
      assert.equal(e.workspace, join(base, 'enc', '2'));
      assert.ok(existsSync(e.workspace));
      assert.equal(new Base().metas.name, 'Base');
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('return semantics', () => {
  class Returns extends Executor {
    @requests({ on: '/replace' })
    replace(): DocumentArray {
      return new DocumentArray([{ text: 'new' }, { text: 'docs' }]);
    }
    @requests({ on: '/mutate' })
    async mutate({ docs }: EndpointArgs): Promise<void> {
      await new Promise((r) => setImmediate(r));
      for (const d of docs) d.text = 'mutated';
    }
    @requests({ on: '/dict' })
    dict(): Record<string, number> {
      return { count: 3 };
    }
    @requests({ on: '/bad' })
    bad(): unknown {
      return [new Document()];
    }
    @requests({ on: '/params' })
    params({ parameters }: EndpointArgs): Record<string, unknown> {
      return { seen: parameters };
    }
  }

  it('DocumentArray replaces, nothing keeps mutated input, an object is a result', async () => {
    const e = new Returns();
    assert.deepEqual((await call(e, '/replace')).docs.texts, ['new', 'docs']);
    const input = new DocumentArray([{ text: 'x' }]);
    const m = await call(e, '/mutate', input);
    assert.equal(m.docs, input);
    assert.deepEqual(m.docs.texts, ['mutated']);
    const d = await call(e, '/dict', input);
    assert.deepEqual(d.results, { count: 3 });
    assert.equal(d.docs, input);
  });

  it('anything else is WEFT_EXECUTOR_RETURN naming the endpoint', async () => {
    await assert.rejects(call(new Returns(), '/bad'), (e: Error & { code: string }) => {
      return e.code === 'WEFT_EXECUTOR_RETURN' && /'\/bad'.*an array/.test(e.message);
    });
  });

  it('delivers executor-specific parameters', async () => {
    const e = new Returns({ metas: { name: 'ranker' } });
    const r = await call(e, '/params', undefined, {
      limit: 3,
      ranker__limit: 5,
      other__limit: 9,
      ranker: { extra: true },
    });
    assert.deepEqual(r.results, { seen: { limit: 5, extra: true } });
  });
});

describe('dynamic batching', () => {
  class Batched extends Executor {
    calls: number[] = [];
    @requests({ on: '/embed' })
    @dynamicBatching({ preferredBatchSize: 4, timeoutMs: 20 })
    embed({ docs, parameters }: EndpointArgs): void {
      this.calls.push(docs.length);
      for (const d of docs) d.tags.scale = (parameters.scale as number) ?? 1;
    }
    @requests({ on: '/wrong' })
    @dynamicBatching({ preferredBatchSize: 2, timeoutMs: 5 })
    wrong(): DocumentArray {
      return DocumentArray.empty(1);
    }
  }

  it('flushes when the preferred size is reached and keeps per-request order', async () => {
    const e = new Batched();
    const runner = new ExecutorRunner(e);
    const reqs = [0, 1, 2, 3].map((i) => new DocumentArray([{ id: `r${i}` }]));
    const out = await Promise.all(reqs.map((docs) => runner.invoke({ endpoint: '/embed', docs })));
    assert.deepEqual(e.calls, [4]);
    assert.deepEqual(
      out.map((r) => r.docs.ids),
      [['r0'], ['r1'], ['r2'], ['r3']],
    );
  });

  it('flushes on timeout with fewer documents', async () => {
    const e = new Batched();
    const r = await new ExecutorRunner(e).invoke({ endpoint: '/embed', docs: DocumentArray.empty(1) });
    assert.equal(r.docs.length, 1);
    assert.deepEqual(e.calls, [1]);
  });

  it('queues per identical parameters', async () => {
    const e = new Batched();
    const runner = new ExecutorRunner(e);
    const a = runner.invoke({ endpoint: '/embed', docs: DocumentArray.empty(2), parameters: { scale: 2 } });
    const b = runner.invoke({ endpoint: '/embed', docs: DocumentArray.empty(2), parameters: { scale: 3 } });
    const [ra, rb] = await Promise.all([a, b]);
    assert.deepEqual(e.calls, [2, 2]);
    assert.equal(ra.docs.at(0)?.tags.scale, 2);
    assert.equal(rb.docs.at(0)?.tags.scale, 3);
  });

  it('calls the method in mini-batches of the preferred size', async () => {
    const e = new Batched();
    await new ExecutorRunner(e).invoke({ endpoint: '/embed', docs: DocumentArray.empty(10) });
    assert.deepEqual(e.calls, [4, 4, 2]);
  });

  it('fails every request of a batch whose output length differs', async () => {
    const runner = new ExecutorRunner(new Batched());
    const results = await Promise.allSettled([
      runner.invoke({ endpoint: '/wrong', docs: DocumentArray.empty(1) }),
      runner.invoke({ endpoint: '/wrong', docs: DocumentArray.empty(1) }),
    ]);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.equal((r as PromiseRejectedResult).reason.code, 'WEFT_BATCH_MISMATCH');
    }
  });

  it('is configurable per endpoint through options', async () => {
    class Plain extends Executor {
      sizes: number[] = [];
      @requests({ on: '/x' })
      x({ docs }: EndpointArgs): void {
        this.sizes.push(docs.length);
      }
    }
    const e = new Plain({ dynamicBatching: { '/x': { preferredBatchSize: 3, timeoutMs: 1000 } } });
    const runner = new ExecutorRunner(e);
    await Promise.all([0, 1, 2].map(() => runner.invoke({ endpoint: '/x', docs: DocumentArray.empty(1) })));
    assert.deepEqual(e.sizes, [3]);
  });

  it('drain() flushes waiting queues before close', async () => {
    class Closing extends Batched {
      closed = false;
      override async close(): Promise<void> {
        this.closed = true;
      }
    }
    const e = new Closing({ dynamicBatching: { '/embed': { preferredBatchSize: 100, timeoutMs: 60_000 } } });
    const runner = new ExecutorRunner(e);
    const pending = runner.invoke({ endpoint: '/embed', docs: DocumentArray.empty(1) });
    await runner.close();
    assert.equal((await pending).docs.length, 1);
    assert.ok(e.closed);
  });
});
