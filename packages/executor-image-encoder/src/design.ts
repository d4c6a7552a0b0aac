/**
 * What an ImageEncoder configuration computes, as plain data: the preprocessing (input size, fit, background
 * handling) and the embedding design (mirror averaging, extra CNN layers, colour descriptor and weight), plus the
 * score calibration measured for the default design. Benchmarks and evaluations build the same embeddings from it.
 */
import { type EmbeddingDesign, type PreprocessOptions, parseColour } from './image/index.js';
import { MODELS } from './model/index.js';
import type { ImageEncoderOptions } from './options.js';

/**
 * Where a cosine similarity between a query photo and a catalogue image of the DEFAULT design stops meaning "the
 * same product": chosen on the tuning split of the shop-the-look evaluation (`npm run bench -- shop-the-look`
 * prints its true- and false-match rates on both splits) as the similarity that best separates near-duplicates
 * from off-catalogue queries with no false match on the tuning split (allowing 10 % there put it at 0.953, just
 * above a dense cluster of off-catalogue scores, which gave 23 % false matches on the held-out split). Give it to VectorIndexer's `calibration` option to
 * get `scores.calibrated` in [0, 1] and `scores.match` (1 / 0) on every match. Other designs need their own.
 */
export const IMAGE_SCORE_CALIBRATION = { threshold: 0.968, width: 0.0095 } as const;

/** The preprocessing and embedding design of a resolved options object. */
export function imageEncoderDesign(o: ImageEncoderOptions): { preprocess: PreprocessOptions; design: EmbeddingDesign } {
  return {
    preprocess: {
      size: MODELS[o.model].inputSize,
      fit: o.fit,
      trim: o.trim,
      foreground: o.foreground,
      whiten: o.whitenBackground,
      background: parseColour(o.background) as NonNullable<ReturnType<typeof parseColour>>,
    },
    design: {
      mirrorAverage: o.mirrorAverage,
      layerWeights: o.layers.slice(1).map((l) => l.weight / (o.layers[0] as { weight: number }).weight),
      colorDescriptor: o.colorHistogram ? o.colorDescriptor : 'none',
      colorHistogramBins: o.colorHistogramBins,
      colorWeight: o.colorHistogramWeight,
      greyscaleNeutral: o.greyscaleNeutral,
    },
  };
}
