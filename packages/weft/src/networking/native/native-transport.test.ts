import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { parseHostPort } from '../host-port.js';
import type { RuntimeService, ServiceContext, ServiceOutcome } from '../runtime-service.js';
import { FrameKind, HEADER_BYTES, PREFACE, readErrorBody } from './frame-codec.js';
import { FrameReader } from './frame-reader.js';
import { nativeTarget } from './native-address.js';
import { NativeConnection } from './native-connection.js';
import { NativeServer } from './native-server.js';

/** A deferred: `promise` settles when the test says so. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A service that echoes, answers `hold:<n>` only when released, and fails on `fail`. */
function testService() {
  const held = new Map<string, { resolve: (o: ServiceOutcome) => void }>();
  const contexts: ServiceContext[] = [];
  const service: RuntimeService = {
    processSingleData: (bytes, ctx) => {
      contexts.push(ctx);
      const text = bytes.toString();
      if (text === 'fail') {
        const metadata = new Metadata();
        metadata.set('weft-error-code', 'WEFT_BAD_REQUEST');
        const error = Object.assign(new Error('no'), {
          code: status.INVALID_ARGUMENT,
          details: 'cannot decode',
          metadata,
        });
        return Promise.resolve({ error: error as ServiceError });
      }
      if (text.startsWith('hold:')) {
        const d = deferred<ServiceOutcome>();
        held.set(text, d);
        return d.promise;
      }
      return Promise.resolve({ bytes: Buffer.from(`echo ${text}`), trailers: { 'x-answer': 'yes' } });
    },
    processData: (bytes) => Promise.resolve({ bytes: Buffer.from(`list ${bytes.length}`) }),
    endpointDiscovery: () => Promise.resolve({ bytes: Buffer.from('endpoints') }),
    status: () => Promise.resolve({ bytes: Buffer.from('status') }),
  };
  return { service, held, contexts };
}

/** A raw socket speaking frames by hand (to send what a well-behaved client never would). */
async function rawPeer(
  port: number,
): Promise<{ socket: Socket; frames: { kind: number; id: number; body: Buffer }[] }> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise((r) => socket.once('connect', r));
  const frames: { kind: number; id: number; body: Buffer }[] = [];
  const reader = new FrameReader({
    frame: (kind, id, body) => frames.push({ kind, id, body: Buffer.from(body) }),
    oversized: () => undefined,
  });
  socket.on('data', (c: Buffer) => reader.push(c));
  return { socket, frames };
}

function rawFrame(kind: number, id: number, body: Buffer): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.writeUInt32BE(5 + body.length, 0);
  h[4] = kind;
  h.writeUInt32BE(id, 5);
  return Buffer.concat([h, body]);
}

/** A request body: no timeout, no metadata, then `message`. */
const requestBody = (message: string) =>
  Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0]), Buffer.from(message)]);

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

describe('native transport: NativeServer and NativeConnection', () => {
  const t = testService();
  const server = new NativeServer({
    service: t.service,
    name: 'worker test',
    host: '127.0.0.1',
    maxReceiveBytes: 1024,
  });
  let port: number;
  let conn: NativeConnection;

  before(async () => {
    port = await server.start();
    conn = await NativeConnection.connect('127.0.0.1', port);
  });
  after(async () => {
    conn.close();
    await server.close(100);
  });

  it('answers multiplexed calls in completion order, each to its caller', async () => {
    const slow = conn.call(FrameKind.SINGLE, Buffer.from('hold:1'), undefined);
    const fast = conn.call(FrameKind.SINGLE, Buffer.from('quick'), undefined);
    assert.equal((await fast).message.toString(), 'echo quick');
    await until(() => t.held.has('hold:1'));
    t.held.get('hold:1')?.resolve({ bytes: Buffer.from('late') });
    assert.equal((await slow).message.toString(), 'late');
    assert.equal(conn.inFlight, 0);
  });

  it('routes each kind to its method and brings trailers back', async () => {
    const single = await conn.call(FrameKind.SINGLE, Buffer.from('a'), undefined);
    assert.deepEqual(single.trailers, [['x-answer', 'yes']]);
    assert.equal((await conn.call(FrameKind.LIST, Buffer.from('abc'), undefined)).message.toString(), 'list 3');
    assert.equal((await conn.call(FrameKind.ENDPOINTS, new Uint8Array(0), undefined)).message.toString(), 'endpoints');
    assert.equal((await conn.call(FrameKind.STATUS, new Uint8Array(0), undefined)).message.toString(), 'status');
  });

  it('gives the service the caller’s metadata and deadline', async () => {
    const before = Date.now();
    await conn.call(FrameKind.SINGLE, Buffer.from('ctx'), 5000, [
      ['x-trace', 't-9'],
      ['x-bin', Buffer.from([1, 2])],
    ]);
    const ctx = t.contexts.at(-1) as ServiceContext;
    assert.equal(ctx.metadata.get('x-trace')[0], 't-9');
    assert.deepEqual(ctx.metadata.get('x-bin')[0], Buffer.from([1, 2]));
    assert.ok(ctx.deadline !== undefined && ctx.deadline >= before + 5000 && ctx.deadline <= Date.now() + 5000);
    await conn.call(FrameKind.SINGLE, Buffer.from('no-deadline'), undefined);
    assert.equal(t.contexts.at(-1)?.deadline, undefined);
  });

  it('fails a call with the service’s error status, weft code included', async () => {
    await assert.rejects(conn.call(FrameKind.SINGLE, Buffer.from('fail'), undefined), (err: ServiceError) => {
      assert.equal(err.code, status.INVALID_ARGUMENT);
      assert.equal(err.details, 'cannot decode');
      assert.equal(err.metadata.get('weft-error-code')[0], 'WEFT_BAD_REQUEST');
      return true;
    });
  });

  it('times a call out with DEADLINE_EXCEEDED and ignores its late answer', async () => {
    await assert.rejects(conn.call(FrameKind.SINGLE, Buffer.from('hold:2'), 30), (err: ServiceError) => {
      assert.equal(err.code, status.DEADLINE_EXCEEDED);
      return true;
    });
    t.held.get('hold:2')?.resolve({ bytes: Buffer.from('too late') });
    assert.equal(
      (await conn.call(FrameKind.SINGLE, Buffer.from('still fine'), undefined)).message.toString(),
      'echo still fine',
    );
  });

  it('answers an oversized request with RESOURCE_EXHAUSTED and keeps the connection', async () => {
    await assert.rejects(conn.call(FrameKind.SINGLE, Buffer.alloc(5000, 0x61), undefined), (err: ServiceError) => {
      assert.equal(err.code, status.RESOURCE_EXHAUSTED);
      assert.equal(err.metadata.get('weft-error-code')[0], 'WEFT_TOO_LARGE');
      assert.match(err.details, /larger than max \(\d+ vs\. 1024\)/);
      return true;
    });
    assert.ok(conn.usable);
    assert.equal((await conn.call(FrameKind.SINGLE, Buffer.from('after'), undefined)).message.toString(), 'echo after');
  });

  it('answers unknown kinds and malformed frames with an error for that id, and keeps the connection', async () => {
    const peer = await rawPeer(port);
    peer.socket.write(PREFACE);
    peer.socket.write(rawFrame(0x33, 5, Buffer.from('?')));
    peer.socket.write(rawFrame(FrameKind.SINGLE, 6, Buffer.from([0, 0])));
    peer.socket.write(rawFrame(FrameKind.SINGLE, 7, requestBody('fine')));
    await until(() => peer.frames.length === 3);
    const byId = new Map(peer.frames.map((f) => [f.id, f]));
    const unknown = readErrorBody(byId.get(5)?.body as Buffer);
    assert.equal(unknown.code, status.INVALID_ARGUMENT);
    assert.match(unknown.details, /unknown frame kind 0x33/);
    assert.equal(byId.get(6)?.kind, FrameKind.ERROR);
    assert.match(readErrorBody(byId.get(6)?.body as Buffer).details, /malformed SINGLE frame/);
    assert.equal(byId.get(7)?.kind, FrameKind.OK);
    peer.socket.destroy();
  });

  it('closes a connection that does not open with the preface, saying why', async () => {
    const peer = await rawPeer(port);
    const closed = new Promise((r) => peer.socket.once('close', r));
    const received: Buffer[] = [];
    peer.socket.removeAllListeners('data');
    peer.socket.on('data', (c: Buffer) => received.push(c));
    peer.socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    await closed;
    const bytes = Buffer.concat(received);
    assert.ok(bytes.subarray(0, PREFACE.length).equals(PREFACE));
    const rest = bytes.subarray(PREFACE.length);
    assert.equal(rest[4], FrameKind.ERROR);
    assert.equal(rest.readUInt32BE(5), 0);
    assert.match(readErrorBody(rest.subarray(HEADER_BYTES)).details, /not a weft runtime/);
  });

  it('answers PING with PONG', async () => {
    const peer = await rawPeer(port);
    peer.socket.write(Buffer.concat([PREFACE, rawFrame(FrameKind.PING, 99, Buffer.alloc(0))]));
    await until(() => peer.frames.length === 1);
    assert.deepEqual([peer.frames[0]?.kind, peer.frames[0]?.id], [FrameKind.PONG, 99]);
    peer.socket.destroy();
  });
});

describe('native transport: connection failures', () => {
  it('fails pending calls with UNAVAILABLE naming the address when the connection drops', async () => {
    const t = testService();
    const server = new NativeServer({ service: t.service, name: 'worker doomed', host: '127.0.0.1' });
    const port = await server.start();
    const conn = await NativeConnection.connect('127.0.0.1', port);
    let unusable = false;
    conn.onUnusable = () => {
      unusable = true;
    };
    const pending = conn.call(FrameKind.SINGLE, Buffer.from('hold:x'), undefined);
    await until(() => t.held.has('hold:x'));
    await server.close(0);
    await assert.rejects(pending, (err: ServiceError) => {
      assert.equal(err.code, status.UNAVAILABLE);
      assert.match(err.details, new RegExp(`native connection to 127\\.0\\.0\\.1:${port} was lost`));
      return true;
    });
    assert.ok(unusable);
    assert.equal(conn.usable, false);
    await assert.rejects(conn.call(FrameKind.SINGLE, Buffer.from('x'), undefined), { code: status.UNAVAILABLE });
  });

  it('says GOAWAY: no new calls on the connection, while answers under way still arrive', async () => {
    const t = testService();
    const server = new NativeServer({ service: t.service, name: 'worker draining', host: '127.0.0.1' });
    const port = await server.start();
    const conn = await NativeConnection.connect('127.0.0.1', port);
    const goaway = deferred<void>();
    conn.onUnusable = () => goaway.resolve();
    const pending = conn.call(FrameKind.SINGLE, Buffer.from('hold:g'), undefined);
    await until(() => t.held.has('hold:g'));
    server.goAway();
    await goaway.promise;
    assert.equal(conn.usable, false);
    const closing = server.close(5000);
    t.held.get('hold:g')?.resolve({ bytes: Buffer.from('drained') });
    assert.equal((await pending).message.toString(), 'drained');
    await closing;
    assert.equal(server.connections, 0);
    await assert.rejects(NativeConnection.connect('127.0.0.1', port, { connectTimeoutMs: 500 }), /cannot open/);
  });

  it('refuses a port that does not speak the protocol, and one nothing listens on', async () => {
    const http: Server = createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const port = (http.address() as { port: number }).port;
    await assert.rejects(NativeConnection.connect('127.0.0.1', port), /not a native frame|native preface/);
    http.close();
    await assert.rejects(NativeConnection.connect('127.0.0.1', port), /cannot open a native connection.*ECONNREFUSED/);
  });

  it('drops a connection whose peer stops answering while calls are pending (keepalive)', async () => {
    // a peer that completes the handshake, then goes silent
    const silent = createServer((s) => s.write(PREFACE));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const conn = await NativeConnection.connect('127.0.0.1', port, { keepaliveMs: 100, keepaliveTimeoutMs: 100 });
    await assert.rejects(conn.call(FrameKind.SINGLE, Buffer.from('x'), undefined), (err: ServiceError) => {
      assert.equal(err.code, status.UNAVAILABLE);
      assert.match(err.details, /keepalive ping not answered within 100 ms/);
      return true;
    });
    silent.close();
  });

  it('checks a connection at once when asked (a call timed out), even with no call pending', async () => {
    // a peer that completes the handshake, then goes silent; keepalive alone would never ping (nothing pending)
    const silent = createServer((s) => s.write(PREFACE));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const conn = await NativeConnection.connect('127.0.0.1', port, { keepaliveMs: 3_600_000, keepaliveTimeoutMs: 100 });
    await assert.rejects(conn.call(FrameKind.SINGLE, Buffer.from('x'), 20), (err: ServiceError) => {
      assert.equal(err.code, status.DEADLINE_EXCEEDED);
      return true;
    });
    assert.equal(conn.usable, true);
    const lost = new Promise<void>((resolve) => {
      conn.onUnusable = resolve;
    });
    conn.checkAlive();
    await lost;
    assert.equal(conn.usable, false);
    await assert.rejects(conn.call(FrameKind.SINGLE, Buffer.from('x'), undefined), /closed/);
    silent.close();
  });
});

describe('native address', () => {
  it('parses host:port (IPv6 in brackets) and dials the gRPC host when a wildcard is advertised', () => {
    assert.deepEqual(parseHostPort('127.0.0.1:5'), { host: '127.0.0.1', port: 5 });
    assert.deepEqual(parseHostPort('[::1]:50001'), { host: '::1', port: 50001 });
    assert.equal(parseHostPort('no-port'), undefined);
    assert.equal(parseHostPort('h:70000'), undefined);
    assert.deepEqual(nativeTarget('0.0.0.0:7000', 'encoder-0:50001'), { host: 'encoder-0', port: 7000 });
    assert.deepEqual(nativeTarget('[::]:7000', '[fd00::2]:50001'), { host: 'fd00::2', port: 7000 });
    assert.deepEqual(nativeTarget('10.0.0.5:7000', 'encoder-0:50001'), { host: '10.0.0.5', port: 7000 });
    assert.equal(nativeTarget('garbage', 'encoder-0:50001'), undefined);
    assert.equal(nativeTarget('0.0.0.0:7000', 'dns:///encoder'), undefined);
  });
});
