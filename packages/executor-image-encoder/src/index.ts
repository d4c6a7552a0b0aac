/**
 * @weft-ai/executor-image-encoder: the `ImageEncoder` built-in executor (image -> embedding on ONNX Runtime) and the
 * tfjs Keras -> ONNX converter it runs on.
 */
export {
  CONVERTER_VERSION,
  type ConvertedModel,
  type ConvertOptions,
  convertKerasModel,
  decodeOnnxModel,
  encodeOnnxModel,
  loadTfjsModel,
  locateModelFiles,
  nsfwjsModelsDir,
  type OnnxModel,
  type TfjsModel,
} from './convert/index.js';
export { IMAGE_SCORE_CALIBRATION, imageEncoderDesign } from './design.js';
export { ENCODER_ENDPOINTS, ERROR_TAG, ImageEncoder, type ImageEncoderModelInfo } from './image-encoder.js';
export {
  cachePathFor,
  conversionCount,
  defaultCacheDir,
  MODEL_NAMES,
  MODELS,
  type ModelName,
  type ModelSpec,
} from './model/index.js';
export {
  type CnnLayer,
  DEFAULT_BATCHING,
  DEFAULT_DESIGN,
  defaultOptions,
  type ImageEncoderOptions,
} from './options.js';
