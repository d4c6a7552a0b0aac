/**
 * Feature design on top of the CNN: averaging an image's features with its mirror image's, a coarse colour
 * histogram of the foreground (pixels that are not near-white background), and the weighted, L2-normalised
 * concatenation that becomes `doc.embedding`.
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

/**
 * A `bins³` RGB histogram of the foreground pixels, as the square roots of the bin fractions (so the dot product
 * of two histograms is their Bhattacharyya coefficient and the vector has unit norm). An all-background image
 * falls back to counting every pixel.
 */
export function colorHistogram(rgb: Rgb, bins: number): Float64Array {
  const h = new Float64Array(bins * bins * bins);
  const count = (skipBackground: boolean) => {
    let n = 0;
    for (let i = 0; i + 2 < rgb.length; i += 3) {
      const r = rgb[i] as number;
      const g = rgb[i + 1] as number;
      const b = rgb[i + 2] as number;
      if (skipBackground && r >= BACKGROUND_MIN && g >= BACKGROUND_MIN && b >= BACKGROUND_MIN) continue;
      const idx = (((r * bins) >> 8) * bins + ((g * bins) >> 8)) * bins + ((b * bins) >> 8);
      h[idx] = (h[idx] as number) + 1;
      n++;
    }
    return n;
  };
  const n = count(true) || count(false);
  for (let i = 0; i < h.length; i++) h[i] = Math.sqrt((h[i] as number) / n);
  return h;
}

export interface EmbeddingParts {
  /** CNN features of the image. */
  cnn: Float32Array;
  /** CNN features of the mirrored image, when mirror averaging is on. */
  cnnMirror?: Float32Array;
  /** The model-input pixels, for the colour histogram. */
  rgb: Rgb;
}

export interface EmbeddingDesign {
  mirrorAverage: boolean;
  /** Histogram bins per channel (0: no histogram). */
  colorHistogramBins: number;
  /** Weight of the (unit-norm) histogram against the (unit-norm) CNN features. */
  colorHistogramWeight: number;
}

/** The embedding width a design produces on top of `cnnDim` CNN features. */
export function embeddingDim(cnnDim: number, design: EmbeddingDesign): number {
  return cnnDim + (design.colorHistogramBins > 0 ? design.colorHistogramBins ** 3 : 0);
}

/** Combine the parts into one unit-norm float32 embedding. */
export function buildEmbedding(parts: EmbeddingParts, design: EmbeddingDesign): Float32Array {
  const d = parts.cnn.length;
  const out = new Float64Array(embeddingDim(d, design));
  const mirrored = design.mirrorAverage ? parts.cnnMirror : undefined;
  for (let i = 0; i < d; i++)
    out[i] = mirrored ? ((parts.cnn[i] as number) + (mirrored[i] as number)) / 2 : (parts.cnn[i] as number);
  l2normalize(out.subarray(0, d));
  if (design.colorHistogramBins > 0) {
    const hist = colorHistogram(parts.rgb, design.colorHistogramBins);
    for (let i = 0; i < hist.length; i++) out[d + i] = (hist[i] as number) * design.colorHistogramWeight;
  }
  return l2normalize(Float32Array.from(out));
}
