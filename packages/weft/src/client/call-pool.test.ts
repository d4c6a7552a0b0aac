import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type InProcessGateway, startInProcessGateway } from '../../test/fixtures/in-process-gateway.js';
import { DocumentArray } from '../document/index.js';
import { DeadlineExceededError, ExecutorError } from '../errors/index.js';
import { type EndpointArgs, Executor, requests } from '../executor/index.js';
import { GrpcTransport } from './grpc-transport.js';
import { Client, registerTransport } from './index.js';

const held: (() => void)[] = [];

class Probe extends Executor {
  @requests()
  echo({ docs }: EndpointArgs): void {
    for (const d of docs) d.text = `${d.text ?? ''}!`;
  }

  @requests({ on: '/fail' })
  fail(): void {
    throw new TypeError('no good');
  }

  @requests({ on: '/hold' })
  async hold(): Promise<void> {
    await new Promise<void>((r) => held.push(r));
  }
}

const parked = (c: Client): number => (c.transport as GrpcTransport).parkedStreams;

// the gRPC transport with parked streams kept for a minute: counts do not depend on how fast the box is
registerTransport('grpc-kept', (target) => new GrpcTransport(target, { idleMs: 60_000 }));
const keptClient = (port: number): Client =>
  new Client({ host: '127.0.0.1', port, protocol: 'grpc-kept' as 'grpc', showProgress: false });

describe('gRPC client transport: Call streams kept open between posts', () => {
  let g: InProcessGateway;
  let client: Client;

  before(async () => {
    g = await startInProcessGateway({ protocol: 'grpc', executors: { probe: Probe }, timeoutSend: 500, retries: 0 });
    client = keptClient(g.port);
  });
  after(async () => {
    for (const r of held.splice(0)) r();
    await client?.close();
    await g?.stop();
  });

  it('reuses one stream for sequential posts and one per concurrent post', async () => {
    for (let i = 0; i < 5; i++) {
      const docs = await client.post('/', DocumentArray.empty(25), { requestSize: 10 });
      assert.equal(docs.length, 25);
      assert.equal(parked(client), 1, `after post ${i}`);
    }
    const all = await Promise.all(
      Array.from({ length: 4 }, (_, i) => client.post('/', [{ text: String(i) }], { resultsInOrder: true })),
    );
    assert.deepEqual(
      all.map((d) => d.texts),
      [['0!'], ['1!'], ['2!'], ['3!']],
      'each post gets its own answers',
    );
    assert.equal(parked(client), 4);
  });

  it('keeps each post its own results, in order when asked, on a reused stream', async () => {
    const docs = await client.post(
      '/',
      Array.from({ length: 30 }, (_, i) => ({ text: `d${i}` })),
      { requestSize: 3, resultsInOrder: true },
    );
    assert.deepEqual(
      docs.texts,
      Array.from({ length: 30 }, (_, i) => `d${i}!`),
    );
  });

  it('an executor error rejects that post only; the stream serves the next one', async () => {
    const before = parked(client);
    await assert.rejects(client.post('/fail', [{ text: 'a' }]), (err: unknown) => {
      assert.ok(err instanceof ExecutorError, String(err));
      assert.equal(err.remoteName, 'TypeError');
      return true;
    });
    assert.equal(parked(client), before, 'an in-band error leaves the stream usable');
    assert.deepEqual((await client.post('/', [{ text: 'b' }])).texts, ['b!']);
  });

  it('a stream failed by the gateway is dropped; a concurrent post on another stream is unaffected', async () => {
    const failing = client.post('/hold', [{ text: 'held' }]);
    const fine = client.post('/', [{ text: 'c' }]);
    await assert.rejects(failing, (err: unknown) => err instanceof DeadlineExceededError);
    assert.deepEqual((await fine).texts, ['c!']);
    assert.deepEqual((await client.post('/', [{ text: 'd' }])).texts, ['d!']);
    for (const r of held.splice(0)) r();
  });

  it('a post that gives up (its timeout) cancels its stream instead of parking it', async () => {
    const c = keptClient(g.port);
    try {
      await assert.rejects(
        c.post('/hold', [{}], { timeout: 100 }),
        (err: unknown) => err instanceof DeadlineExceededError,
      );
      assert.equal(parked(c), 0, 'a stream with an answer still due is not reused');
      for (const r of held.splice(0)) r();
      assert.deepEqual((await c.post('/', [{ text: 'e' }])).texts, ['e!']);
      assert.equal(parked(c), 1);
    } finally {
      await c.close();
    }
  });

  it('a consumer that stops reading early leaves no stream with answers due in the pool', async () => {
    const c = keptClient(g.port);
    try {
      let seen = 0;
      for await (const res of c.stream('/', DocumentArray.empty(50), { requestSize: 5 })) {
        assert.equal(res.docs.length, 5);
        if (++seen === 2) break;
      }
      assert.equal(parked(c), 0);
      assert.deepEqual((await c.post('/', [{ text: 'h' }])).texts, ['h!']);
      assert.equal(parked(c), 1);
    } finally {
      await c.close();
    }
  });

  it('posts with headers of their own use a stream of their own', async () => {
    const c = keptClient(g.port);
    try {
      assert.deepEqual((await c.post('/', [{ text: 'f' }], { headers: { 'x-weft-test': '1' } })).texts, ['f!']);
      assert.equal(parked(c), 0);
    } finally {
      await c.close();
    }
  });

  it('a script that never closes its Client still exits', async () => {
    const script = fileURLToPath(new URL('../../test/fixtures/post-without-close.ts', import.meta.url));
    const child = spawn(process.execPath, [...process.execArgv, script, String(g.port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0);
    assert.equal(out.trim(), 'g!');
  });
});
