/**
 * The embedding levers of the shop-the-look evaluation, measured on the TUNING split only (HELDOUT=1 also
 * reports the held-out split for the designs named in REPORT, after the choice is made). For each preprocessing
 * mode it runs the CNN once per image with several pooled layers as outputs (cached on disk), then scores every
 * design (layer mix, colour descriptor and weight, greyscale handling) offline.
 *
 *   node --conditions=weft-source --import tsx packages/executor-image-encoder/test/eval/eval-levers.ts
 *
 * Env: PER (catalogue drawings per category, default 6), OFF (off-catalogue drawings per category, default 3),
 * MODES (default near-white,border,border-whiten-trim), HELDOUT=1, REPORT (comma-separated design labels),
 * BACKBONES (default mobilenet_v2; `mobilenet_v2,mobilenet_v2_mid` adds the `mid:` outputs), ONLY (a label regexp),
 * ROWS (a label: print its per-variation rows), MAXFALSE (false-match allowance of the fitted threshold, default 0.1),
 * THRESHOLD (score every split at this fixed threshold instead), NEG=1 (print the off-catalogue best scores),
 * FEATURE_TAG (a new feature cache after a preprocessing change).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import * as ort from 'onnxruntime-node';
import { nsfwjsModelsDir } from '../../src/convert/index.js';
import {
  colorHistogram,
  hueChromaHistogram,
  l2normalize,
  mirror,
  type PreprocessOptions,
  prepareBytes,
} from '../../src/image/index.js';
import { defaultCacheDir, ensureConvertedModel, modelSourceDir } from '../../src/model/index.js';
import { openclipartDir } from '../fixtures/openclipart.js';
import { categoryPrecisionAt5, fitThreshold, perVariation, rank, rateAbove } from './metrics.js';
import { cacheDir, type QuerySet, querySet } from './query-set.js';
import { splitDrawings } from './split.js';

const PER = Number(process.env.PER ?? 6);
const OFF = Number(process.env.OFF ?? 3);
const SIZE = 224;
type Output = { layer: string; name: string; pool?: 'avg' | 'max' | 'gem' };
const ROUND1: Output[] = [
  { layer: 'flatten_1', name: 'features' },
  { layer: 'out_relu', name: 'out_gem', pool: 'gem' },
  { layer: 'block_10_expand_relu', name: 'b10e' },
  { layer: 'block_10_expand_relu', name: 'b10e_gem', pool: 'gem' },
  { layer: 'block_12_expand_relu', name: 'b12e' },
  { layer: 'block_6_expand_relu', name: 'b6e' },
];
const ROUND2: Output[] = [
  { layer: 'block_10_expand_relu', name: 'b10e_gem', pool: 'gem' },
  { layer: 'block_10_expand_relu', name: 'b10e_max', pool: 'max' },
  { layer: 'block_8_expand_relu', name: 'b8e_gem', pool: 'gem' },
  { layer: 'block_12_expand_relu', name: 'b12e_gem', pool: 'gem' },
  { layer: 'block_13_expand_relu', name: 'b13e_gem', pool: 'gem' },
  { layer: 'block_6_expand_relu', name: 'b6e_gem', pool: 'gem' },
];
/** nsfwjs's `mobilenet_v2_mid` (TF-Hub MobileNetV2 1.4 feature vector, ImageNet weights): outputs prefixed `mid:`. */
const MID: Output[] = [
  { layer: 'feature_vector/SpatialSqueeze', name: 'mid:feat' },
  { layer: 'MobilenetV2/Conv_1/Relu6', name: 'mid:c1_gem', pool: 'gem' },
  { layer: 'MobilenetV2/Conv_1/Relu6', name: 'mid:c1_max', pool: 'max' },
  { layer: 'expanded_conv_10/expand/Relu6', name: 'mid:e10_max', pool: 'max' },
  { layer: 'expanded_conv_12/expand/Relu6', name: 'mid:e12_gem', pool: 'gem' },
  { layer: 'expanded_conv_14/expand/Relu6', name: 'mid:e14_gem', pool: 'gem' },
  { layer: 'expanded_conv_16/expand/Relu6', name: 'mid:e16_gem', pool: 'gem' },
  { layer: 'expanded_conv_16/expand/Relu6', name: 'mid:e16_max', pool: 'max' },
];
type Backbone = 'mobilenet_v2' | 'mobilenet_v2_mid';
const BACKBONES = (process.env.BACKBONES ?? 'mobilenet_v2').split(',') as Backbone[];
/** The baseline mode keeps the first round's outputs (cached); the others get every output. */
const outputsFor = (mode: Mode, backbone: Backbone = 'mobilenet_v2'): Output[] =>
  backbone === 'mobilenet_v2_mid'
    ? MID
    : mode === 'near-white'
      ? ROUND1
      : [...ROUND1, ...ROUND2.filter((o) => !ROUND1.some((r) => r.name === o.name))];
type Mode = 'near-white' | 'border' | 'border-whiten-trim';
const MODES = (process.env.MODES ?? 'near-white,border,border-whiten-trim').split(',') as Mode[];

const preprocess = (mode: Mode): PreprocessOptions => ({
  size: SIZE,
  fit: 'contain',
  trim: mode === 'border-whiten-trim',
  background: { r: 255, g: 255, b: 255 },
  foreground: mode === 'near-white' ? 'near-white' : 'border',
  whiten: mode === 'border-whiten-trim',
});

interface Feat {
  /** Per output: features of the image and of its mirror. */
  out: Record<string, [Float32Array, Float32Array]>;
  rgb4: Float64Array;
  hc: Float64Array;
  hcNeutral: Float64Array;
}

const root = openclipartDir();
if (!root) {
  console.error('openclipart-svg is missing: run packages/executor-image-encoder/scripts/fetch-test-images.sh');
  process.exit(1);
}
const splits = await splitDrawings(root, { catalogue: PER, offCatalogue: OFF });
const SUB = Number(process.env.SUB ?? PER);
if (SUB < PER) {
  // the first SUB catalogue drawings of each category (queries follow their drawings below)
  for (const s of Object.values(splits)) {
    const seen = new Map<string, number>();
    s.catalogue = s.catalogue.filter((d) => {
      const n = (seen.get(d.category) ?? 0) + 1;
      seen.set(d.category, n);
      return n <= SUB;
    });
  }
}
const sessions = new Map<string, ort.InferenceSession>();
async function sessionFor(outputs: Output[], backbone: Backbone): Promise<ort.InferenceSession> {
  const key = JSON.stringify(outputs);
  let s = sessions.get(key);
  if (!s) {
    const model = ensureConvertedModel({
      id: `${backbone}-eval`,
      sourceDir: backbone === 'mobilenet_v2' ? modelSourceDir('mobilenet_v2') : join(nsfwjsModelsDir(), backbone),
      outputs: outputs.map((o) => ({ ...o, name: o.name.replace(':', '_') })),
      cacheDir: defaultCacheDir(),
    });
    s = await ort.InferenceSession.create(model.path, { intraOpNumThreads: 2, interOpNumThreads: 1 });
    sessions.set(key, s);
  }
  return s;
}

const imageKey = (b: Buffer) => createHash('sha256').update(b).digest('hex').slice(0, 32);

async function extract(images: readonly Buffer[], mode: Mode, label: string): Promise<Feat[]> {
  const all = await Promise.resolve(BACKBONES).then(async (bs) => {
    const per: Feat[][] = [];
    for (const b of bs) per.push(await extractWith(images, mode, label, b));
    return per;
  });
  return (all[0] as Feat[]).map((f, i) => ({ ...f, out: Object.assign({}, ...all.map((p) => (p[i] as Feat).out)) }));
}

async function extractWith(images: readonly Buffer[], mode: Mode, label: string, backbone: Backbone): Promise<Feat[]> {
  const outputs = outputsFor(mode, backbone);
  const dir = join(
    cacheDir(),
    `feat-${createHash('sha256')
      // FEATURE_TAG: a new cache for a changed preprocessing (the cache key knows the mode, not the code)
      .update(
        `${mode}\0${JSON.stringify(outputs)}${backbone === 'mobilenet_v2' ? '' : `\0${backbone}`}${process.env.FEATURE_TAG ? `\0${process.env.FEATURE_TAG}` : ''}`,
      )
      .digest('hex')
      .slice(0, 16)}`,
  );
  mkdirSync(dir, { recursive: true });
  const out: (Feat | undefined)[] = images.map((b) => {
    try {
      return deserialize(readFileSync(join(dir, imageKey(b)))) as Feat;
    } catch {
      return undefined;
    }
  });
  const todo = images.map((b, i) => ({ b, i })).filter(({ i }) => !out[i]);
  const t0 = performance.now();
  const session = todo.length ? await sessionFor(outputs, backbone) : undefined;
  const B = 16;
  const plane = SIZE * SIZE * 3;
  for (let at = 0; at < todo.length; at += B) {
    const chunk = todo.slice(at, at + B);
    const prepared = await Promise.all(chunk.map(({ b }) => prepareBytes(b, preprocess(mode))));
    const input = new Float32Array(chunk.length * 2 * plane);
    prepared.forEach((p, k) => {
      const m = mirror(p.rgb, SIZE);
      for (let i = 0; i < plane; i++) {
        input[2 * k * plane + i] = (p.rgb[i] as number) / 255;
        input[(2 * k + 1) * plane + i] = (m[i] as number) / 255;
      }
    });
    const r = await (session as ort.InferenceSession).run({
      input: new ort.Tensor('float32', input, [chunk.length * 2, SIZE, SIZE, 3]),
    });
    prepared.forEach((p, k) => {
      const f: Feat = {
        out: {},
        rgb4: colorHistogram(p.rgb, 4, p.mask),
        hc: hueChromaHistogram(p.rgb, p.mask, false),
        hcNeutral: hueChromaHistogram(p.rgb, p.mask, true),
      };
      for (const o of outputs) {
        const data = r[o.name.replace(':', '_')]?.data as Float32Array;
        const d = data.length / (chunk.length * 2);
        f.out[o.name] = [data.slice(2 * k * d, (2 * k + 1) * d), data.slice((2 * k + 1) * d, (2 * k + 2) * d)];
      }
      const { b, i } = chunk[k] as { b: Buffer; i: number };
      out[i] = f;
      writeFileSync(join(dir, imageKey(b)), serialize(f));
    });
  }
  if (todo.length) {
    console.log(
      `  ${label} ${mode} ${backbone}: ${todo.length} images in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  return out as Feat[];
}

interface Design {
  layers: [string, number][];
  colour: 'none' | 'rgb4' | 'hc' | 'hcNeutral';
  w: number;
  /** Subtract the catalogue's mean embedding from every embedding (fitted on the gallery at index time). */
  centre?: boolean;
}

/** Subtract the mean of `gallery` from each vector and renormalise (in place). */
function centreOn(gallery: Float32Array[], ...sets: Float32Array[][]): void {
  const dim = (gallery[0] as Float32Array).length;
  const mean = new Float64Array(dim);
  for (const g of gallery)
    for (let i = 0; i < dim; i++) mean[i] = (mean[i] as number) + (g[i] as number) / gallery.length;
  for (const set of [gallery, ...sets])
    for (const v of set) {
      for (let i = 0; i < dim; i++) v[i] = (v[i] as number) - (mean[i] as number);
      l2normalize(v);
    }
}

function embed(f: Feat, d: Design): Float32Array {
  const parts: number[] = [];
  for (const [name, weight] of d.layers) {
    const [a, b] = f.out[name] as [Float32Array, Float32Array];
    const v = l2normalize(Float64Array.from(a, (x, i) => (x + (b[i] as number)) / 2));
    for (const x of v) parts.push(x * weight);
  }
  if (d.colour !== 'none') for (const x of f[d.colour]) parts.push(x * d.w);
  return l2normalize(Float32Array.from(parts));
}

interface SetFeats {
  set: QuerySet;
  gallery: Feat[];
  near: Feat[];
  off: Feat[];
}

function score(s: SetFeats, d: Design) {
  const gallery = s.gallery.map((f) => embed(f, d));
  const nearE = s.near.map((f) => embed(f, d));
  const offE = s.off.map((f) => embed(f, d));
  if (d.centre) centreOn(gallery, nearE, offE);
  const cats = s.set.split.catalogue.map((x) => x.category);
  const near = nearE.map((e, i) => {
    const q = s.set.nearDuplicates[i] as QuerySet['nearDuplicates'][number];
    return { variation: q.variation, target: q.target, ranked: rank(gallery, e, 5) };
  });
  const off = offE.map((e, i) => ({
    category: (s.set.offCatalogue[i] as QuerySet['offCatalogue'][number]).category,
    ranked: rank(gallery, e, 5),
  }));
  const rows = perVariation(near);
  const overall = rows[rows.length - 1] as (typeof rows)[number];
  const minRow = rows.slice(0, -1).reduce((a, b) => (b.top1 < a.top1 ? b : a));
  const pos = near.filter((r) => r.ranked.order[0] === r.target).map((r) => r.ranked.scores[0] as number);
  const neg = off.map((r) => r.ranked.scores[0] as number);
  const cal = fitThreshold(pos, neg, Number(process.env.MAXFALSE ?? 0.1));
  if (process.env.THRESHOLD) cal.threshold = Number(process.env.THRESHOLD); // a fixed (shipped) threshold
  if (process.env.NEG)
    console.log(
      `   negatives (best score) ${[...neg]
        .sort((a, b) => b - a)
        .slice(0, 12)
        .map((x) => x.toFixed(4))
        .join(
          ' ',
        )}; positives p10 ${[...pos].sort((a, b) => a - b)[Math.floor(pos.length * 0.1)]?.toFixed(4)} p25 ${[...pos].sort((a, b) => a - b)[Math.floor(pos.length * 0.25)]?.toFixed(4)}`,
    );
  // category prototypes: each gallery item also scores the query's similarity to its category's mean embedding
  const protoP5 = (lambda: number) => {
    const means = new Map<string, Float64Array>();
    gallery.forEach((g, j) => {
      const c = cats[j] as string;
      const m = means.get(c) ?? new Float64Array(g.length);
      for (let i = 0; i < g.length; i++) m[i] = (m[i] as number) + (g[i] as number);
      means.set(c, m);
    });
    for (const m of means.values()) l2normalize(m);
    const reranked = offE.map((q, i) => {
      const toClass = new Map([...means].map(([c, m]) => [c, m.reduce((a, x, k) => a + x * (q[k] as number), 0)]));
      const scored = gallery.map((g, j) => ({
        j,
        s: g.reduce((a, x, k) => a + x * (q[k] as number), 0) + lambda * (toClass.get(cats[j] as string) as number),
      }));
      scored.sort((a, b) => b.s - a.s);
      const order = scored.slice(0, 5).map((x) => x.j);
      return {
        category: (s.set.offCatalogue[i] as QuerySet['offCatalogue'][number]).category,
        ranked: { order, scores: [] },
      };
    });
    return categoryPrecisionAt5(reranked, cats);
  };
  return {
    proto: [protoP5(1), protoP5(3)],
    rows,
    top1: overall.top1,
    top5: overall.top5,
    min: minRow,
    p5: categoryPrecisionAt5(off, cats),
    cal,
    trueMatch:
      near.filter((r) => r.ranked.order[0] === r.target && (r.ranked.scores[0] as number) >= cal.threshold).length /
      near.length,
    falseMatch: rateAbove(neg, cal.threshold),
  };
}

const designs: Record<string, Design> = {};
const F: [string, number] = ['features', 1];
{
  designs.cnn = { layers: [F], colour: 'none', w: 0 };
  designs['cnn + rgb4 w1.5 (old default)'] = { layers: [F], colour: 'rgb4', w: 1.5 };
  for (const w of [0.25, 0.5]) designs[`cnn + rgb4 w${w}`] = { layers: [F], colour: 'rgb4', w };
  for (const w of [0.25, 0.5, 0.75, 1]) {
    designs[`cnn + hc w${w}`] = { layers: [F], colour: 'hc', w };
    designs[`cnn + hcN w${w}`] = { layers: [F], colour: 'hcNeutral', w };
  }
  designs.out_gem = { layers: [['out_gem', 1]], colour: 'none', w: 0 };
  designs.b10e = { layers: [['b10e', 1]], colour: 'none', w: 0 };
  designs.b10e_gem = { layers: [['b10e_gem', 1]], colour: 'none', w: 0 };
  designs.b12e = { layers: [['b12e', 1]], colour: 'none', w: 0 };
  designs.b6e = { layers: [['b6e', 1]], colour: 'none', w: 0 };
  for (const w of [0.5, 1]) {
    designs[`cnn + b10e ${w}`] = { layers: [F, ['b10e', w]], colour: 'none', w: 0 };
    designs[`cnn + b10e_gem ${w}`] = { layers: [F, ['b10e_gem', w]], colour: 'none', w: 0 };
    designs[`cnn + b12e ${w}`] = { layers: [F, ['b12e', w]], colour: 'none', w: 0 };
    designs[`cnn + b6e ${w}`] = { layers: [F, ['b6e', w]], colour: 'none', w: 0 };
    designs[`out_gem + b10e_gem ${w}`] = {
      layers: [
        ['out_gem', 1],
        ['b10e_gem', w],
      ],
      colour: 'none',
      w: 0,
    };
  }
  for (const lw of [0.5, 1])
    for (const w of [0.25, 0.5, 0.75]) {
      designs[`cnn + b10e_gem ${lw} + hcN w${w}`] = { layers: [F, ['b10e_gem', lw]], colour: 'hcNeutral', w };
      designs[`cnn + b12e ${lw} + hcN w${w}`] = { layers: [F, ['b12e', lw]], colour: 'hcNeutral', w };
      designs[`cnn + b10e ${lw} + hcN w${w}`] = { layers: [F, ['b10e', lw]], colour: 'hcNeutral', w };
    }
}
{
  const G: [string, number] = ['b10e_gem', 1];
  for (const name of ['features', 'b10e_gem', 'b10e_max', 'b8e_gem', 'b12e_gem', 'b13e_gem', 'b6e_gem'])
    designs[name] = { layers: [[name, 1]], colour: 'none', w: 0 };
  for (const name of ['b8e_gem', 'b12e_gem', 'b13e_gem', 'b6e_gem', 'features'])
    for (const w of [0.5, 1]) designs[`b10e_gem + ${name} ${w}`] = { layers: [G, [name, w]], colour: 'none', w: 0 };
  for (const w of [0.25, 0.5, 0.75]) {
    designs[`b10e_gem + hcN w${w}`] = { layers: [G], colour: 'hcNeutral', w };
    designs[`b10e_gem + hc w${w}`] = { layers: [G], colour: 'hc', w };
    designs[`b10e_gem + rgb4 w${w}`] = { layers: [G], colour: 'rgb4', w };
    designs[`b10e_gem + b12e_gem 0.5 + hcN w${w}`] = { layers: [G, ['b12e_gem', 0.5]], colour: 'hcNeutral', w };
    designs[`b10e_gem + b8e_gem 0.5 + hcN w${w}`] = { layers: [G, ['b8e_gem', 0.5]], colour: 'hcNeutral', w };
    designs[`b10e_gem + features 0.5 + hcN w${w}`] = {
      layers: [G, F.slice(0, 1).concat(0.5) as [string, number]],
      colour: 'hcNeutral',
      w,
    };
  }
}

{
  // round 3: combinations of the best single layers (border-whiten-trim)
  const M: [string, number] = ['b10e_max', 1];
  for (const w of [0.5, 1, 1.5]) {
    designs[`b10e_max + b12e_gem ${w}`] = { layers: [M, ['b12e_gem', w]], colour: 'none', w: 0 };
    designs[`b10e_max + b13e_gem ${w}`] = { layers: [M, ['b13e_gem', w]], colour: 'none', w: 0 };
    designs[`b10e_max + features ${w}`] = { layers: [M, ['features', w]], colour: 'none', w: 0 };
  }
  designs['b10e_max + b12e_gem 1 + b13e_gem 0.5'] = {
    layers: [M, ['b12e_gem', 1], ['b13e_gem', 0.5]],
    colour: 'none',
    w: 0,
  };
  for (const w of [0.1, 0.2, 0.3]) {
    designs[`b10e_max + b12e_gem 1 + hcN w${w}`] = { layers: [M, ['b12e_gem', 1]], colour: 'hcNeutral', w };
    designs[`b10e_max + b12e_gem 1 + hc w${w}`] = { layers: [M, ['b12e_gem', 1]], colour: 'hc', w };
    designs[`b10e_max + hcN w${w}`] = { layers: [M], colour: 'hcNeutral', w };
    designs[`b12e_gem + hcN w${w}`] = { layers: [['b12e_gem', 1]], colour: 'hcNeutral', w };
  }
}
{
  // round 4: nsfwjs's mobilenet_v2_mid (ImageNet weights throughout) alone and beside the default's blocks
  const M: [string, number] = ['b10e_max', 1];
  const D: [string, number][] = [M, ['b12e_gem', 1]];
  for (const name of [
    'mid:feat',
    'mid:c1_gem',
    'mid:c1_max',
    'mid:e10_max',
    'mid:e12_gem',
    'mid:e14_gem',
    'mid:e16_gem',
    'mid:e16_max',
  ])
    designs[name] = { layers: [[name, 1]], colour: 'none', w: 0 };
  designs['mid:e10_max + mid:e12_gem'] = {
    layers: [
      ['mid:e10_max', 1],
      ['mid:e12_gem', 1],
    ],
    colour: 'none',
    w: 0,
  };
  designs.default = { layers: D, colour: 'hcNeutral', w: 0.1 };
  for (const sem of ['mid:feat', 'mid:c1_gem', 'mid:e16_gem', 'mid:e14_gem'])
    for (const w of [0.5, 1, 1.5, 2]) {
      designs[`default + ${sem} ${w}`] = { layers: [...D, [sem, w]], colour: 'hcNeutral', w: 0.1 };
      designs[`mid:e10_max + mid:e12_gem + ${sem} ${w} + hcN 0.1`] = {
        layers: [
          ['mid:e10_max', 1],
          ['mid:e12_gem', 1],
          [sem, w],
        ],
        colour: 'hcNeutral',
        w: 0.1,
      };
    }
}
{
  const E: [string, number][] = [
    ['mid:e10_max', 1],
    ['mid:e12_gem', 1],
  ];
  for (const sem of ['mid:feat', 'mid:c1_gem'])
    for (const w of [0.25, 0.5, 0.75])
      for (const cw of [0.05, 0.1, 0.15])
        designs[`mid:e10_max + mid:e12_gem + ${sem} ${w} + hcN ${cw}`] = {
          layers: [...E, [sem, w]],
          colour: 'hcNeutral',
          w: cw,
        };
  designs['mid:e10_max + mid:e12_gem 0.5 + mid:feat 0.5 + hcN 0.1'] = {
    layers: [
      ['mid:e10_max', 1],
      ['mid:e12_gem', 0.5],
      ['mid:feat', 0.5],
    ],
    colour: 'hcNeutral',
    w: 0.1,
  };
  designs['mid:e10_max + mid:c1_gem 0.5 + hcN 0.1'] = {
    layers: [
      ['mid:e10_max', 1],
      ['mid:c1_gem', 0.5],
    ],
    colour: 'hcNeutral',
    w: 0.1,
  };
}
for (const [k, d] of Object.entries(designs))
  if (/mid|^default/.test(k)) designs[`${k} centred`] = { ...d, centre: true };
const ONLY = process.env.ONLY ? new RegExp(process.env.ONLY) : undefined;

async function evaluate(which: 'tuning' | 'heldout', only?: string[]) {
  const set = await querySet(splits[which]);
  console.log(
    `\n${which}: ${set.gallery.length} catalogue drawings, ${set.nearDuplicates.length} near-duplicate queries, ${set.offCatalogue.length} off-catalogue queries`,
  );
  for (const mode of MODES) {
    const s: SetFeats = {
      set,
      gallery: await extract(set.gallery, mode, `${which} gallery`),
      near: await extract(
        set.nearDuplicates.map((q) => q.bytes),
        mode,
        `${which} near-duplicates`,
      ),
      off: await extract(
        set.offCatalogue.map((q) => q.bytes),
        mode,
        `${which} off-catalogue`,
      ),
    };
    console.log(`\n[${which}] preprocessing ${mode}`);
    console.log('design | top1 | top5 | min variation top1 | category p@5 | threshold | true-match | false-match');
    for (const [label, d] of Object.entries(designs)) {
      if (only && !only.includes(label)) continue;
      if (ONLY && !ONLY.test(label)) continue;
      if (d.layers.some(([name]) => !(name in (s.gallery[0] as Feat).out))) continue;
      const r = score(s, d);
      console.log(
        `${label} | ${r.top1.toFixed(3)} | ${r.top5.toFixed(3)} | ${r.min.top1.toFixed(3)} (${r.min.variation}) | ${r.p5.toFixed(3)} (proto ${r.proto.map((x) => x.toFixed(3)).join('/')}) | ${r.cal.threshold.toFixed(3)} (width ${r.cal.width.toFixed(4)}) | ${r.trueMatch.toFixed(3)} | ${r.falseMatch.toFixed(3)}`,
      );
      if (process.env.ROWS === label || only?.includes(label))
        console.log(`   ${r.rows.map((x) => `${x.variation} ${x.top1.toFixed(2)}/${x.top5.toFixed(2)}`).join('  ')}`);
    }
  }
}

await evaluate('tuning');
if (process.env.HELDOUT === '1') await evaluate('heldout', process.env.REPORT?.split(','));
for (const s of sessions.values()) await s.release();
