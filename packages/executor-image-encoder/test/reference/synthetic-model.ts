/**
 * A small random Keras functional model in the plain tfjs layout (`model.json` + one binary shard, some weights
 * uint8-quantized) that exercises what the nsfwjs models do not: TensorFlow's asymmetric 'same' padding at stride
 * 2 on odd and even sizes, depthwise multipliers, padding before a max pool, 'same' average pooling at stride 2,
 * unfolded batch normalization, Concatenate, a Flatten of a spatial map and Dense layers.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '@weft-ai/weft/testing';
import type { ReferenceModelJson } from './keras-reference.js';

type Spec = [name: string, cls: string, config: Record<string, unknown>, inputs: string[]];

const LAYERS: Spec[] = [
  ['input_1', 'InputLayer', { batch_input_shape: [null, 17, 16, 3] }, []],
  ['conv_a', 'Conv2D', conv(5, [3, 3], [2, 2], 'same', true, 'relu'), ['input_1']],
  ['bn_a', 'BatchNormalization', bn(true, true), ['conv_a']],
  ['dw_b', 'DepthwiseConv2D', { ...conv(0, [3, 3], [1, 1], 'same', true, 'linear'), depth_multiplier: 2 }, ['bn_a']],
  ['bn_b', 'BatchNormalization', bn(true, true), ['dw_b']],
  ['relu_b', 'ReLU', { max_value: 6, negative_slope: 0, threshold: 0 }, ['bn_b']],
  [
    'pad_c',
    'ZeroPadding2D',
    {
      padding: [
        [1, 0],
        [0, 1],
      ],
    },
    ['relu_b'],
  ],
  ['pool_c', 'MaxPooling2D', { pool_size: [2, 2], strides: [2, 2], padding: 'valid' }, ['pad_c']],
  ['avg_e', 'AveragePooling2D', { pool_size: [3, 3], strides: [2, 2], padding: 'same' }, ['relu_b']],
  ['concat_f', 'Concatenate', { axis: -1 }, ['pool_c', 'avg_e']],
  ['conv_g', 'Conv2D', conv(6, [3, 1], [2, 1], 'same', false, 'linear'), ['concat_f']],
  ['bn_g', 'BatchNormalization', bn(false, true), ['conv_g']],
  ['act_g', 'Activation', { activation: 'relu' }, ['bn_g']],
  ['conv_h', 'Conv2D', conv(6, [1, 1], [1, 1], 'valid', true, 'linear'), ['act_g']],
  ['add_i', 'Add', {}, ['act_g', 'conv_h']],
  ['bn_i', 'BatchNormalization', bn(true, false), ['add_i']],
  ['flatten_j', 'Flatten', {}, ['bn_i']],
  ['dense_k', 'Dense', { units: 7, activation: 'relu', use_bias: true }, ['flatten_j']],
  ['gap_l', 'GlobalAveragePooling2D', {}, ['bn_i']],
];

function conv(filters: number, k: number[], s: number[], padding: string, bias: boolean, activation: string) {
  return { filters, kernel_size: k, strides: s, padding, use_bias: bias, activation, dilation_rate: [1, 1] };
}

function bn(scale: boolean, center: boolean) {
  return { axis: -1, epsilon: 0.001, scale, center };
}

/** Weight shapes per layer, given the channel counts the layers see. */
const WEIGHTS: [string, number[]][] = [
  ['conv_a/kernel', [3, 3, 3, 5]],
  ['conv_a/bias', [5]],
  ...bnWeights('bn_a', 5, true, true),
  ['dw_b/depthwise_kernel', [3, 3, 5, 2]],
  ['dw_b/bias', [10]],
  ...bnWeights('bn_b', 10, true, true),
  ['conv_g/kernel', [3, 1, 20, 6]],
  ...bnWeights('bn_g', 6, false, true),
  ['conv_h/kernel', [1, 1, 6, 6]],
  ['conv_h/bias', [6]],
  ...bnWeights('bn_i', 6, true, false),
  ['dense_k/kernel', [72, 7]],
  ['dense_k/bias', [7]],
];

function bnWeights(layer: string, c: number, scale: boolean, center: boolean): [string, number[]][] {
  return [
    ...(scale ? [[`${layer}/gamma`, [c]] as [string, number[]]] : []),
    ...(center ? [[`${layer}/beta`, [c]] as [string, number[]]] : []),
    [`${layer}/moving_mean`, [c]],
    [`${layer}/moving_variance`, [c]],
  ];
}

/** Write the model to `dir` (model.json + weights.bin); returns its JSON and the exact weight values. */
export function writeSyntheticModel(
  dir: string,
  seed = 7,
): { json: ReferenceModelJson; weights: Map<string, Float64Array> } {
  const random = seededRandom(seed);
  const weights = new Map<string, Float64Array>();
  const manifest: Record<string, unknown>[] = [];
  const chunks: Buffer[] = [];
  WEIGHTS.forEach(([name, shape], i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const variance = name.endsWith('moving_variance');
    const quantize = i % 3 === 0; // every third weight travels uint8-quantized, the rest as float32
    const values = new Float64Array(n);
    if (quantize) {
      const min = variance ? 0.2 : -0.8;
      const scale = 1.3 / 255;
      const q = Buffer.alloc(n);
      for (let j = 0; j < n; j++) {
        q[j] = Math.floor(random() * 256);
        values[j] = Math.fround(min + scale * (q[j] as number));
      }
      chunks.push(q);
      manifest.push({ name, shape, dtype: 'float32', quantization: { min, scale, dtype: 'uint8' } });
    } else {
      const f = new Float32Array(n);
      for (let j = 0; j < n; j++) f[j] = variance ? 0.3 + random() : random() * 1.6 - 0.8;
      values.set(f);
      chunks.push(Buffer.from(f.buffer));
      manifest.push({ name, shape, dtype: 'float32' });
    }
    weights.set(name, values);
  });
  const layers = LAYERS.map(([name, cls, config, inputs]) => ({
    name,
    class_name: cls,
    config: { name, trainable: false, data_format: 'channels_last', ...config },
    inbound_nodes: inputs.length ? [inputs.map((i) => [i, 0, 0, {}])] : [],
  }));
  const json = {
    modelTopology: {
      keras_version: '2.2.4',
      backend: 'tensorflow',
      model_config: {
        class_name: 'Model',
        config: { name: 'synthetic', layers, input_layers: [['input_1', 0, 0]], output_layers: [['dense_k', 0, 0]] },
      },
    },
    weightsManifest: [{ paths: ['weights.bin'], weights: manifest }],
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  writeFileSync(join(dir, 'weights.bin'), Buffer.concat(chunks));
  return { json: json as unknown as ReferenceModelJson, weights };
}
