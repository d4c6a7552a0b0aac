/**
 * The pretrained backbones ImageEncoder can run: the CNNs bundled in nsfwjs (two Keras layer models and one tfjs
 * graph model), with their input size and the layer (node) whose output is the feature vector (the pooled features
 * before nsfwjs's classification head).
 */
import { join } from 'node:path';
import { nsfwjsModelsDir } from '../convert/index.js';

export interface ModelSpec {
  /** Side of the square NHWC input. */
  inputSize: number;
  /** Keras layer exposed as the `features` output. */
  featureLayer: string;
  /** Width of the feature vector. */
  featureDim: number;
  /** Directory name under nsfwjs's `dist/models`. */
  nsfwjsDir: string;
}

export const MODELS = {
  /** MobileNetV2 (alpha 1.0): 1280-d, ~5 ms per image on 2 CPU threads. */
  mobilenet_v2: { inputSize: 224, featureLayer: 'flatten_1', featureDim: 1280, nsfwjsDir: 'mobilenet_v2' },
  /**
   * TF-Hub's MobileNetV2 (width 1.4) feature vector with nsfwjs's one-layer head: 1792-d, ImageNet weights in every
   * layer (the hub layer was frozen), about twice MobileNetV2 1.0's work. A graph model: layers are node names such
   * as `expanded_conv_10/expand/Relu6` or `MobilenetV2/Conv_1/Relu6`. The default backbone.
   */
  mobilenet_v2_mid: {
    inputSize: 224,
    featureLayer: 'feature_vector/SpatialSqueeze',
    featureDim: 1792,
    nsfwjsDir: 'mobilenet_v2_mid',
  },
  /** InceptionV3: 2048-d, ~10x slower than MobileNetV2. */
  inception_v3: { inputSize: 299, featureLayer: 'flatten_1', featureDim: 2048, nsfwjsDir: 'inception_v3' },
} as const satisfies Record<string, ModelSpec>;

export type ModelName = keyof typeof MODELS;

export const MODEL_NAMES = Object.keys(MODELS) as ModelName[];

/** The ONNX output name of the feature vector. */
export const FEATURES_OUTPUT = 'features';

/** Where a model's tfjs files are. */
export function modelSourceDir(name: ModelName): string {
  return join(nsfwjsModelsDir(), MODELS[name].nsfwjsDir);
}
