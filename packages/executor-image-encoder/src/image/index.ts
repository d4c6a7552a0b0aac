/** Image input: decoding and resizing with sharp, document image sources, and the embedding design on top. */
export {
  contentBox,
  type Fit,
  mirror,
  type Prepared,
  type PreprocessOptions,
  parseColour,
  prepareBytes,
  prepareTensor,
  preprocessBytes,
  preprocessTensor,
  type Rgb,
} from './decode-image.js';
export {
  buildEmbedding,
  type ColorDescriptor,
  colorDim,
  colorHistogram,
  type EmbeddingDesign,
  type EmbeddingParts,
  embeddingDim,
  HUE_CHROMA_DIM,
  hueChromaHistogram,
  l2normalize,
} from './features.js';
export { type BackgroundEstimate, estimateBackground, foregroundBox, foregroundMask } from './foreground.js';
export { documentPixels, hasImageSource, type SourceOptions, withMirror } from './image-source.js';
