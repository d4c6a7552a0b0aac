import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { scenePng } from '../../test/fixtures/scenes.js';
import { GraphReference } from '../../test/reference/graph-reference.js';
import { preprocessBytes } from '../image/index.js';
import { convertGraphModel, isGraphModel } from './graph-to-onnx.js';
import { encodeOnnxModel } from './onnx-proto.js';
import { loadTfjsModel, locateModelFiles, nsfwjsModelsDir } from './tfjs-model.js';

const TOLERANCE = 1e-4;

describe('tfjs graph model -> ONNX converter (nsfwjs mobilenet_v2_mid)', () => {
  const model = loadTfjsModel(locateModelFiles(join(nsfwjsModelsDir(), 'mobilenet_v2_mid')));

  it('recognises graph models', () => {
    assert.equal(isGraphModel(model), true);
    assert.equal(isGraphModel(loadTfjsModel(locateModelFiles(join(nsfwjsModelsDir(), 'mobilenet_v2')))), false);
  });

  it('matches an independent float64 forward pass on the feature vector and a pooled inner block', async () => {
    const converted = convertGraphModel(model, {
      outputs: [
        { layer: 'feature_vector/SpatialSqueeze', name: 'features' },
        { layer: 'expanded_conv_10/expand/Relu6', name: 'b10', pool: 'max' },
      ],
    });
    assert.deepEqual(
      converted.outputs.map((o) => o.dim),
      [1792, 528],
    );
    const s = await ort.InferenceSession.create(encodeOnnxModel(converted.model), { intraOpNumThreads: 2 });
    const rgb = await preprocessBytes(await scenePng(3), {
      size: 224,
      fit: 'contain',
      trim: false,
      background: { r: 255, g: 255, b: 255 },
    });
    const x = Float32Array.from(rgb, (v) => v / 255);
    const out = await s.run({ input: new ort.Tensor('float32', x, [1, 224, 224, 3]) });
    await s.release();
    const reference = new GraphReference(model);
    const [f, block] = reference.run(x, 224, ['feature_vector/SpatialSqueeze', 'expanded_conv_10/expand/Relu6']) as [
      { data: Float64Array },
      { h: number; w: number; c: number; data: Float64Array },
    ];
    const features = f.data;
    const pooled = new Float64Array(block.c).fill(Number.NEGATIVE_INFINITY);
    for (let p = 0; p < block.h * block.w; p++)
      for (let c = 0; c < block.c; c++)
        pooled[c] = Math.max(pooled[c] as number, block.data[p * block.c + c] as number);
    const worst = Math.max(
      maxAbsDiff(out.features?.data as Float32Array, features),
      maxAbsDiff(out.b10?.data as Float32Array, pooled),
    );
    console.log(`# mobilenet_v2_mid: max |onnx - reference| = ${worst.toExponential(2)}`);
    assert.ok(worst < TOLERANCE, `max difference ${worst}`);
    assert.ok(
      features.some((v) => v > 0.1),
      'the features are not all zero',
    );
  });

  it('names the op it cannot convert and the node a request does not find', () => {
    assert.throws(
      () => convertGraphModel(model, { outputs: [{ layer: 'prediction/Softmax', name: 'p' }] }),
      /op 'Softmax'/,
    );
    assert.throws(() => convertGraphModel(model, { outputs: [{ layer: 'no/such/node', name: 'x' }] }), /no node/);
    assert.throws(() => convertGraphModel(model, { outputs: [{ layer: 'Relu6', name: 'x' }] }), /\d+ nodes named/);
  });
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'output widths differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}
