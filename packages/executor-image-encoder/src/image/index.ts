/** Image input: decoding and resizing with sharp, document image sources, and the embedding design on top. */
export {
  contentBox,
  type Fit,
  mirror,
  type PreprocessOptions,
  parseColour,
  preprocessBytes,
  preprocessTensor,
  type Rgb,
} from './decode-image.js';
export {
  buildEmbedding,
  colorHistogram,
  type EmbeddingDesign,
  type EmbeddingParts,
  embeddingDim,
  l2normalize,
} from './features.js';
export { documentPixels, hasImageSource, type SourceOptions, withMirror } from './image-source.js';
