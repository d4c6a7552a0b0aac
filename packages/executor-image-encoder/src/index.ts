/**
 * @weft/executor-image-encoder: the `ImageEncoder` built-in executor (image -> embedding on ONNX Runtime) and the
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
export { DEFAULT_BATCHING, defaultOptions, type ImageEncoderOptions } from './options.js';
