/**
 * What happens to a catalogue picture when a shopper photographs it: the variation suite of the shop-the-look
 * evaluation. Each variation turns a drawing (rendered with transparency) into the JPEG a phone would send:
 * lighting and colour casts, greyscale, other backgrounds (plain, tinted, noisy, a wooden table top), rotation,
 * crop, scale, a small perspective, blur, strong JPEG compression, a mirror image, and one combination of several.
 * Everything is seeded: the same drawing gives the same bytes on every run.
 */
import sharp, { type Sharp } from 'sharp';

/** Canvas of a "photo": 4:3-ish landscape, the product filling about 80 % of its height. */
const W = 560;
const H = 480;
const OBJECT = 384;

export type Rgb3 = { r: number; g: number; b: number };

/** A seeded PRNG (mulberry32) in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

type Background = (seed: number) => Buffer; // raw RGB W x H

const plain =
  (c: Rgb3): Background =>
  () => {
    const b = Buffer.alloc(W * H * 3);
    for (let i = 0; i < b.length; i += 3) [b[i], b[i + 1], b[i + 2]] = [c.r, c.g, c.b];
    return b;
  };

const tinted: Background = () => {
  const b = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    const t = y / (H - 1);
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 3;
      b[i] = 214 - 30 * t + (8 * x) / W;
      b[i + 1] = 228 - 22 * t;
      b[i + 2] = 240 - 14 * t;
    }
  }
  return b;
};

const noisy: Background = (seed) => {
  const r = prng(seed);
  const b = Buffer.alloc(W * H * 3);
  for (let i = 0; i < b.length; i += 3) {
    const n = gaussian(r) * 22;
    b[i] = Math.max(0, Math.min(255, 200 + n + gaussian(r) * 6));
    b[i + 1] = Math.max(0, Math.min(255, 196 + n + gaussian(r) * 6));
    b[i + 2] = Math.max(0, Math.min(255, 188 + n + gaussian(r) * 6));
  }
  return b;
};

/** A wooden table top: warm brown grain (wavy stripes) with fine noise. */
const table: Background = (seed) => {
  const r = prng(seed);
  const phase = r() * 100;
  const b = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const wave = Math.sin((y + 9 * Math.sin(x / 41 + phase) + 4 * Math.sin(x / 13)) / 5.5);
      const knot = 0.5 + 0.5 * Math.sin(x / 97 + y / 211 + phase);
      const v = 0.75 + 0.15 * wave + 0.1 * knot + gaussian(r) * 0.03;
      const i = (y * W + x) * 3;
      b[i] = Math.max(0, Math.min(255, 176 * v));
      b[i + 1] = Math.max(0, Math.min(255, 122 * v));
      b[i + 2] = Math.max(0, Math.min(255, 78 * v));
    }
  }
  return b;
};

/** The drawing (transparent background) composited onto a background, scaled to `object` px and offset. */
async function scene(
  rgba: Buffer,
  background: Buffer,
  object = OBJECT,
  at: { x: number; y: number } = { x: 0.5, y: 0.5 },
): Promise<Sharp> {
  const fg = await sharp(rgba).resize(object, object, { fit: 'inside' }).png().toBuffer({ resolveWithObject: true });
  const left = Math.round((W - fg.info.width) * at.x);
  const top = Math.round((H - fg.info.height) * at.y);
  const composed = await sharp(background, { raw: { width: W, height: H, channels: 3 } })
    .composite([{ input: fg.data, left, top }])
    .removeAlpha()
    .raw()
    .toBuffer();
  return sharp(composed, { raw: { width: W, height: H, channels: 3 } });
}

const white = plain({ r: 255, g: 255, b: 255 });
const jpeg = (s: Sharp, quality = 85) => s.jpeg({ quality }).toBuffer();
/** Re-read an encoded intermediate so geometry and colour operations apply in a fixed order. */
const reread = async (s: Sharp) => sharp(await s.png().toBuffer());

export interface Variation {
  name: string;
  /** JPEG bytes of the drawing (RGBA PNG) under this variation; `seed` varies noise and textures per item. */
  apply(rgba: Buffer, seed: number): Promise<Buffer>;
}

export const VARIATIONS: readonly Variation[] = [
  { name: 'mirror', apply: async (d) => jpeg((await scene(d, white(0))).flop()) },
  {
    name: 'rotate_15',
    apply: async (d) => jpeg((await reread(await scene(d, white(0)))).rotate(15, { background: '#ffffff' })),
  },
  {
    name: 'crop',
    apply: async (d) =>
      jpeg((await scene(d, white(0))).extract({ left: 84, top: 38, width: Math.round(W * 0.72), height: 384 })),
  },
  { name: 'scale_small', apply: async (d) => jpeg(await scene(d, white(0), 170, { x: 0.3, y: 0.65 })) },
  {
    name: 'perspective',
    apply: async (d) =>
      jpeg(
        (await reread(await scene(d, white(0)))).affine(
          [
            [1, 0.14],
            [0.07, 0.93],
          ],
          { background: '#ffffff' },
        ),
      ),
  },
  { name: 'blur', apply: async (d) => jpeg((await scene(d, white(0))).blur(3)) },
  { name: 'jpeg_q15', apply: async (d) => jpeg(await scene(d, white(0)), 15) },
  { name: 'light_dim', apply: async (d) => jpeg((await scene(d, white(0))).linear(0.68, 6)) },
  {
    name: 'cast_warm',
    apply: async (d) =>
      jpeg(
        (await scene(d, white(0))).recomb([
          [1.0, 0.06, 0],
          [0.02, 0.93, 0],
          [0, 0.04, 0.74],
        ]),
      ),
  },
  { name: 'greyscale', apply: async (d) => jpeg((await scene(d, white(0))).greyscale().toColourspace('srgb')) },
  { name: 'bg_beige', apply: async (d) => jpeg(await scene(d, plain({ r: 233, g: 220, b: 195 })(0))) },
  { name: 'bg_tinted', apply: async (d) => jpeg(await scene(d, tinted(0))) },
  { name: 'bg_noisy', apply: async (d, seed) => jpeg(await scene(d, noisy(seed))) },
  { name: 'bg_table', apply: async (d, seed) => jpeg(await scene(d, table(seed), 300)) },
  {
    name: 'combo',
    apply: async (d, seed) =>
      jpeg(
        (await reread((await scene(d, plain({ r: 226, g: 214, b: 190 })(seed), 330)).linear(0.85, 0))).rotate(-8, {
          background: '#e2d6be',
        }),
        60,
      ),
  },
];

export const VARIATION_NAMES = VARIATIONS.map((v) => v.name);

/** A drawing rendered with transparency, longest side 512 px (PNG): what the variations start from. */
export async function renderRgba(svg: Buffer): Promise<Buffer> {
  return sharp(svg).resize(512, 512, { fit: 'inside' }).ensureAlpha().png().toBuffer();
}

/** The drawing photographed plainly: on white, JPEG q85 (the off-catalogue query). */
export async function plainPhoto(rgba: Buffer): Promise<Buffer> {
  return jpeg(await scene(rgba, white(0)));
}
