// The native transport between weft runtimes as RuntimeClient and ConnectionPool use it: found through `_status`,
// answering exactly as gRPC does (answers, in-band errors, trailers, transport errors), gRPC kept for runtimes
// without a native port and whenever WEFT_TRANSPORT=grpc, and failures (a killed worker, a draining one, a restart)
// reported and retried as they are over gRPC.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Metadata } from '@grpc/grpc-js';
import { type EndpointArgs, Executor, type JsonObject, requests } from '../../../src/index.js';
import { ConnectionPool, NATIVE_ADDRESS_KEY, RuntimeClient } from '../../../src/networking/index.js';
import type { DataRequest } from '../../../src/request/index.js';
import { type InProcessWorker, startWorkerInProcess } from '../../../src/runtime/worker/index.js';
import { echo, startFakeRuntime } from '../../fixtures/fake-runtime.js';
import { EXECUTORS, forkWorker, request } from './helpers.js';

/** A deferred: `promise` settles when the test says so. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** What '/hold' requests wait for (a test replaces it to hold requests of its own). */
let gate = deferred();
const entered: (() => void)[] = [];

class Tagger extends Executor {
  @requests({ on: '/tag' })
  tag({ docs, parameters }: EndpointArgs): void {
    for (const d of docs) d.tags = { ...d.tags, seen: true, limit: (parameters.limit as number) ?? null };
  }

  @requests({ on: '/results' })
  results({ docs, headers }: EndpointArgs): JsonObject {
    return { count: docs.length, trace: headers['x-trace'] ?? null };
  }

  @requests({ on: '/fail' })
  fail(): void {
    throw new TypeError('cannot tag this');
  }

  @requests({ on: '/matrix' })
  matrix({ docsMatrix }: EndpointArgs): JsonObject {
    return { sizes: docsMatrix.map((m) => m.length) };
  }

  @requests({ on: '/hold' })
  async hold(): Promise<void> {
    for (const e of entered.splice(0)) e();
    await gate.promise;
  }
}

/** Everything an answer carries, minus what differs from call to call (times, request ids, stack traces). */
function comparable(res: DataRequest): unknown {
  const s = res.header.status;
  return {
    endpoint: res.header.execEndpoint,
    status: s && { ...s, exception: s.exception && { ...s.exception, stacks: s.exception.stacks.length > 0 } },
    parameters: res.parameters,
    routes: res.routes.map((r) => ({ executor: r.executor, status: r.status?.code })),
    docs: [...res.docs].map((d) => ({ id: d.id, text: d.text, tags: d.tags })),
  };
}

/** Resolves once the next '/hold' request is inside the executor. */
function nextHold(): Promise<void> {
  return new Promise((resolve) => entered.push(resolve));
}

describe('RuntimeClient → in-process worker over the native transport', () => {
  let w: InProcessWorker;
  let native: RuntimeClient;
  let grpc: RuntimeClient;

  before(async () => {
    w = await startWorkerInProcess({
      uses: Tagger,
      name: 'tagger/rep-0',
      log: () => undefined,
      maxMessageBytes: 64 * 1024,
    });
    native = new RuntimeClient(w.address, { name: 'tagger/rep-0' });
    grpc = new RuntimeClient(w.address, { name: 'tagger/rep-0', transport: 'grpc' });
  });
  after(async () => {
    native.close();
    grpc.close();
    gate.resolve();
    await w.stop({ graceMs: 1000 });
  });

  it('advertises its native port in _status and the client switches to it on first use', async () => {
    assert.equal(native.transport, 'unknown');
    const info = await native.status();
    assert.equal(info.jina[NATIVE_ADDRESS_KEY], `127.0.0.1:${w.server.nativePort}`);
    await native.processSingleData(request('/tag'));
    assert.equal(native.transport, 'native');
    assert.equal(native.connectivity, 'READY');
    assert.equal(await grpc.connect(), 'grpc');
  });

  it('answers every data call exactly as over gRPC', async () => {
    const trailersOf = async (c: RuntimeClient, req: () => DataRequest, md?: Record<string, string>) => {
      let trailers: Record<string, unknown> = {};
      const res = await c.processSingleData(req(), {
        ...(md ? { metadata: md } : {}),
        onTrailers: (t) => (trailers = t.getMap()),
      });
      return { res: comparable(res), isError: trailers['is-error'] };
    };
    const cases: [string, () => DataRequest, Record<string, string>?][] = [
      ['/tag', () => request('/tag', [{ id: 'a', text: 'x' }, { id: 'b' }], { limit: 3 })],
      ['/results', () => request('/results', [{ id: 'a' }]), { 'x-trace': 't-42' }],
      ['/fail', () => request('/fail')],
      ['/elsewhere', () => request('/nobody-serves-this')],
    ];
    for (const [name, req, md] of cases) {
      const overNative = await trailersOf(native, req, md);
      const overGrpc = await trailersOf(grpc, req, md);
      assert.deepEqual(overNative, overGrpc, name);
    }
    const failed = await native.processSingleData(request('/fail'));
    assert.equal(failed.status?.exception?.name, 'TypeError');
    const results = await native.processSingleData(request('/results'), { metadata: new Metadata() });
    assert.deepEqual((results.parameters.__results__ as JsonObject)['tagger/rep-0'], { count: 1, trace: null });

    const list = () => [request('/matrix', [{ id: 'a' }]), request('/matrix', [{ id: 'b' }, { id: 'c' }])];
    assert.deepEqual(comparable(await native.processData(list())), comparable(await grpc.processData(list())));
    assert.deepEqual(await native.endpointDiscovery(), await grpc.endpointDiscovery());
    assert.equal(native.transport, 'native');
  });

  it('reports transport errors with the same classes and codes as gRPC', async () => {
    const big = () => request('/tag', [{ id: 'big', text: 'x'.repeat(100 * 1024) }]);
    const errorOf = (p: Promise<unknown>) =>
      p.then(
        () => assert.fail('expected a failure'),
        (err: Error & { code: string; details: Record<string, unknown> }) => [err.name, err.code, err.details.grpcCode],
      );
    assert.deepEqual(await errorOf(native.processSingleData(big())), await errorOf(grpc.processSingleData(big())));
    assert.deepEqual(await errorOf(native.processSingleData(big())), ['MessageTooLargeError', 'WEFT_TOO_LARGE', 8]);

    const started = nextHold();
    await assert.rejects(
      native.processSingleData(request('/hold'), { timeoutMs: 50 }),
      (err: Error & { code: string }) => {
        assert.equal(err.code, 'WEFT_TIMEOUT');
        assert.match(err.message, /executor 'tagger\/rep-0' at 127\.0\.0\.1:\d+ did not answer .* within 50 ms/);
        return true;
      },
    );
    await started;
    assert.equal(native.transport, 'native', 'a timeout does not give up the connection');
  });
});

describe('RuntimeClient choosing gRPC', () => {
  it('stays on gRPC for a runtime that advertises no native port (a Jina executor)', async () => {
    const rt = await startFakeRuntime('jina-exec', echo('jina-exec'));
    const c = new RuntimeClient(rt.address, { name: 'jina-exec' });
    try {
      const res = await c.processSingleData(request('/x'));
      assert.equal(res.docs.at(0)?.tags.servedBy, 'jina-exec');
      assert.equal(c.transport, 'grpc');
      assert.equal((await c.endpointDiscovery()).endpoints[0], '/default');
    } finally {
      c.close();
      await rt.stop();
    }
  });

  it('falls back to gRPC when the advertised native port cannot be reached', async () => {
    const gone = await startFakeRuntime('gone', echo('gone'));
    await gone.stop();
    const rt = await startFakeRuntime('walled', echo('walled'), { jina: { [NATIVE_ADDRESS_KEY]: gone.address } });
    const c = new RuntimeClient(rt.address, { name: 'walled' });
    try {
      assert.equal((await c.processSingleData(request('/x'))).docs.at(0)?.tags.servedBy, 'walled');
      assert.equal(c.transport, 'grpc');
      assert.equal(rt.received.length, 1);
    } finally {
      c.close();
      await rt.stop();
    }
  });

  it('uses gRPC only when WEFT_TRANSPORT=grpc, and rejects an unknown value', async () => {
    const w = await startWorkerInProcess({ uses: Tagger, name: 'env', log: () => undefined });
    const previous = process.env.WEFT_TRANSPORT;
    try {
      process.env.WEFT_TRANSPORT = 'grpc';
      const c = new RuntimeClient(w.address);
      await c.processSingleData(request('/tag'));
      assert.equal(c.transport, 'grpc');
      c.close();
      process.env.WEFT_TRANSPORT = 'carrier-pigeon';
      assert.throws(() => new RuntimeClient(w.address), { code: 'WEFT_CONFIG' });
    } finally {
      if (previous === undefined) delete process.env.WEFT_TRANSPORT;
      else process.env.WEFT_TRANSPORT = previous;
      await w.stop({ graceMs: 1000 });
    }
  });
});

describe('RuntimeClient when a worker stops or restarts', () => {
  it('lets the call in flight finish on a draining worker and refuses new ones as unavailable', async () => {
    const w = await startWorkerInProcess({ uses: Tagger, name: 'drain/rep-0', log: () => undefined });
    const c = new RuntimeClient(w.address, { name: 'drain/rep-0' });
    gate = deferred();
    try {
      assert.equal(await c.connect(), 'native');
      const started = nextHold();
      const held = c.processSingleData(request('/hold', [{ id: 'h' }]));
      await started;
      const stopped = w.stop({ graceMs: 10_000 });
      await assert.rejects(c.processSingleData(request('/tag')), (err: Error & { code: string }) => {
        assert.equal(err.code, 'WEFT_UNAVAILABLE');
        assert.match(err.message, /runtime 'drain\/rep-0' at 127\.0\.0\.1:\d+/);
        return true;
      });
      gate.resolve();
      assert.equal((await held).docs.at(0)?.id, 'h');
      await stopped;
    } finally {
      c.close();
    }
  });

  it('finds a worker restarted on the same address again, on its new native port', async () => {
    const first = await startWorkerInProcess({ uses: Tagger, name: 'phoenix', log: () => undefined });
    const c = new RuntimeClient(first.address, { name: 'phoenix' });
    try {
      await c.processSingleData(request('/tag'));
      const firstNative = first.server.nativePort;
      await first.stop({ graceMs: 1000 });
      const second = await startWorkerInProcess({
        uses: Tagger,
        name: 'phoenix',
        port: first.port,
        log: () => undefined,
      });
      try {
        // once its gRPC channel has reconnected, the next call asks _status again and dials the new native port
        await c.waitForReady(Date.now() + 10_000);
        const res = await c.processSingleData(request('/tag', [{ id: 'again' }]));
        assert.equal(res.docs.at(0)?.tags.seen, true);
        assert.equal(c.transport, 'native');
        assert.notEqual(second.server.nativePort, firstNative);
      } finally {
        await second.stop({ graceMs: 1000 });
      }
    } finally {
      c.close();
    }
  });
});

describe('worker processes killed mid-request', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'weft-native-'));
  const fork = (name: string) => forkWorker({ uses: `${EXECUTORS}#Router`, name, runtimeArgs: { workspace } });
  const ready = async (w: ReturnType<typeof fork>) => {
    const m = await w.started;
    if (m.type !== 'ready') throw new Error(`worker failed: ${m.error.stack}`);
    return `127.0.0.1:${m.port}`;
  };

  it('fails the call in flight with UnavailableError naming the runtime and its address', async () => {
    const w = fork('router/rep-0');
    const address = await ready(w);
    const c = new RuntimeClient(address, { name: 'router/rep-0' });
    try {
      assert.equal(await c.connect(), 'native');
      const started = w.fixtureEvent('slow-started');
      const pending = c.processSingleData(request('/slow'));
      await started;
      w.child.kill('SIGKILL');
      await assert.rejects(pending, (err: Error & { code: string }) => {
        assert.equal(err.code, 'WEFT_UNAVAILABLE');
        assert.ok(err.message.includes(`runtime 'router/rep-0' at ${address} is unavailable`), err.message);
        return true;
      });
      // and the next call, with nobody listening any more, fails the same way (over gRPC)
      await assert.rejects(c.processSingleData(request('/echo')), { code: 'WEFT_UNAVAILABLE' });
    } finally {
      c.close();
      await w.exited;
    }
  });

  it('lets the pool retry the request on another replica', async () => {
    const replicas = [fork('router/rep-0'), fork('router/rep-1')];
    const addresses = await Promise.all(replicas.map(ready));
    const pool = new ConnectionPool({ name: 'router', addresses });
    try {
      for (const c of pool.clients) assert.equal(await c.connect(), 'native');
      const started = replicas.map((r, i) => r.fixtureEvent('slow-started').then(() => i));
      const answer = pool.send(request('/slow', [{ id: 's' }]));
      const first = await Promise.race(started);
      const other = 1 - first;
      (replicas[first] as (typeof replicas)[number]).child.kill('SIGKILL');
      await started[other];
      // the retried request is in the other replica now: let it finish (it does at SIGTERM)
      (replicas[other] as (typeof replicas)[number]).child.kill('SIGTERM');
      const res = await answer;
      assert.equal(res.docs.at(0)?.text, 'finished after SIGTERM');
      assert.equal(res.header.status, undefined);
    } finally {
      pool.close();
      for (const r of replicas) {
        if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
        await r.exited;
      }
    }
  });
});
