import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { type InProcessGateway, startInProcessGateway } from '../../../../test/fixtures/in-process-gateway.js';
import { openSocket } from '../../../../test/fixtures/raw-socket.js';
import { DocumentArray } from '../../../document/index.js';
import { DeadlineExceededError, UnavailableError } from '../../../errors/index.js';
import { type EndpointArgs, Executor, requests } from '../../../executor/index.js';
import { DataRequest, decodeDataRequest, encodeDataRequest } from '../../../request/index.js';
import { closeFor, MAX_REASON_BYTES } from './websocket-close.js';

/** Shared with the in-process executor: requests held at '/hold' and '/slow', and the most held at once. */
const probe = {
  holding: 0,
  maxHolding: 0,
  releases: [] as (() => void)[],
  entered: [] as (() => void)[],
  slow: [] as (() => void)[],
};

function releaseAll(): void {
  for (const r of probe.releases.splice(0)) r();
  for (const r of probe.slow.splice(0)) r();
}

class Probe extends Executor {
  @requests()
  echo({ docs, parameters }: EndpointArgs): void {
    for (const d of docs) d.tags = { ...d.tags, seen: true, ...(parameters.mark ? { mark: parameters.mark } : {}) };
  }

  @requests({ on: '/fail' })
  fail({ docs }: EndpointArgs): void {
    throw new RangeError(`cannot process ${docs.at(0)?.id ?? 'nothing'}`);
  }

  @requests({ on: '/hold' })
  async hold(): Promise<void> {
    probe.holding++;
    probe.maxHolding = Math.max(probe.maxHolding, probe.holding);
    for (const e of probe.entered.splice(0)) e();
    await new Promise<void>((r) => probe.releases.push(r));
    probe.holding--;
  }

  @requests({ on: '/slow' })
  async slow(): Promise<void> {
    await new Promise<void>((r) => probe.slow.push(r));
  }
}

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
function json(msg: string | Buffer | undefined): Record<string, any> {
  assert.equal(typeof msg, 'string', 'expected a text message');
  return JSON.parse(msg as string);
}

function bytesRequest(id: string, endpoint = '/', docs = 1): Buffer {
  const req = new DataRequest({
    header: { requestId: id, execEndpoint: endpoint },
    docs: new DocumentArray(Array.from({ length: docs }, (_, i) => ({ id: `${id}-d${i}`, text: `t${i}` }))),
  });
  return Buffer.from(encodeDataRequest(req));
}

function get(port: number, path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('WebSocket gateway protocol', () => {
  let g: InProcessGateway;
  let dead: InProcessGateway;
  let slow: InProcessGateway;

  before(async () => {
    g = await startInProcessGateway({ protocol: 'websocket', executors: { probe: Probe }, prefetch: 2 });
    dead = await startInProcessGateway({ protocol: 'websocket', executors: { gone: 'dead' }, retries: 0 });
    slow = await startInProcessGateway({ protocol: 'websocket', executors: { lazy: Probe }, timeoutSend: 100 });
  });
  after(async () => {
    releaseAll();
    await Promise.all([g?.stop(), dead?.stop(), slow?.stop()]);
  });

  it('JSON mode by default: a /post body in, DataRequest.to_dict() out, {} closes normally', async () => {
    const s = await openSocket(g.port);
    assert.equal(s.protocol, '');
    s.ws.send(
      JSON.stringify({
        data: [{ id: 'a', text: 'hello', embedding: [1, 2] }],
        parameters: { mark: 'm1' },
        execEndpoint: '/echo',
        header: { request_id: 'req-1' },
      }),
    );
    s.ws.send('{}');
    const [answer] = await s.received(1);
    const body = json(answer);
    assert.deepEqual(Object.keys(body), ['header', 'parameters', 'routes', 'data']);
    assert.equal(body.header.request_id, 'req-1');
    assert.equal(body.header.exec_endpoint, '/echo');
    assert.deepEqual(body.parameters, { mark: 'm1' });
    assert.deepEqual(
      body.routes.map((r: { executor: string }) => r.executor),
      ['gateway', 'probe'],
    );
    assert.match(body.routes[0].start_time, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(body.data, [{ id: 'a', text: 'hello', embedding: [1, 2], tags: { seen: true, mark: 'm1' } }]);
    assert.deepEqual(await s.closed, { code: 1000, reason: '' });
  });

  it('JSON mode accepts snake_case keys and { docs }, and splits a message by request_size', async () => {
    const s = await openSocket(g.port, '/', ['json']);
    assert.equal(s.protocol, 'json');
    const docs = Array.from({ length: 5 }, (_, i) => ({ id: `d${i}` }));
    s.ws.send(JSON.stringify({ data: { docs }, exec_endpoint: '/echo', request_size: 2, header: { requestId: 'r' } }));
    s.ws.send('{}');
    const closed = await s.closed;
    assert.equal(closed.code, 1000);
    const answers = s.messages.map(json);
    assert.deepEqual(answers.map((a) => a.header.request_id).sort(), ['r-0', 'r-1', 'r-2']);
    const ids = answers.flatMap((a) => a.data.map((d: { id: string }) => d.id)).sort();
    assert.deepEqual(ids, ['d0', 'd1', 'd2', 'd3', 'd4']);
  });

  it('bytes mode: serialized DataRequestProtos both ways, pipelined, a 0x00 byte ends', async () => {
    const s = await openSocket(g.port, '/', ['bytes']);
    assert.equal(s.protocol, 'bytes');
    for (let i = 0; i < 6; i++) s.ws.send(bytesRequest(`b${i}`, '/echo', 3));
    s.ws.send(Buffer.from([0]));
    assert.equal((await s.closed).code, 1000);
    assert.equal(s.messages.length, 6);
    const answers = s.messages.map((m) => {
      assert.ok(Buffer.isBuffer(m), 'expected binary answers');
      return decodeDataRequest(m);
    });
    assert.deepEqual(answers.map((a) => a.header.requestId).sort(), ['b0', 'b1', 'b2', 'b3', 'b4', 'b5']);
    for (const a of answers) {
      assert.equal(a.docs.length, 3);
      assert.deepEqual(a.docs.at(0)?.tags, { seen: true });
    }
  });

  it('an unknown subprotocol is not echoed and the socket speaks JSON', async () => {
    const res = await new Promise<{ status: number; protocol: string | undefined }>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port: g.port,
        path: '/',
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': Buffer.from('0123456789abcdef').toString('base64'),
          'Sec-WebSocket-Protocol': 'protobuf',
        },
      });
      req.on('upgrade', (r, socket) => {
        socket.destroy();
        resolve({ status: r.statusCode ?? 0, protocol: r.headers['sec-websocket-protocol'] as string | undefined });
      });
      req.on('response', (r) => resolve({ status: r.statusCode ?? 0, protocol: undefined }));
      req.on('error', reject);
      req.end();
    });
    assert.deepEqual(res, { status: 101, protocol: undefined });
  });

  it('executor errors come back in-band and the socket keeps serving', async () => {
    const s = await openSocket(g.port);
    s.ws.send(JSON.stringify({ data: [{ id: 'x1' }], execEndpoint: '/fail' }));
    const [first] = await s.received(1);
    const status = json(first).header.status;
    assert.equal(status.code, 1);
    assert.equal(status.exception.name, 'RangeError');
    assert.deepEqual(status.exception.args, ['cannot process x1']);
    assert.equal(status.exception.executor, 'probe/rep-0');
    s.ws.send(JSON.stringify({ data: [{ id: 'x2' }], execEndpoint: '/echo' }));
    s.ws.send('{}');
    const [, second] = await s.received(2);
    assert.equal(json(second).header.status, undefined);
    assert.equal((await s.closed).code, 1000);
  });

  it('malformed JSON closes with 1007 after earlier answers, and the gateway keeps serving', async () => {
    const s = await openSocket(g.port);
    s.ws.send(JSON.stringify({ data: [{ id: 'ok' }] }));
    s.ws.send('{"data": [');
    const closed = await s.closed;
    assert.equal(closed.code, 1007);
    assert.match(closed.reason, /^WEFT_BAD_REQUEST: message #1 is not JSON/);
    assert.ok(Buffer.byteLength(closed.reason) <= MAX_REASON_BYTES);
    assert.equal(s.messages.length, 1, 'the answer to the first message is sent before closing');
    const again = await openSocket(g.port);
    again.ws.send(JSON.stringify({ data: [{ id: 'later' }] }));
    again.ws.send('{}');
    assert.equal((await again.closed).code, 1000);
    assert.equal(json(again.messages[0]).data[0].id, 'later');
  });

  it('a body that is not a request closes with 1007 naming the field', async () => {
    const s = await openSocket(g.port);
    s.ws.send(JSON.stringify({ data: [{ id: 'a', tensor: 'not numbers' }] }));
    const closed = await s.closed;
    assert.equal(closed.code, 1007);
    assert.match(closed.reason, /message #0: data\[0\]\.tensor/);
  });

  it('bytes that are not a DataRequestProto close with 1007', async () => {
    const s = await openSocket(g.port, '/', ['bytes']);
    s.ws.send(Buffer.from([0x0a, 0xff, 0xff, 0xff]));
    const closed = await s.closed;
    assert.equal(closed.code, 1007);
    assert.match(closed.reason, /^WEFT_BAD_REQUEST: message #0 is not a DataRequestProto/);
  });

  it('a message over maxMessageBytes closes with 1009', async () => {
    const small = await startInProcessGateway({
      protocol: 'websocket',
      executors: { probe: Probe },
      protocolOptions: { maxMessageBytes: 4096 },
    });
    try {
      const s = await openSocket(small.port, '/', ['bytes']);
      s.ws.send(bytesRequest('fits'));
      await s.received(1);
      s.ws.send(Buffer.alloc(8192, 1));
      assert.equal((await s.closed).code, 1009);
    } finally {
      await small.stop();
    }
  });

  it('an unreachable executor closes with 1011 and a reason naming it', async () => {
    const s = await openSocket(dead.port, '/', ['bytes']);
    s.ws.send(bytesRequest('u1'));
    const closed = await s.closed;
    assert.equal(closed.code, 1011);
    assert.ok(Buffer.byteLength(closed.reason) <= MAX_REASON_BYTES, closed.reason);
    assert.match(closed.reason, /^WEFT_UNAVAILABLE: .*'gone'/);
    assert.match(closed.reason, /127\.0\.0\.1:\d+/);
  });

  it('an executor over its timeout closes with 1011 and a WEFT_TIMEOUT reason', async () => {
    const s = await openSocket(slow.port, '/', ['bytes']);
    s.ws.send(bytesRequest('t1', '/slow'));
    const closed = await s.closed;
    assert.equal(closed.code, 1011);
    assert.match(closed.reason, /^WEFT_TIMEOUT: .*'lazy'/);
    assert.ok(Buffer.byteLength(closed.reason) <= MAX_REASON_BYTES, closed.reason);
  });

  it('keeps at most prefetch requests of a connection in flight', async () => {
    probe.maxHolding = 0;
    const s = await openSocket(g.port, '/', ['bytes']);
    const enteredTwo = new Promise<void>((resolve) => {
      const check = (): void => {
        if (probe.holding >= 2) resolve();
        else probe.entered.push(check);
      };
      check();
    });
    for (let i = 0; i < 6; i++) s.ws.send(bytesRequest(`h${i}`, '/hold'));
    s.ws.send(Buffer.from([0]));
    await enteredTwo;
    // release the held requests one by one as they come, until all six went through
    for (let released = 0; released < 6; released++) {
      while (probe.releases.length === 0) await new Promise<void>((resolve) => probe.entered.push(resolve));
      (probe.releases.shift() as () => void)();
    }
    assert.equal((await s.closed).code, 1000);
    assert.equal(probe.maxHolding, 2);
  });

  it('WS /dry_run sends one StatusProto as JSON and closes', async () => {
    const ok = await openSocket(g.port, '/dry_run');
    assert.deepEqual(json((await ok.received(1))[0]), { code: 0, description: '' });
    assert.equal((await ok.closed).code, 1000);
    const bad = await openSocket(dead.port, '/dry_run');
    const status = json((await bad.received(1))[0]);
    assert.equal(status.code, 1);
    assert.match(status.description, /gone/);
  });

  it('answers GET /, /status and /dry_run on the same port', async () => {
    assert.deepEqual(await get(g.port, '/'), { status: 200, body: '{}' });
    const status = await get(g.port, '/status');
    assert.equal(status.status, 200);
    const info = JSON.parse(status.body);
    assert.equal(info.jina.runtime, 'gateway');
    assert.ok('envs' in info);
    const dry = await get(g.port, '/dry_run');
    assert.deepEqual(JSON.parse(dry.body), { code: 0, description: '' });
    assert.equal((await get(g.port, '/nope')).status, 404);
    assert.equal((await get(g.port, '/', 'POST')).status, 405);
  });
});

describe('WebSocket gateway shutdown', () => {
  it('answers the requests in flight, closes with 1001, then refuses connections', async () => {
    const gw = await startInProcessGateway({ protocol: 'websocket', executors: { probe: Probe } });
    let stopped = false;
    try {
      const busy = await openSocket(gw.port, '/', ['bytes']);
      const idle = await openSocket(gw.port, '/', ['bytes']);
      const entered = new Promise<void>((resolve) => probe.entered.push(resolve));
      busy.ws.send(bytesRequest('in-flight', '/hold'));
      await entered;
      const stopping = gw.stop().then(() => {
        stopped = true;
      });
      assert.deepEqual(await idle.closed, { code: 1001, reason: 'gateway is shutting down' });
      assert.equal(busy.messages.length, 0);
      (probe.releases.shift() as () => void)();
      assert.deepEqual(await busy.closed, { code: 1001, reason: 'gateway is shutting down' });
      assert.equal(decodeDataRequest(busy.messages[0] as Buffer).header.requestId, 'in-flight');
      await stopping;
      await assert.rejects(openSocket(gw.port), /ECONNREFUSED/);
    } finally {
      if (!stopped) await gw.stop();
    }
  });
});

describe('WebSocket close reasons', () => {
  it('fit in 123 bytes and name the executor and its address', () => {
    const long = new UnavailableError(`no replica of 'encoder' could serve x: ${'127.0.0.1:1, '.repeat(30)} failed`, {
      details: { executor: 'encoder', addresses: ['127.0.0.1:1', '127.0.0.1:2'] },
    });
    const frame = closeFor(long);
    assert.equal(frame.code, 1011);
    assert.equal(frame.reason, "WEFT_UNAVAILABLE: executor 'encoder' at 127.0.0.1:1, 127.0.0.1:2 is unavailable");
    const timeout = new DeadlineExceededError('x'.repeat(200), {
      details: { executor: 'ranker', address: '10.0.0.1:5', timeoutMs: 300 },
    });
    assert.equal(
      closeFor(timeout).reason,
      "WEFT_TIMEOUT: executor 'ranker' at 10.0.0.1:5 did not answer within 300 ms (timeout_send)",
    );
    const anonymous = closeFor(new UnavailableError('é'.repeat(200)));
    assert.ok(Buffer.byteLength(anonymous.reason) <= MAX_REASON_BYTES);
    assert.match(anonymous.reason, /^WEFT_UNAVAILABLE: network error/);
    const bad = closeFor(new Error('y'.repeat(300)), true);
    assert.equal(bad.code, 1007);
    assert.match(bad.reason, /^WEFT_BAD_REQUEST: y/);
    assert.ok(Buffer.byteLength(bad.reason) <= MAX_REASON_BYTES);
  });
});
