import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ServiceError, status } from '@grpc/grpc-js';
import { JinaClient, request } from '../../../test/integration/worker/helpers.js';
import { type EndpointArgs, Executor, ExecutorRunner, requests } from '../../executor/index.js';
import { encodeDataRequest } from '../../request/index.js';
import { startWorkerInProcess } from './in-process.js';
import { WorkerServer } from './worker-server.js';

/** A deferred: `promise` settles when the test says so. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** An executor whose '/hold' requests wait until released; it records its lifecycle. */
function holdingExecutor() {
  const entered = deferred();
  const release = deferred();
  const events: string[] = [];
  class Holding extends Executor {
    @requests({ on: '/hold' })
    async hold({ docs }: EndpointArgs): Promise<void> {
      events.push('hold:start');
      entered.resolve();
      await release.promise;
      for (const d of docs) d.text = 'released';
      events.push('hold:end');
    }

    @requests({ on: '/quick' })
    quick(): void {}

    override async close(): Promise<void> {
      events.push('close');
    }
  }
  return { Holding, entered, release, events };
}

const UNAVAILABLE = (err: ServiceError) => err.code === status.UNAVAILABLE;

describe('WorkerServer in-process', () => {
  it('goes created → serving → draining → stopped, draining in-flight requests before close()', async () => {
    const { Holding, entered, release, events } = holdingExecutor();
    const w = await startWorkerInProcess({ uses: Holding, name: 'holding', log: () => undefined });
    assert.equal(w.server.health, 'serving');
    assert.match(w.address, /^127\.0\.0\.1:\d+$/);
    const client = new JinaClient(w.address);
    const held = client.processSingle(request('/hold'));
    await entered.promise;
    assert.equal(w.server.inFlight, 1);

    const stopped = w.stop({ graceMs: 60_000 });
    assert.equal(w.server.health, 'draining');
    // a new call while draining is refused (by the handler, or by the closing connection)
    await assert.rejects(client.processSingle(request('/quick')), UNAVAILABLE);
    assert.deepEqual(events, ['hold:start']);

    release.resolve();
    const { value } = await held;
    assert.equal(value.docs.at(0)?.text, 'released');
    await stopped;
    assert.equal(w.server.health, 'stopped');
    assert.deepEqual(events, ['hold:start', 'hold:end', 'close']);
    assert.equal(w.stop(), w.stop(), 'stop() is idempotent');
    client.close();
  });

  it('closes the executor after the grace period even when a request never finishes', async () => {
    const { Holding, entered, events } = holdingExecutor();
    const warnings: string[] = [];
    const w = await startWorkerInProcess({ uses: Holding, log: (level, m) => warnings.push(`${level}: ${m}`) });
    const client = new JinaClient(w.address);
    client.processSingle(request('/hold')).catch(() => undefined);
    await entered.promise;
    await w.stop({ graceMs: 0 });
    assert.deepEqual(events, ['hold:start', 'close']);
    assert.match(warnings.join('\n'), /warn: grace period of 0 ms over with 1 request\(s\) in flight/);
    client.close();
  });

  it('answers the request in flight on a Call stream, then ends the stream at shutdown (UNAVAILABLE)', async () => {
    const { Holding, entered, release } = holdingExecutor();
    const w = await startWorkerInProcess({ uses: Holding, log: () => undefined });
    const client = new JinaClient(w.address);
    const stream = client.client.makeBidiStreamRequest(
      '/jina.JinaRPC/Call',
      (b: Uint8Array) => Buffer.from(b),
      (b: Buffer) => b,
    );
    const answers: Buffer[] = [];
    stream.on('data', (b: Buffer) => answers.push(b));
    const ended = new Promise<number>((resolve) => {
      stream.on('status', (s) => resolve(s.code));
      stream.on('error', () => undefined);
    });
    stream.write(encodeDataRequest(request('/hold')));
    await entered.promise;
    const stopped = w.stop();
    release.resolve();
    await stopped;
    assert.equal(answers.length, 1, 'the request in flight was answered');
    // the client had not finished sending: UNAVAILABLE tells it later messages would not have been served
    assert.equal(await ended, status.UNAVAILABLE, 'the open stream was ended by the server');
    client.close();
  });

  it('reports a port already in use as WEFT_STARTUP', async () => {
    const { Holding } = holdingExecutor();
    const first = await startWorkerInProcess({ uses: Holding });
    const runner = new ExecutorRunner(new Holding());
    const second = new WorkerServer({ runner, name: 'second', host: '127.0.0.1', port: first.port });
    await assert.rejects(second.start(), (err: Error & { code: string }) => {
      assert.equal(err.code, 'WEFT_STARTUP');
      assert.match(err.message, new RegExp(`worker second cannot listen on 127\\.0\\.0\\.1:${first.port}`));
      return true;
    });
    assert.equal(second.health, 'stopped');

    // the native port too: taken, or disabled
    const third = new WorkerServer({ runner, name: 'third', host: '127.0.0.1', nativePort: first.port });
    await assert.rejects(third.start(), (err: Error & { code: string }) => {
      assert.equal(err.code, 'WEFT_STARTUP');
      assert.match(
        err.message,
        new RegExp(`worker third cannot listen for native connections on 127.0.0.1:${first.port}`),
      );
      return true;
    });
    assert.equal(third.health, 'stopped');
    const grpcOnly = new WorkerServer({ runner, name: 'grpc-only', host: '127.0.0.1', nativePort: false });
    await grpcOnly.start();
    assert.equal(grpcOnly.nativePort, undefined);
    assert.equal(first.server.nativePort !== undefined, true);
    await grpcOnly.stop({ graceMs: 100 });
    await first.stop();
  });

  it('a stop() before start() closes the executor and start() afterwards fails', async () => {
    const { Holding, events } = holdingExecutor();
    const server = new WorkerServer({ runner: new ExecutorRunner(new Holding()), name: 'never' });
    await server.stop();
    assert.deepEqual(events, ['close']);
    await assert.rejects(server.start(), { code: 'WEFT_STARTUP' });
  });

  it("rejects stop() with the executor's close() error, after shutting down", async () => {
    class BadClose extends Executor {
      override async close(): Promise<void> {
        throw new Error('flush failed');
      }
    }
    const w = await startWorkerInProcess({ uses: BadClose, log: () => undefined });
    await assert.rejects(w.stop(), /flush failed/);
    assert.equal(w.server.health, 'stopped');
  });
});
