/**
 * Reproduces the README's embedding-design table: near-duplicate retrieval on openclipart drawings for each fit
 * mode and feature design. Needs the test images (`scripts/fetch-test-images.sh`). Slow (minutes): not a test.
 *
 *   node --conditions=weft-source --import tsx packages/executor-image-encoder/test/eval/eval-retrieval.ts
 *
 * Env: PER (drawings per category, default 10), OFFSET (skip that many per category: a disjoint set),
 * FITS (default contain,cover,fill), MODEL (default mobilenet_v2), MISSES (a design label: list its misses).
 */
import * as ort from 'onnxruntime-node';
import {
  buildEmbedding,
  type EmbeddingDesign,
  type Fit,
  mirror,
  preprocessBytes,
  type Rgb,
} from '../../src/image/index.js';
import { defaultCacheDir, loadModel, MODELS, type ModelName } from '../../src/model/index.js';
import { CATEGORIES_WIDE, openclipartDir, pickDrawings, rasterize } from '../fixtures/openclipart.js';
import { cropped, flipped } from '../fixtures/scenes.js';

const per = Number(process.env.PER ?? 10);
const offset = Number(process.env.OFFSET ?? 0);
const fits = (process.env.FITS ?? 'contain,cover,fill').split(',') as Fit[];
const modelName = (process.env.MODEL ?? 'mobilenet_v2') as ModelName;
const size = MODELS[modelName].inputSize;

const root = openclipartDir();
if (!root) {
  console.error('openclipart-svg is missing: run packages/executor-image-encoder/scripts/fetch-test-images.sh');
  process.exit(1);
}
const drawings = await pickDrawings(root, per, { categories: CATEGORIES_WIDE, offset });
console.log(`${drawings.length} drawings from ${CATEGORIES_WIDE.length} categories (offset ${offset})`);
const rasters = await Promise.all(drawings.map((d) => rasterize(d.svg)));
const sets: Record<string, Uint8Array[]> = {
  gallery: drawings.map((d) => d.svg),
  flip: await Promise.all(rasters.map((r) => flipped(r))),
  crop90: await Promise.all(rasters.map((r) => cropped(r, 0.9))),
  flipcrop80: await Promise.all(rasters.map(async (r) => cropped(await flipped(r), 0.8))),
};
const model = await loadModel({ name: modelName, cacheDir: defaultCacheDir(), intraOpThreads: 2 });

interface Features {
  cnn: Float32Array[];
  cnnMirror: Float32Array[];
  rgb: Rgb;
}

async function features(bytes: Uint8Array, fit: Fit): Promise<Features> {
  const rgb = await preprocessBytes(bytes, { size, fit, trim: false, background: { r: 255, g: 255, b: 255 } });
  const plane = size * size * 3;
  const input = new Float32Array(2 * plane);
  const m = mirror(rgb, size);
  for (let i = 0; i < plane; i++) {
    input[i] = (rgb[i] as number) / 255;
    input[plane + i] = (m[i] as number) / 255;
  }
  const out = await model.session.run({ input: new ort.Tensor('float32', input, [2, size, size, 3]) });
  const f = out.features?.data as Float32Array;
  const d = f.length / 2;
  return { cnn: [f.slice(0, d)], cnnMirror: [f.slice(d)], rgb };
}

const DESIGNS: Record<string, EmbeddingDesign> = {
  'raw CNN': { mirrorAverage: false, colorDescriptor: 'none', colorHistogramBins: 0, colorWeight: 0 },
  '+ mirror': { mirrorAverage: true, colorDescriptor: 'none', colorHistogramBins: 0, colorWeight: 0 },
  '+ hist 4^3 w1': { mirrorAverage: false, colorDescriptor: 'rgb', colorHistogramBins: 4, colorWeight: 1 },
  '+ hist 4^3 w1.5': { mirrorAverage: false, colorDescriptor: 'rgb', colorHistogramBins: 4, colorWeight: 1.5 },
  '+ mirror + hist 4^3 w1': { mirrorAverage: true, colorDescriptor: 'rgb', colorHistogramBins: 4, colorWeight: 1 },
  '+ mirror + hist 4^3 w1.5 (default)': {
    mirrorAverage: true,
    colorDescriptor: 'rgb',
    colorHistogramBins: 4,
    colorWeight: 1.5,
  },
  '+ mirror + hist 8^3 w1.5': { mirrorAverage: true, colorDescriptor: 'rgb', colorHistogramBins: 8, colorWeight: 1.5 },
};

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * (b[i] as number), 0);

for (const fit of fits) {
  const feats: Record<string, Features[]> = {};
  for (const [name, images] of Object.entries(sets)) {
    feats[name] = [];
    for (const img of images) feats[name].push(await features(img, fit));
  }
  for (const [label, design] of Object.entries(DESIGNS)) {
    const gallery = (feats.gallery as Features[]).map((f) => buildEmbedding(f, design));
    const cells: string[] = [];
    for (const q of ['flip', 'crop90', 'flipcrop80']) {
      let hits = 0;
      (feats[q] as Features[]).forEach((f, qi) => {
        const e = buildEmbedding(f, design);
        let best = -1;
        let bestScore = Number.NEGATIVE_INFINITY;
        gallery.forEach((g, gi) => {
          const s = dot(e, g);
          if (s > bestScore) [best, bestScore] = [gi, s];
        });
        if (best === qi) hits++;
        else if (process.env.MISSES === label)
          console.log(`  miss ${q}: ${drawings[qi]?.file} -> ${drawings[best]?.file}`);
      });
      cells.push(`${q} ${(hits / drawings.length).toFixed(3)}`);
    }
    let p5 = 0;
    gallery.forEach((g, i) => {
      const nearest = gallery
        .map((h, j) => ({ j, s: j === i ? Number.NEGATIVE_INFINITY : dot(g, h) }))
        .sort((a, b) => b.s - a.s)
        .slice(0, 5);
      p5 += nearest.filter((n) => drawings[n.j]?.category === drawings[i]?.category).length / 5;
    });
    console.log(
      `${fit.padEnd(8)} ${label.padEnd(36)} ${cells.join('  ')}  catP@5 ${(p5 / drawings.length).toFixed(3)}`,
    );
  }
}
await model.session.release();
