import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { type InProcessGateway, startInProcessGateway } from '../../test/fixtures/in-process-gateway.js';
import { DocumentArray } from '../document/index.js';
import {
  BadRequestError,
  DeadlineExceededError,
  ExecutorError,
  MessageTooLargeError,
  UnavailableError,
  WeftError,
} from '../errors/index.js';
import { type EndpointArgs, Executor, requests } from '../executor/index.js';
import { freePort } from '../testing/index.js';
import { Client } from './index.js';

const held = { now: 0, max: 0, releases: [] as (() => void)[], waiting: [] as (() => void)[] };

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
    held.now++;
    held.max = Math.max(held.max, held.now);
    for (const w of held.waiting.splice(0)) w();
    await new Promise<void>((r) => held.releases.push(r));
    held.now--;
  }
}

/** Release held requests as they arrive until `n` went through. */
async function releaseAsTheyCome(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    while (held.releases.length === 0) await new Promise<void>((r) => held.waiting.push(r));
    (held.releases.shift() as () => void)();
  }
}

/** A WebSocket server that closes every connection with the given code and reason after the first message. */
async function closingServer(code: number, reason: string): Promise<{ port: number; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'bytes' });
  wss.on('connection', (ws) => ws.once('message', () => ws.close(code, reason)));
  await new Promise<void>((r) => wss.once('listening', () => r()));
  return {
    port: (wss.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => wss.close(() => r())),
  };
}

describe('WebSocket client transport', () => {
  let g: InProcessGateway;
  let dead: InProcessGateway;
  let client: Client;

  before(async () => {
    g = await startInProcessGateway({ protocol: 'websocket', executors: { probe: Probe } });
    dead = await startInProcessGateway({ protocol: 'websocket', executors: { gone: 'dead' }, retries: 0 });
    client = new Client({ host: `ws://127.0.0.1:${g.port}`, showProgress: false });
  });
  after(async () => {
    for (const r of held.releases.splice(0)) r();
    await client?.close();
    await Promise.all([g?.stop(), dead?.stop()]);
  });

  it('posts over one socket and returns every document', async () => {
    assert.equal(client.protocol, 'websocket');
    const docs = await client.post('/', DocumentArray.empty(25), { requestSize: 10 });
    assert.equal(docs.length, 25);
    assert.deepEqual(new Set(docs.texts), new Set(['!']));
    let answers = 0;
    const none = await client.post('/', DocumentArray.empty(25), { requestSize: 10, onDone: () => answers++ });
    assert.equal(answers, 3);
    assert.equal(none.length, 0, 'with callbacks, the answers go to them');
  });

  it('rebuilds executor errors from the in-band status', async () => {
    await assert.rejects(client.post('/fail', [{ text: 'a' }]), (err: unknown) => {
      assert.ok(err instanceof ExecutorError);
      assert.equal(err.remoteName, 'TypeError');
      assert.equal(err.executor, 'probe/rep-0');
      return true;
    });
  });

  it('turns a 1011 close into UnavailableError naming the executor and the gateway', async () => {
    const c = new Client({ host: `ws://127.0.0.1:${dead.port}` });
    await assert.rejects(c.post('/', [{}]), (err: unknown) => {
      assert.ok(err instanceof UnavailableError, String(err));
      assert.match(err.message, /executor 'gone'/);
      assert.match(err.message, new RegExp(`websocket gateway ws://127\\.0\\.0\\.1:${dead.port}, close 1011`));
      return true;
    });
  });

  it('maps close codes and Jina-style reasons to weft errors', async () => {
    const cases: [number, string, (e: unknown) => boolean][] = [
      [1011, 'WEFT_TIMEOUT: executor x did not answer', (e) => e instanceof DeadlineExceededError],
      [
        1011,
        'Connection to deployment at 10.0.0.1:5 timed out. You can adjust `timeout_send` attribute.',
        (e) => e instanceof DeadlineExceededError,
      ],
      [
        1011,
        'Network error while connecting to deployment at 10.0.0.1:5. It may be down.',
        (e) => e instanceof UnavailableError,
      ],
      [1007, 'WEFT_BAD_REQUEST: message #0 is not JSON', (e) => e instanceof BadRequestError],
      [1001, 'gateway is shutting down', (e) => e instanceof UnavailableError],
      [1009, 'Max payload size exceeded', (e) => e instanceof MessageTooLargeError],
      [
        1011,
        'WEFT_ERROR: the gateway failed',
        (e) => e instanceof WeftError && e.code === 'WEFT_ERROR' && !e.retryable,
      ],
    ];
    for (const [code, reason, check] of cases) {
      const server = await closingServer(code, reason);
      try {
        const c = new Client({ host: `ws://127.0.0.1:${server.port}` });
        await assert.rejects(c.post('/', [{}]), (err: unknown) => {
          assert.ok(check(err), `${code} ${reason} → ${String(err)}`);
          assert.ok((err as Error).message.includes(reason.replace(/^WEFT_[A-Z_]+: /, '')), (err as Error).message);
          return true;
        });
      } finally {
        await server.close();
      }
    }
  });

  it('reports a gateway that is not listening as unavailable, and not ready', async () => {
    const port = await freePort('127.0.0.1');
    const c = new Client({ host: `ws://127.0.0.1:${port}` });
    assert.equal(await c.isFlowReady(1000), false);
    assert.equal((await c.dryRun(1000)).code, 1);
    await assert.rejects(c.post('/', [{}]), (err: unknown) => {
      assert.ok(err instanceof UnavailableError);
      assert.match(err.message, /is unavailable \(ECONNREFUSED\)/);
      return true;
    });
  });

  it('rejects a server that does not accept the WebSocket', async () => {
    const http: Server = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    try {
      const c = new Client({ host: `ws://127.0.0.1:${(http.address() as AddressInfo).port}` });
      await assert.rejects(c.post('/', [{}]), /answered HTTP 404 instead of accepting a WebSocket/);
    } finally {
      await new Promise<void>((r) => http.close(() => r()));
    }
  });

  it('answers health, dry run and status over HTTP on the same port', async () => {
    assert.equal(await client.isFlowReady(), true);
    assert.deepEqual(await client.dryRun(), { code: 0, description: '' });
    const dry = await new Client({ host: `ws://127.0.0.1:${dead.port}` }).dryRun();
    assert.equal(dry.code, 1);
    assert.match(dry.description, /gone/);
    const info = await client.status();
    assert.equal(info.jina.runtime, 'gateway');
  });

  it('ends the post with the error of an input generator that throws', async () => {
    async function* inputs() {
      yield { text: 'a' };
      throw new RangeError('inputs broke');
    }
    await assert.rejects(client.post('/', inputs(), { requestSize: 1 }), /inputs broke/);
  });

  it('keeps at most `prefetch` requests unanswered', async () => {
    held.max = 0;
    const post = client.post('/hold', DocumentArray.empty(4), { requestSize: 1, prefetch: 1 });
    await releaseAsTheyCome(4);
    assert.equal((await post).length, 4);
    assert.equal(held.max, 1);
  });

  it('gives up on a request over the post timeout with DeadlineExceededError', async () => {
    const post = client.post('/hold', [{ id: 'stuck' }], { timeout: 50 });
    await assert.rejects(post, (err: unknown) => {
      assert.ok(err instanceof DeadlineExceededError, String(err));
      assert.match(err.message, /no answer to request \w+ within 50 ms from the websocket gateway/);
      return true;
    });
    await releaseAsTheyCome(1);
  });

  it('stops cleanly when the consumer of a stream stops early', async () => {
    let n = 0;
    for await (const res of client.stream('/', DocumentArray.empty(50), { requestSize: 5 })) {
      assert.equal(res.docs.length, 5);
      if (++n === 2) break;
    }
    assert.equal(n, 2);
    assert.equal((await client.post('/', [{ text: 'after' }])).texts[0], 'after!');
  });
});
