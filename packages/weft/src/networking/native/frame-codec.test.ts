import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { Metadata } from '@grpc/grpc-js';
import {
  entriesToMetadata,
  FrameFormatError,
  FrameKind,
  metaEntries,
  NO_TIMEOUT,
  readAnswerBody,
  readErrorBody,
  readMeta,
  readRequestBody,
  writeAnswerFrame,
  writeControlFrame,
  writeErrorFrame,
  writeRequestFrame,
} from './frame-codec.js';
import { FrameReader } from './frame-reader.js';
import { FrameWriter } from './frame-writer.js';

/** A socket stand-in recording what is written, write by write. */
function fakeSocket(): { socket: Socket; writes: Buffer[][] } {
  const writes: Buffer[][] = [];
  let corked: Buffer[] | undefined;
  const socket = {
    destroyed: false,
    writable: true,
    write(b: Buffer) {
      if (corked) corked.push(b);
      else writes.push([b]);
      return true;
    },
    cork() {
      corked = [];
    },
    uncork() {
      if (corked) writes.push(corked);
      corked = undefined;
    },
  };
  return { socket: socket as unknown as Socket, writes };
}

/** The frames in everything written so far. */
function framesOf(writes: Buffer[][]): { kind: number; id: number; body: Buffer }[] {
  const out: { kind: number; id: number; body: Buffer }[] = [];
  const r = new FrameReader(
    { frame: (kind, id, body) => out.push({ kind, id, body }), oversized: () => assert.fail('oversized') },
    { preface: false },
  );
  for (const w of writes) for (const b of w) r.push(b);
  return out;
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('native frame codec', () => {
  it('carries metadata (repeated keys, binary values) and the timeout with a request', async () => {
    const md = new Metadata();
    md.add('x-trace', 't-1');
    md.add('x-multi', 'a');
    md.add('x-multi', 'b');
    md.add('blob-bin', Buffer.from([0, 1, 255]));
    md.add('x-printable', 'a b ~ /');
    const { socket, writes } = fakeSocket();
    const w = new FrameWriter(socket);
    writeRequestFrame(w, FrameKind.SINGLE, 7, 1234.2, metaEntries(md), Buffer.from('proto'));
    writeRequestFrame(w, FrameKind.STATUS, 8, undefined, undefined, new Uint8Array(0));
    await nextTurn();
    const [a, b] = framesOf(writes);
    assert.equal(a?.kind, FrameKind.SINGLE);
    assert.equal(a?.id, 7);
    const body = readRequestBody(a?.body as Buffer);
    assert.equal(body.timeoutMs, 1235, 'rounded up: the runtime never sees a later deadline than the caller');
    assert.equal(body.message.toString(), 'proto');
    assert.deepEqual(entriesToMetadata(body.meta).toJSON(), md.toJSON());
    const empty = readRequestBody(b?.body as Buffer);
    assert.deepEqual(empty, { timeoutMs: undefined, meta: undefined, message: Buffer.alloc(0) });
  });

  it('carries trailers with an answer, and code, weft code and details with an error', async () => {
    const { socket, writes } = fakeSocket();
    const w = new FrameWriter(socket);
    writeAnswerFrame(w, 1, metaEntries({ 'is-error': 'true', total_shards: '2' }), Buffer.from('answer'));
    writeErrorFrame(w, 2, 8, 'WEFT_TOO_LARGE', 'Received message larger than max (9 vs. 4) ✗');
    writeErrorFrame(w, 3, 13, undefined, 'no code');
    writeControlFrame(w, FrameKind.GOAWAY, 0);
    await nextTurn();
    const [ok, e1, e2, goaway] = framesOf(writes);
    const answer = readAnswerBody(ok?.body as Buffer);
    assert.equal(answer.message.toString(), 'answer');
    assert.deepEqual(answer.meta, [
      ['is-error', 'true'],
      ['total_shards', '2'],
    ]);
    assert.deepEqual(readErrorBody(e1?.body as Buffer), {
      code: 8,
      weftCode: 'WEFT_TOO_LARGE',
      details: 'Received message larger than max (9 vs. 4) ✗',
    });
    assert.deepEqual(readErrorBody(e2?.body as Buffer), { code: 13, weftCode: undefined, details: 'no code' });
    assert.deepEqual([goaway?.kind, goaway?.id, goaway?.body.length], [FrameKind.GOAWAY, 0, 0]);
  });

  it('rejects bodies that lie about their metadata', () => {
    const truncated = Buffer.from([0x00, 0x03, 0x00, 0x01, 0x61]);
    assert.throws(() => readMeta(truncated, 0), FrameFormatError);
    const longValue = Buffer.from([0x00, 0x01, 0x00, 0x01, 0x61, 0xff, 0xff, 0xff, 0xff, 0x62]);
    assert.throws(() => readMeta(longValue, 0), /cut short/);
    assert.throws(() => readRequestBody(Buffer.from([0, 0, 0])), /too short/);
    assert.throws(() => readErrorBody(Buffer.from([8, 20, 0x41])), FrameFormatError);
    assert.throws(() => entriesToMetadata([['Bad Key!', 'v']]), FrameFormatError);
    assert.equal(NO_TIMEOUT, 0xffff_ffff);
  });
});

describe('FrameWriter', () => {
  it('gathers the frames one burst of work completes into one write', async () => {
    const { socket, writes } = fakeSocket();
    const w = new FrameWriter(socket);
    // answers completing in promise continuations, as a server's do when one chunk brought 64 requests
    await Promise.all(
      Array.from({ length: 64 }, async (_, i) => {
        for (let k = 0; k < i % 5; k++) await null;
        writeAnswerFrame(w, i + 1, undefined, Buffer.from(`answer ${i + 1}`));
      }),
    );
    assert.equal(writes.length, 0, 'nothing leaves before the work under way is done');
    await nextTurn();
    assert.equal(writes.length, 1, 'all 64 leave in one write');
    assert.deepEqual(
      framesOf(writes)
        .map((f) => f.id)
        .sort((a, b) => a - b),
      Array.from({ length: 64 }, (_, i) => i + 1),
    );
    // a lone frame leaves without waiting for I/O or timers
    writeAnswerFrame(w, 65, undefined, Buffer.from('again'));
    await new Promise((resolve) => process.nextTick(resolve));
    assert.equal(writes.length, 2);
    // and a large backlog leaves at once
    writeAnswerFrame(w, 66, undefined, Buffer.alloc(2 * 1024 * 1024));
    assert.equal(writes.length, 3);
  });

  it('writes large messages from their own memory, in order with the small ones', async () => {
    const { socket, writes } = fakeSocket();
    const w = new FrameWriter(socket);
    writeAnswerFrame(w, 1, undefined, Buffer.from('small'));
    const big = Buffer.alloc(100_000, 7);
    writeAnswerFrame(w, 2, undefined, big);
    writeAnswerFrame(w, 3, undefined, Buffer.from('after'));
    await nextTurn();
    const pieces = writes.flat();
    assert.ok(
      pieces.some((p) => p.buffer === big.buffer),
      'the large message is handed to the socket, not copied',
    );
    const frames = framesOf(writes);
    assert.deepEqual(
      frames.map((f) => f.id),
      [1, 2, 3],
    );
    assert.ok(frames[1]?.body.subarray(2).equals(big));
  });

  it('sends a message given in pieces as one frame, large pieces uncopied', async () => {
    const { socket, writes } = fakeSocket();
    const w = new FrameWriter(socket);
    const head = Buffer.from('envelope');
    const big = Buffer.alloc(50_000, 3);
    writeRequestFrame(w, FrameKind.SINGLE, 1, undefined, undefined, [head, big]);
    writeRequestFrame(w, FrameKind.SINGLE, 2, 10, undefined, [Buffer.from('a'), Buffer.from('bc')]);
    await nextTurn();
    assert.ok(
      writes.flat().some((p) => p.buffer === big.buffer),
      'the large piece is handed to the socket, not copied',
    );
    const frames = framesOf(writes);
    assert.deepEqual(
      frames.map((f) => f.id),
      [1, 2],
    );
    assert.ok(readRequestBody(frames[0]?.body as Buffer).message.equals(Buffer.concat([head, big])));
    assert.equal(readRequestBody(frames[1]?.body as Buffer).message.toString(), 'abc');
  });

  it('refuses a frame whose message does not match what it announced', () => {
    const { socket } = fakeSocket();
    const w = new FrameWriter(socket);
    w.reserve(FrameKind.OK, 1, 2, 10);
    assert.throws(() => w.append(Buffer.alloc(11)), /announced 10 more message bytes/);
    w.append(Buffer.alloc(3));
    assert.throws(() => w.end(), /ended without its 7 message bytes/);
  });
});
