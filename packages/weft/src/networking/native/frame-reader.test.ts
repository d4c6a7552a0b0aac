import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameFormatError, HEADER_BYTES, PREFACE } from './frame-codec.js';
import { FrameReader, type FrameSink } from './frame-reader.js';

interface Seen {
  frames: { kind: number; id: number; body: Buffer }[];
  oversized: { kind: number; id: number; bytes: number; limit: number }[];
}

function reader(options: { maxBodyBytes?: number; preface?: boolean } = {}): { r: FrameReader; seen: Seen } {
  const seen: Seen = { frames: [], oversized: [] };
  const sink: FrameSink = {
    frame: (kind, id, body) => seen.frames.push({ kind, id, body: Buffer.from(body) }),
    oversized: (kind, id, bytes, limit) => seen.oversized.push({ kind, id, bytes, limit }),
  };
  return { r: new FrameReader(sink, { preface: false, ...options }), seen };
}

function frame(kind: number, id: number, body: Buffer | string): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  const h = Buffer.alloc(HEADER_BYTES);
  h.writeUInt32BE(5 + b.length, 0);
  h[4] = kind;
  h.writeUInt32BE(id, 5);
  return Buffer.concat([h, b]);
}

/** Cut `bytes` into pieces at the given offsets. */
function cut(bytes: Buffer, at: number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const a of [...at, bytes.length]) {
    out.push(bytes.subarray(prev, a));
    prev = a;
  }
  return out;
}

/** A deterministic pseudo-random generator (xorshift), so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

describe('FrameReader', () => {
  const stream = Buffer.concat([frame(1, 7, 'first'), frame(2, 8, ''), frame(0x81, 9, 'third body')]);
  const expected = [
    { kind: 1, id: 7, body: 'first' },
    { kind: 2, id: 8, body: '' },
    { kind: 0x81, id: 9, body: 'third body' },
  ];
  const bodies = (s: Seen) => s.frames.map((f) => ({ kind: f.kind, id: f.id, body: f.body.toString() }));

  it('delivers frames merged into one chunk, as views of that chunk', () => {
    const views: Buffer[] = [];
    const r = new FrameReader(
      { frame: (_k, _i, body) => views.push(body), oversized: () => undefined },
      { preface: false },
    );
    r.push(stream);
    assert.equal(views.length, 3);
    for (const v of views) assert.equal(v.buffer, stream.buffer, 'a frame inside one chunk is not copied');
    assert.equal(r.buffered, 0);
  });

  it('delivers the same frames however the stream is split, down to one byte per chunk', () => {
    for (let n = 1; n < stream.length; n++) {
      const { r, seen } = reader();
      for (const piece of cut(stream, [n])) r.push(piece);
      assert.deepEqual(bodies(seen), expected, `split at ${n}`);
    }
    const { r, seen } = reader();
    for (let i = 0; i < stream.length; i++) r.push(stream.subarray(i, i + 1));
    assert.deepEqual(bodies(seen), expected);
    assert.equal(r.buffered, 0);
  });

  it('reassembles a large frame arriving in thousands of pieces', () => {
    const body = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff;
    const bytes = Buffer.concat([frame(1, 1, body), frame(1, 2, 'after')]);
    const { r, seen } = reader();
    for (let o = 0; o < bytes.length; o += 1000) r.push(bytes.subarray(o, o + 1000));
    assert.equal(seen.frames.length, 2);
    assert.ok(seen.frames[0]?.body.equals(body));
    assert.equal(seen.frames[1]?.body.toString(), 'after');
  });

  it('agrees with the frames sent for random frames cut at random places', () => {
    const next = rng(0x5eed);
    for (let round = 0; round < 50; round++) {
      const sent: { kind: number; id: number; body: Buffer }[] = [];
      for (let i = 0; i < 20; i++) {
        const body = Buffer.alloc(Math.floor(next() * (next() < 0.1 ? 70_000 : 64)));
        for (let j = 0; j < body.length; j++) body[j] = Math.floor(next() * 256);
        sent.push({ kind: 1 + Math.floor(next() * 4), id: Math.floor(next() * 0xffff_ffff), body });
      }
      const bytes = Buffer.concat(sent.map((f) => frame(f.kind, f.id, f.body)));
      const cuts = [...new Set(Array.from({ length: 30 }, () => Math.floor(next() * bytes.length)))].sort(
        (a, b) => a - b,
      );
      const { r, seen } = reader();
      for (const piece of cut(bytes, cuts)) r.push(piece);
      assert.deepEqual(seen.frames, sent, `round ${round}`);
    }
  });

  it('reports an oversized frame with its kind and id, skips its body, and reads on', () => {
    const big = frame(1, 42, Buffer.alloc(5000, 1));
    const bytes = Buffer.concat([frame(1, 41, 'ok'), big, frame(3, 43, 'next')]);
    // whole, and cut inside the oversized body and header
    for (const cuts of [[], [20], [30, 2000, 4000], [15, 16, 17, 18]]) {
      const { r, seen } = reader({ maxBodyBytes: 1000 });
      for (const piece of cut(bytes, cuts)) r.push(piece);
      assert.deepEqual(seen.oversized, [{ kind: 1, id: 42, bytes: 5000, limit: 1000 }], `cuts ${cuts}`);
      assert.deepEqual(
        seen.frames.map((f) => [f.id, f.body.toString()]),
        [
          [41, 'ok'],
          [43, 'next'],
        ],
        `cuts ${cuts}`,
      );
      assert.equal(r.buffered, 0);
    }
  });

  it('accepts a body exactly at the limit', () => {
    const { r, seen } = reader({ maxBodyBytes: 4 });
    r.push(frame(1, 1, 'four'));
    assert.equal(seen.frames[0]?.body.toString(), 'four');
    assert.equal(seen.oversized.length, 0);
  });

  it('checks the preface, even when it arrives in pieces', () => {
    const { r, seen } = reader({ preface: true });
    const bytes = Buffer.concat([PREFACE, frame(1, 1, 'x')]);
    for (const piece of cut(bytes, [3, 9])) r.push(piece);
    assert.ok(r.prefaceSeen);
    assert.equal(seen.frames.length, 1);

    const http = reader({ preface: true });
    assert.throws(() => http.r.push(Buffer.from('PRI * HTTP/2.0\r\n')), FrameFormatError);
    const late = reader({ preface: true });
    late.r.push(PREFACE.subarray(0, 4));
    assert.throws(() => late.r.push(Buffer.from('XXXX')), /native preface/);
  });

  it('throws FrameFormatError for a length too short to hold a header', () => {
    const bad = Buffer.alloc(HEADER_BYTES);
    bad.writeUInt32BE(3, 0);
    const { r } = reader();
    assert.throws(
      () => r.push(bad),
      (err: Error) => err instanceof FrameFormatError && /too short/.test(err.message),
    );
    // also on the slow path (header completed by a later chunk)
    const slow = reader();
    slow.r.push(frame(1, 1, 'a').subarray(0, 12));
    slow.r.push(Buffer.concat([frame(1, 1, 'a').subarray(12), bad.subarray(0, 2)]));
    assert.throws(() => slow.r.push(bad.subarray(2)), FrameFormatError);
  });
});
