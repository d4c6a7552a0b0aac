/**
 * ImageEncoder throughput: 16 concurrent single-image requests through weft's dynamic batching (in-process
 * ExecutorRunner; a Flow comes later) against a hand-written loop on the same images in the same run: sharp
 * decode + resize, one onnxruntime-node batch of 16 on the same ONNX file, L2 normalisation. Both do the same work
 * (mirrorAverage and colorHistogram off on the weft side; its default design is timed too, for information).
 * The three are timed in alternating segments.
 * Prints images/s, per-image latency p50/p95 and `target image-encoder.throughput_ratio` (weft / hand-written).
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DocumentArray, ExecutorRunner } from '@weft-ai/weft';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { type CnnLayer, ImageEncoder } from '../packages/executor-image-encoder/src/index.js';
import { percentile, table, target } from './lib.js';

const CONCURRENCY = 16;
const N_IMAGES = 64;
const SIZE = 224;
const THREADS = Math.min(4, availableParallelism());
const SEGMENTS = 6;
const SEGMENT_MS = 2_500;

// -- the same JPEG images for both: 640x480 drawings of coloured shapes -------------------------------------------
function svg(seed: number): string {
  let s = seed * 2654435761;
  const r = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const shapes = Array.from({ length: 8 }, () => {
    const c = `rgb(${Math.floor(r() * 255)},${Math.floor(r() * 255)},${Math.floor(r() * 255)})`;
    return `<circle cx="${r() * 640}" cy="${r() * 480}" r="${20 + r() * 120}" fill="${c}"/><rect x="${r() * 600}" y="${r() * 440}" width="${40 + r() * 200}" height="${30 + r() * 150}" fill="${c}" opacity="0.7"/>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480"><rect width="640" height="480" fill="#fafafa"/>${shapes.join('')}</svg>`;
}
const images = await Promise.all(
  Array.from({ length: N_IMAGES }, (_, i) =>
    sharp(Buffer.from(svg(i + 1)))
      .jpeg({ quality: 90 })
      .toBuffer(),
  ),
);

// -- weft: ImageEncoder behind ExecutorRunner, CONCURRENCY single-image requests in flight ------------------------
async function weftRound(runner: ExecutorRunner, offset: number, latencies: number[]): Promise<void> {
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, i) => {
      const t0 = performance.now();
      const blob = images[(offset + i) % N_IMAGES] as Buffer;
      const r = await runner.invoke({ endpoint: '/encode', docs: new DocumentArray([{ blob }]) });
      if (!r.docs.at(0)?.embedding) throw new Error('no embedding');
      latencies.push(performance.now() - t0);
    }),
  );
}

// -- hand-written: decode + resize with sharp, one ONNX Runtime batch, normalise ----------------------------------
async function handRound(session: ort.InferenceSession, offset: number, latencies: number[]): Promise<void> {
  const t0 = performance.now();
  const pixels = await Promise.all(
    Array.from({ length: CONCURRENCY }, (_, i) =>
      sharp(images[(offset + i) % N_IMAGES] as Buffer)
        .rotate()
        .resize(SIZE, SIZE, { fit: 'contain', background: '#ffffff' })
        .removeAlpha()
        .raw()
        .toBuffer(),
    ),
  );
  const plane = SIZE * SIZE * 3;
  const input = new Float32Array(CONCURRENCY * plane);
  pixels.forEach((p, k) => {
    for (let i = 0; i < plane; i++) input[k * plane + i] = (p[i] as number) / 255;
  });
  const out = await session.run({ input: new ort.Tensor('float32', input, [CONCURRENCY, SIZE, SIZE, 3]) });
  const f = out.features?.data as Float32Array;
  const d = f.length / CONCURRENCY;
  for (let k = 0; k < CONCURRENCY; k++) {
    let s = 0;
    for (let i = 0; i < d; i++) s += (f[k * d + i] as number) ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < d; i++) f[k * d + i] = (f[k * d + i] as number) * inv;
  }
  const ms = performance.now() - t0;
  for (let k = 0; k < CONCURRENCY; k++) latencies.push(ms);
}

interface Result {
  imagesPerSec: number;
  p50: number;
  p95: number;
}

type Round = (offset: number, latencies: number[]) => Promise<void>;

/**
 * Time several implementations in alternating short segments (so load from other processes hits them alike);
 * returns one result per implementation over all its segments.
 */
async function measureInterleaved(rounds: Round[], segments: number, segmentMs: number): Promise<Result[]> {
  for (const round of rounds) for (let i = 0; i < 2; i++) await round(i * CONCURRENCY, []); // warm-up
  const acc = rounds.map(() => ({ latencies: [] as number[], images: 0, ms: 0 }));
  let offset = 0;
  for (let s = 0; s < segments; s++) {
    for (const [k, round] of s % 2 ? [...rounds.entries()].reverse() : [...rounds.entries()]) {
      const a = acc[k] as (typeof acc)[number];
      const t0 = performance.now();
      while (performance.now() - t0 < segmentMs) {
        await round(offset, a.latencies);
        offset += CONCURRENCY;
        a.images += CONCURRENCY;
      }
      a.ms += performance.now() - t0;
    }
  }
  return acc.map((a) => ({
    imagesPerSec: a.images / (a.ms / 1000),
    p50: percentile(a.latencies, 50),
    p95: percentile(a.latencies, 95),
  }));
}

const same = {
  fit: 'contain',
  trim: false,
  foreground: 'near-white',
  layers: [] as CnnLayer[],
  mirrorAverage: false,
  colorHistogram: false,
  intraOpThreads: THREADS,
} as const;
const weft = new ImageEncoder({ ...same, batching: { preferredBatchSize: CONCURRENCY, timeoutMs: 3 } });
const info = await weft.ready();
const session = await ort.InferenceSession.create(info.path, {
  executionProviders: ['cpu'],
  intraOpNumThreads: THREADS,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
});
const defaults = new ImageEncoder({ intraOpThreads: THREADS });
await defaults.ready();
console.log(
  `model ${info.model} (${info.path}; ${info.converted ? `converted in ${Math.round(info.convertMs)} ms` : 'cached'}), ${THREADS} intra-op threads, ${N_IMAGES} JPEG 640x480 images, ${CONCURRENCY} concurrent single-image requests via in-process ExecutorRunner`,
);

const runner = new ExecutorRunner(weft);
const defaultRunner = new ExecutorRunner(defaults);
const loadBefore = loadavg()[0] as number;
const [h, w, d] = (await measureInterleaved(
  [(o, l) => handRound(session, o, l), (o, l) => weftRound(runner, o, l), (o, l) => weftRound(defaultRunner, o, l)],
  SEGMENTS,
  SEGMENT_MS,
)) as [Result, Result, Result];
const loadAfter = loadavg()[0] as number;
const row = (impl: string, r: Result) => ({
  impl,
  'images/s': r.imagesPerSec,
  'p50 ms/image': r.p50,
  'p95 ms/image': r.p95,
});
table(
  `image-encoder: ${CONCURRENCY} concurrent single-image requests, ${SEGMENTS} alternating segments of ${SEGMENT_MS / 1000} s each (1-min load average ${loadBefore.toFixed(1)} -> ${loadAfter.toFixed(1)} on ${availableParallelism()} cores)`,
  [
    row('hand-written (sharp + ORT batch of 16)', h),
    row('weft ImageEncoder (same work)', w),
    row('weft ImageEncoder (default design: + mirror pass + colour histogram)', d),
  ],
);
await Promise.all([weft.close(), defaults.close(), session.release()]);
target('image-encoder', 'throughput_ratio', w.imagesPerSec / h.imagesPerSec, '>=', 0.85);
