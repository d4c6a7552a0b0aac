/**
 * Image preprocessing with sharp: decode encoded bytes (JPEG, PNG, WebP, GIF, AVIF, TIFF, SVG) or raw pixel
 * tensors, apply EXIF orientation, flatten transparency onto the background colour, and resize to the model's
 * square input (letterbox `contain`, centre-crop `cover` or stretch `fill`). Returns packed RGB bytes.
 */

import type { NdArray } from '@weft-ai/weft';
import sharp, { type Sharp } from 'sharp';
import { estimateBackground, foregroundBox, foregroundMask, refineLayeredBackground } from './foreground.js';

export type Fit = 'contain' | 'cover' | 'fill';

export interface PreprocessOptions {
  /** Side of the square model input, in pixels. */
  size: number;
  fit: Fit;
  /** Letterbox and transparency colour. */
  background: { r: number; g: number; b: number };
  /** Crop away borders of (near-)background colour before resizing. */
  trim: boolean;
  /**
   * How the background is found: `near-white` (a fixed near-white threshold, the letterbox in `background`) or
   * `border` (its colour estimated from the image border; the letterbox then uses that colour and a foreground
   * mask comes with the pixels). Default `near-white`.
   */
  foreground?: 'near-white' | 'border';
  /** With `border`: paint the background pixels white, so the CNN sees the product on white as in a catalogue. */
  whiten?: boolean;
}

/** Packed `size * size * 3` RGB bytes. */
export type Rgb = Uint8Array;

/** Model-input pixels and, with `foreground: 'border'`, the foreground mask (`size * size`, 255 = product). */
export interface Prepared {
  rgb: Rgb;
  mask?: Uint8Array;
}

/** Refuse decoding images with more pixels than this (sharp's decompression-bomb guard; 16k x 16k). */
const MAX_INPUT_PIXELS = 16_384 * 16_384;
const INPUT = { failOn: 'error' as const, limitInputPixels: MAX_INPUT_PIXELS };

/** Parse '#rrggbb', '#rgb' or 'white'/'black' into an RGB triple; undefined when unreadable. */
export function parseColour(value: string): { r: number; g: number; b: number } | undefined {
  const named: Record<string, string> = { white: '#ffffff', black: '#000000', gray: '#808080', grey: '#808080' };
  const hex = (named[value.toLowerCase()] ?? value).replace(/^#/, '');
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
  if (!/^[0-9a-f]{6}$/i.test(full)) return undefined;
  const n = Number.parseInt(full, 16);
  return { r: (n >> 16) & 255, g: (n >> 8) & 255, b: n & 255 };
}

/**
 * Decode encoded image bytes into the model's RGB input. Rejects with sharp's reason when undecodable. Vector
 * images (SVG) are rendered by libvips at the size the resize asks for, so they stay sharp at any nominal size.
 */
export async function preprocessBytes(bytes: Uint8Array, options: PreprocessOptions): Promise<Rgb> {
  return (await prepareBytes(bytes, options)).rgb;
}

/** Like `preprocessBytes`, with the foreground mask when `options.foreground` is `border`. */
export function prepareBytes(bytes: Uint8Array, options: PreprocessOptions): Promise<Prepared> {
  return finish(sharp(bytes, INPUT).rotate(), options);
}

/**
 * Resize a raw image tensor (`[H, W]`, `[H, W, 1|3|4]`; uint8 in 0–255, or floats in [0, 1] — values above 1
 * are taken as 0–255) into the model's RGB input.
 */
export async function preprocessTensor(tensor: NdArray, options: PreprocessOptions): Promise<Rgb> {
  return (await prepareTensor(tensor, options)).rgb;
}

/** Like `preprocessTensor`, with the foreground mask when `options.foreground` is `border`. */
export async function prepareTensor(tensor: NdArray, options: PreprocessOptions): Promise<Prepared> {
  const shape = tensor.shape;
  const [height, width] = shape as [number, number];
  const channels = shape.length === 2 ? 1 : (shape[2] as number);
  if ((shape.length !== 2 && shape.length !== 3) || ![1, 3, 4].includes(channels) || !height || !width) {
    throw new Error(`tensor of shape [${shape.join(', ')}] is not an image: expected [H, W, 3] (or 1 or 4 channels)`);
  }
  const data = tensor.data;
  let pixels: Uint8Array;
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) {
    pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } else if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    throw new Error(`tensor dtype ${tensor.dtype} is not an image type: use uint8, or float in [0, 1]`);
  } else {
    let max = 0;
    for (let i = 0; i < data.length; i++) {
      const v = data[i] as number;
      if (!Number.isFinite(v)) throw new Error('tensor holds a non-finite value');
      if (v > max) max = v;
    }
    const scale = max > 1 ? 1 : 255;
    const clamped = new Uint8ClampedArray(data.length); // rounds and clamps to 0–255 on store
    for (let i = 0; i < data.length; i++) clamped[i] = (data[i] as number) * scale;
    pixels = new Uint8Array(clamped.buffer);
  }
  if (pixels.length !== height * width * channels) throw new Error('tensor data does not fill its shape');
  return finish(sharp(pixels, { raw: { width, height, channels: channels as 1 | 3 | 4 } }), options);
}

async function finish(image: Sharp, options: PreprocessOptions): Promise<Prepared> {
  const { size, fit, background } = options;
  let flat = image.flatten({ background });
  if (options.foreground === 'border') return finishBorder(flat, options);
  if (options.trim) {
    // one bounded raw pass to find the content box, then crop and resize from those pixels
    const bound = size * 4;
    const raw = await flat
      .resize(bound, bound, { fit: 'inside' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const { width, height } = raw.info;
    flat = sharp(raw.data, { raw: { width, height, channels: 3 } });
    const box = contentBox(raw.data, width, height, background);
    if (box) flat = flat.extract(box);
  }
  const { data, info } = await flat
    .resize(size, size, { fit, background, position: 'centre', kernel: 'lanczos3' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== size || info.height !== size || info.channels !== 3) {
    throw new Error(`resize produced ${info.width}x${info.height}x${info.channels}, expected ${size}x${size}x3`);
  }
  return { rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

const WHITE = { r: 255, g: 255, b: 255 };

/**
 * `foreground: 'border'`: one bounded raw pass (twice the model size) to estimate the background from the border
 * and mask the product; optionally whiten the background and trim to the product; then fit the pixels and the
 * mask alike into the model input, letterboxing with the background colour (or white when whitened).
 */
async function finishBorder(flat: Sharp, options: PreprocessOptions): Promise<Prepared> {
  const { size, fit } = options;
  const bound = size * 2;
  const raw = await flat
    .resize(bound, bound, { fit: 'inside' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height } = raw.info;
  const px = new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength);
  const bg = estimateBackground(px, width, height);
  const mask = refineLayeredBackground(px, width, height, bg, foregroundMask(px, width, height, bg));
  if (options.whiten) {
    for (let p = 0, i = 0; p < mask.length; p++, i += 3) if (!mask[p]) px[i] = px[i + 1] = px[i + 2] = 255;
  }
  const box = options.trim ? foregroundBox(mask, width, height) : undefined;
  const fill = options.whiten ? WHITE : { r: bg.r, g: bg.g, b: bg.b };
  let pixels = sharp(px, { raw: { width, height, channels: 3 } });
  let maskImage = sharp(mask, { raw: { width, height, channels: 1 } });
  if (box) {
    pixels = pixels.extract(box);
    maskImage = maskImage.extract(box);
  }
  const rgb = await pixels
    .resize(size, size, { fit, background: fill, position: 'centre', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const m = await maskImage
    .resize(size, size, { fit, background: { r: 0, g: 0, b: 0 }, position: 'centre', kernel: 'nearest' })
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (rgb.info.width !== size || rgb.info.height !== size || rgb.info.channels !== 3 || m.info.channels !== 1) {
    throw new Error(
      `resize produced ${rgb.info.width}x${rgb.info.height}x${rgb.info.channels}, expected ${size}x${size}x3`,
    );
  }
  return {
    rgb: new Uint8Array(rgb.data.buffer, rgb.data.byteOffset, rgb.data.byteLength),
    mask: new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength),
  };
}

/** A channel differing from the background by more than this marks content (JPEG noise stays below it). */
const TRIM_THRESHOLD = 24;

/**
 * The bounding box of the pixels that differ from the background colour, or undefined when there is nothing to
 * trim (no border, or no content at all).
 */
export function contentBox(
  rgb: Uint8Array,
  width: number,
  height: number,
  bg: { r: number; g: number; b: number },
): { left: number; top: number; width: number; height: number } | undefined {
  let top = height;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let y = 0; y < height; y++) {
    let i = y * width * 3;
    for (let x = 0; x < width; x++, i += 3) {
      if (
        Math.abs((rgb[i] as number) - bg.r) > TRIM_THRESHOLD ||
        Math.abs((rgb[i + 1] as number) - bg.g) > TRIM_THRESHOLD ||
        Math.abs((rgb[i + 2] as number) - bg.b) > TRIM_THRESHOLD
      ) {
        if (y < top) top = y;
        if (y > bottom) bottom = y;
        if (x < left) left = x;
        if (x > right) right = x;
      }
    }
  }
  if (bottom < 0) return undefined;
  const box = { left, top, width: right - left + 1, height: bottom - top + 1 };
  return box.width === width && box.height === height ? undefined : box;
}

/** The image mirrored left-right. */
export function mirror(rgb: Rgb, size: number): Rgb {
  const out = new Uint8Array(rgb.length);
  for (let y = 0; y < size; y++) {
    const row = y * size * 3;
    for (let x = 0; x < size; x++) {
      const from = row + x * 3;
      const to = row + (size - 1 - x) * 3;
      out[to] = rgb[from] as number;
      out[to + 1] = rgb[from + 1] as number;
      out[to + 2] = rgb[from + 2] as number;
    }
  }
  return out;
}
