/**
 * Feature design on top of the CNN: averaging an image's features with its mirror image's, optional pooled
 * features of further CNN layers, a colour descriptor of the foreground, and the weighted, L2-normalised
 * concatenation that becomes `doc.embedding`.
 *
 * Colour descriptors: `rgb` is a `bins³` RGB histogram (lighting moves every bin); `hue-chroma` bins chromatic
 * pixels by hue (12) and saturation (2) and achromatic ones by lightness (3), which survives dimming and mild
 * colour casts. With `greyscaleNeutral`, an image that has (almost) no chromatic foreground gets no colour part at
 * all, so a greyscale photo is compared on shape alone instead of being pushed towards black-and-white products.
 */
import type { Rgb } from './decode-image.js';

/** Channels above this value on all three of R, G, B count as background (white paper, letterbox). */
const BACKGROUND_MIN = 246;

/** Scale `v` to unit L2 norm in place (a zero vector stays zero); returns it. */
export function l2normalize<T extends Float32Array | Float64Array>(v: T): T {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] as number) * (v[i] as number);
  if (s > 0) {
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) * inv;
  }
  return v;
}

/** Whether pixel `p` (index into the `size²` grid) is foreground: the mask's verdict, else not near-white. */
function isForeground(rgb: Rgb, p: number, mask: Uint8Array | undefined): boolean {
  if (mask) return (mask[p] as number) > 0;
  const i = p * 3;
  return !(
    (rgb[i] as number) >= BACKGROUND_MIN &&
    (rgb[i + 1] as number) >= BACKGROUND_MIN &&
    (rgb[i + 2] as number) >= BACKGROUND_MIN
  );
}

/** Turn counts into square roots of fractions (a unit vector whose dot products are Bhattacharyya coefficients). */
function sqrtFractions(h: Float64Array, n: number): Float64Array {
  if (n > 0) for (let i = 0; i < h.length; i++) h[i] = Math.sqrt((h[i] as number) / n);
  return h;
}

/**
 * A `bins³` RGB histogram of the foreground pixels, as the square roots of the bin fractions (so the dot product
 * of two histograms is their Bhattacharyya coefficient and the vector has unit norm). An all-background image
 * falls back to counting every pixel.
 */
export function colorHistogram(rgb: Rgb, bins: number, mask?: Uint8Array): Float64Array {
  const h = new Float64Array(bins * bins * bins);
  const count = (skipBackground: boolean) => {
    let n = 0;
    for (let p = 0, i = 0; i + 2 < rgb.length; p++, i += 3) {
      if (skipBackground && !isForeground(rgb, p, mask)) continue;
      const r = rgb[i] as number;
      const g = rgb[i + 1] as number;
      const b = rgb[i + 2] as number;
      const idx = (((r * bins) >> 8) * bins + ((g * bins) >> 8)) * bins + ((b * bins) >> 8);
      h[idx] = (h[idx] as number) + 1;
      n++;
    }
    return n;
  };
  return sqrtFractions(h, count(true) || count(false));
}

export const HUE_BINS = 12;
const SAT_BINS = 2;
const GREY_BINS = 3;
/** Width of the hue/chroma descriptor. */
export const HUE_CHROMA_DIM = HUE_BINS * SAT_BINS + GREY_BINS;
/** Saturation (chroma / max) under which a pixel counts as achromatic (white, grey, black; tolerates casts). */
const ACHROMATIC_SATURATION = 0.25;
/** Below this brightness (max channel) every pixel is achromatic. */
const DARK = 40;
/** An image whose foreground is less than this share chromatic is greyscale for `greyscaleNeutral`. */
const GREYSCALE_SHARE = 0.03;

/**
 * The hue/chroma descriptor of the foreground (see the module comment), as square roots of bin fractions. With
 * `greyscaleNeutral`, a (nearly) achromatic image returns all zeros.
 */
export function hueChromaHistogram(rgb: Rgb, mask: Uint8Array | undefined, greyscaleNeutral: boolean): Float64Array {
  const h = new Float64Array(HUE_CHROMA_DIM);
  const count = (skipBackground: boolean) => {
    let n = 0;
    let chromatic = 0;
    for (let p = 0, i = 0; i + 2 < rgb.length; p++, i += 3) {
      if (skipBackground && !isForeground(rgb, p, mask)) continue;
      const r = rgb[i] as number;
      const g = rgb[i + 1] as number;
      const b = rgb[i + 2] as number;
      const max = Math.max(r, g, b);
      const c = max - Math.min(r, g, b);
      n++;
      if (max < DARK || c < ACHROMATIC_SATURATION * max) {
        const bin = HUE_BINS * SAT_BINS + Math.min(GREY_BINS - 1, Math.floor((max * GREY_BINS) / 256));
        h[bin] = (h[bin] as number) + 1;
        continue;
      }
      chromatic++;
      let hue = max === r ? (g - b) / c : max === g ? 2 + (b - r) / c : 4 + (r - g) / c; // in [-1, 5]
      hue = (hue + 6) % 6;
      const hb = Math.min(HUE_BINS - 1, Math.floor((hue / 6) * HUE_BINS));
      const sb = c / max < 0.55 ? 0 : 1;
      const bin = hb * SAT_BINS + sb;
      h[bin] = (h[bin] as number) + 1;
    }
    return { n, chromatic };
  };
  let { n, chromatic } = count(true);
  if (n === 0) ({ n, chromatic } = count(false));
  if (greyscaleNeutral && chromatic < GREYSCALE_SHARE * n) return h.fill(0);
  return sqrtFractions(h, n);
}

export interface EmbeddingParts {
  /** CNN features of the image: the main feature vector, then any extra layers (`design.layerWeights`). */
  cnn: Float32Array[];
  /** The same of the mirrored image, when mirror averaging is on. */
  cnnMirror?: Float32Array[];
  /** The model-input pixels, for the colour descriptor. */
  rgb: Rgb;
  /** Foreground mask from `foreground: 'border'` preprocessing (else the near-white rule applies). */
  mask?: Uint8Array;
}

export type ColorDescriptor = 'none' | 'rgb' | 'hue-chroma';

export interface EmbeddingDesign {
  mirrorAverage: boolean;
  /** Weight of each CNN output after the first, unit-normalised before weighting (none: main features only). */
  layerWeights?: readonly number[];
  colorDescriptor: ColorDescriptor;
  /** RGB histogram bins per channel (`rgb` only). */
  colorHistogramBins: number;
  /** Weight of the (unit-norm) colour descriptor against the (unit-norm) CNN features. */
  colorWeight: number;
  /** Give (nearly) greyscale images no colour part (`hue-chroma` only). */
  greyscaleNeutral?: boolean;
}

/** Width of the colour part of a design. */
export function colorDim(design: EmbeddingDesign): number {
  if (design.colorDescriptor === 'rgb') return design.colorHistogramBins ** 3;
  return design.colorDescriptor === 'hue-chroma' ? HUE_CHROMA_DIM : 0;
}

/** The embedding width a design produces on top of CNN outputs of widths `cnnDims`. */
export function embeddingDim(cnnDims: readonly number[], design: EmbeddingDesign): number {
  const layers = cnnDims.slice(0, 1 + (design.layerWeights?.length ?? 0));
  return layers.reduce((a, b) => a + b, 0) + colorDim(design);
}

/** Combine the parts into one unit-norm float32 embedding. */
export function buildEmbedding(parts: EmbeddingParts, design: EmbeddingDesign): Float32Array {
  const weights = [1, ...(design.layerWeights ?? [])];
  const dims = parts.cnn.slice(0, weights.length).map((c) => c.length);
  const out = new Float64Array(embeddingDim(dims, design));
  let at = 0;
  weights.forEach((w, k) => {
    const f = parts.cnn[k] as Float32Array;
    const m = design.mirrorAverage ? parts.cnnMirror?.[k] : undefined;
    const slot = out.subarray(at, at + f.length);
    for (let i = 0; i < f.length; i++) slot[i] = m ? ((f[i] as number) + (m[i] as number)) / 2 : (f[i] as number);
    l2normalize(slot);
    if (w !== 1) for (let i = 0; i < slot.length; i++) slot[i] = (slot[i] as number) * w;
    at += f.length;
  });
  if (design.colorDescriptor !== 'none') {
    const colour =
      design.colorDescriptor === 'rgb'
        ? colorHistogram(parts.rgb, design.colorHistogramBins, parts.mask)
        : hueChromaHistogram(parts.rgb, parts.mask, design.greyscaleNeutral ?? false);
    for (let i = 0; i < colour.length; i++) out[at + i] = (colour[i] as number) * design.colorWeight;
  }
  return l2normalize(Float32Array.from(out));
}
