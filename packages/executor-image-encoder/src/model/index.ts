/** The backbones: their specs, the converted-model cache, and loading an ONNX Runtime session. */
export {
  type CachedModel,
  type CachedModelRequest,
  cachePathFor,
  defaultCacheDir,
  ensureConvertedModel,
  evictModel,
} from './model-cache.js';
export {
  conversionCount,
  type ExtraOutput,
  extraOutputName,
  type LoadedModel,
  type LoadModelOptions,
  loadModel,
} from './model-loader.js';
export { FEATURES_OUTPUT, MODEL_NAMES, MODELS, type ModelName, type ModelSpec, modelSourceDir } from './models.js';
