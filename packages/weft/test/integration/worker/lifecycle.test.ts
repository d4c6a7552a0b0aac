// A worker process's life: start-up failures reported over IPC, health and reflection, malformed and oversized
// messages, crashes, and the graceful shutdown that drains in-flight requests and closes the executor.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ServiceError, status } from '@grpc/grpc-js';
import { DataRequest, decodeDataRequest } from '../../../src/request/index.js';
import {
  EXECUTORS,
  forkWorker,
  healthCheck,
  healthClient,
  JinaClient,
  listServices,
  request,
  startWorker,
  stopWorker,
} from './helpers.js';

type Started = Awaited<ReturnType<typeof startWorker>>;
const SINGLE = '/jina.JinaSingleDataRequestRPC/process_single_data';

function rejectsWith(code: status, pattern: RegExp) {
  return (err: ServiceError) => {
    assert.equal(err.code, code, `expected status ${status[code]}, got ${status[err.code]}: ${err.details}`);
    assert.match(err.details, pattern);
    return true;
  };
}

describe('worker process: start-up failures', () => {
  it("reports a constructor exception with the executor's own message and stack, then exits 1", async () => {
    const w = forkWorker({ uses: `${EXECUTORS}#BrokenCtor`, name: 'broken' });
    const m = await w.started;
    assert.equal(m.type, 'failed');
    if (m.type !== 'failed') return;
    assert.equal(m.error.name, 'RangeError');
    assert.equal(m.error.message, 'weights file is corrupt');
    assert.match(m.error.stack, /RangeError: weights file is corrupt\n\s+at new BrokenCtor .*executors\.ts/);
    assert.equal(m.error.code, 'WEFT_EXECUTOR_LOAD');
    assert.equal((await w.exited).code, 1);
    // reported once, by the parent that hears of it over IPC: the worker itself logs it only at level debug
    assert.doesNotMatch(w.stderr(), /failed to start/);
  });

  it('reports an unresolvable executor and an invalid configuration with their codes', async () => {
    const missing = forkWorker({ uses: `${EXECUTORS}#Nope`, name: 'missing' });
    const m = await missing.started;
    assert.ok(
      m.type === 'failed' && m.error.code === 'WEFT_EXECUTOR_LOAD' && /has no export 'Nope'/.test(m.error.message),
    );
    assert.equal((await missing.exited).code, 1);

    // a runtime process trusts its parent's validated configuration (it does not load the schema): a port no
    // parent would pass still fails with a coded error naming the address
    const bad = forkWorker({ uses: `${EXECUTORS}#Router`, port: -5 });
    const b = await bad.started;
    assert.ok(b.type === 'failed' && b.error.code === 'WEFT_STARTUP' && /:-5/.test(b.error.message), JSON.stringify(b));
    assert.equal((await bad.exited).code, 1);
  });

  it('exits 1 on an uncaught exception after start', async () => {
    const w = await startWorker({ uses: `${EXECUTORS}#Crasher`, name: 'crasher' });
    await w.client.processSingle(request('/crash')).catch(() => undefined);
    assert.equal((await w.exited).code, 1);
    assert.match(w.stderr(), /crashed \(uncaught exception\): Error: background task exploded/);
    w.client.close();
  });
});

describe('worker process: health, reflection and bad messages', () => {
  let w: Started;
  before(async () => {
    w = await startWorker({ uses: `${EXECUTORS}#Big`, name: 'big', maxMessageBytes: 64 * 1024 });
  });
  after(async () => {
    if (w) assert.equal(await stopWorker(w), 0);
  });

  it('answers Health/Check with SERVING for the server and every service', async () => {
    assert.equal(await healthCheck(w.address, ''), 'SERVING');
    assert.equal(await healthCheck(w.address, 'jina.JinaSingleDataRequestRPC'), 'SERVING');
    assert.equal(await healthCheck(w.address, 'jina.JinaRPC'), 'SERVING');
  });

  it('lists the Jina services through server reflection', async () => {
    const services = await listServices(w.address);
    for (const s of [
      'jina.JinaRPC',
      'jina.JinaSingleDataRequestRPC',
      'jina.JinaDataRequestRPC',
      'jina.JinaDiscoverEndpointsRPC',
      'jina.JinaInfoRPC',
      'grpc.health.v1.Health',
      'grpc.reflection.v1alpha.ServerReflection',
    ]) {
      assert.ok(services.includes(s), `${s} missing from ${services.join(', ')}`);
    }
    assert.ok(!services.includes('jina.JinaGatewayDryRunRPC'), 'a worker does not serve the gateway dry run');
  });

  it('answers malformed protobuf with INVALID_ARGUMENT and keeps serving', async () => {
    // field 1 (header) announces 255 bytes that never come
    await assert.rejects(
      w.client.unaryBytes(SINGLE, new Uint8Array([0x0a, 0xff, 0x01, 0x0a]), decodeDataRequest),
      (err: ServiceError) =>
        rejectsWith(status.INVALID_ARGUMENT, /malformed DataRequestProto: .*header/)(err) &&
        err.metadata.get('weft-error-code')[0] === 'WEFT_DECODE',
    );
    // a valid envelope whose documents are not a DocumentArrayProto
    const garbage = new DataRequest({ header: { requestId: 'g', execEndpoint: '/big' } });
    garbage.setRawDocs(new Uint8Array([0x0a, 0x05, 0x01]));
    await assert.rejects(
      w.client.processSingle(garbage),
      (err: ServiceError) =>
        rejectsWith(status.INVALID_ARGUMENT, /cannot decode DocumentArrayProto/)(err) &&
        err.metadata.get('weft-error-code')[0] === 'WEFT_DECODE',
    );
    await assert.rejects(
      w.client.unaryBytes('/jina.JinaDataRequestRPC/process_data', new Uint8Array([0x0a, 0x09]), decodeDataRequest),
      rejectsWith(status.INVALID_ARGUMENT, /malformed DataRequestListProto/),
    );
    const ok = await w.client.processSingle(request('/elsewhere'));
    assert.equal(ok.value.docs.at(0)?.id, 'd1');
  });

  it('ends a Call stream that carries a malformed message with INVALID_ARGUMENT', async () => {
    const stream = w.client.client.makeBidiStreamRequest(
      '/jina.JinaRPC/Call',
      (b: Uint8Array) => Buffer.from(b),
      (b: Buffer) => b,
    );
    const ended = new Promise<ServiceError>((resolve) => stream.on('error', resolve));
    stream.on('data', () => undefined);
    stream.write(new Uint8Array([0x22, 0x7f]));
    assert.equal((await ended).code, status.INVALID_ARGUMENT);
  });

  it('answers oversized messages with RESOURCE_EXHAUSTED, both ways, and keeps serving', async () => {
    const big = new DataRequest({ header: { requestId: 'big', execEndpoint: '/elsewhere' } });
    big.docs.push({ id: 'b', blob: new Uint8Array(128 * 1024) });
    await assert.rejects(w.client.processSingle(big), rejectsWith(status.RESOURCE_EXHAUSTED, /larger than/));
    // the answer of /big is 256 KiB, over the 64 KiB limit
    await assert.rejects(w.client.processSingle(request('/big')), (err: ServiceError) => {
      assert.equal(err.code, status.RESOURCE_EXHAUSTED);
      return true;
    });
    const ok = await w.client.processSingle(request('/elsewhere'));
    assert.equal(ok.value.header.status, undefined);
  });
});

describe('worker process: graceful shutdown', () => {
  it('finishes the request in flight at SIGTERM, refuses new ones, closes the executor, exits 0', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'weft-worker-'));
    const w = await startWorker({
      uses: `${EXECUTORS}#Router`,
      name: 'router/rep-0',
      runtimeArgs: { workspace },
    });
    const watcher = healthClient(w.address);
    const statuses: string[] = [];
    const watch = watcher.Watch({ service: '' });
    const notServing = new Promise<void>((resolve) => {
      watch.on('data', (m: { status: string }) => {
        statuses.push(m.status);
        if (m.status === 'NOT_SERVING') resolve();
      });
    });
    watch.on('error', () => undefined);

    const started = w.fixtureEvent('slow-started');
    const slow = w.client.processSingle(request('/slow', [{ id: 's' }]));
    await started;
    w.child.kill('SIGTERM');
    await notServing;

    const late = new JinaClient(w.address);
    await assert.rejects(late.processSingle(request('/echo')), (err: ServiceError) => {
      assert.equal(err.code, status.UNAVAILABLE);
      return true;
    });
    late.close();

    const { value } = await slow;
    assert.equal(value.docs.at(0)?.text, 'finished after SIGTERM');
    assert.equal(value.header.status, undefined);
    const { code } = await w.exited;
    assert.equal(code, 0);
    assert.deepEqual(statuses.slice(0, 1), ['SERVING']);
    assert.equal(readFileSync(join(workspace, 'router', '0', 'closed.txt'), 'utf8'), 'closed by router/rep-0');
    assert.match(w.stderr(), /SIGTERM, shutting down/);
    watcher.close();
    w.client.close();
  });

  it('a worker without requests in flight stops promptly on SIGINT with exit code 0', async () => {
    const w = await startWorker({ uses: `${EXECUTORS}#OnlyOne`, name: 'idle' });
    await w.client.processSingle(request('/only'));
    w.child.kill('SIGINT');
    assert.equal((await w.exited).code, 0);
    w.client.close();
  });
});
