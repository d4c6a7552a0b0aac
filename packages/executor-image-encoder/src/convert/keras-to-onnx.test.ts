import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { seededRandom } from '@weft-ai/weft/testing';
import * as ort from 'onnxruntime-node';
import { scenePng } from '../../test/fixtures/scenes.js';
import { KerasReference } from '../../test/reference/keras-reference.js';
import { writeSyntheticModel } from '../../test/reference/synthetic-model.js';
import { preprocessBytes } from '../image/index.js';
import { samePadding } from './convert-spatial.js';
import { convertKerasModel } from './keras-to-onnx.js';
import { decodeOnnxModel, encodeOnnxModel } from './onnx-proto.js';
import { loadTfjsModel, locateModelFiles, nsfwjsModelsDir } from './tfjs-model.js';

const TOLERANCE = 1e-4;
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'weft-convert-'));
  dirs.push(d);
  return d;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'output widths differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

async function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { intraOpNumThreads: 2 });
}

describe('TensorFlow same padding', () => {
  it('splits the padding with the odd pixel at the bottom/right', () => {
    assert.deepEqual(samePadding(224, 3, 2, 1), [0, 1]); // out 112: (112-1)*2+3-224 = 1
    assert.deepEqual(samePadding(17, 3, 2, 1), [1, 1]);
    assert.deepEqual(samePadding(16, 3, 2, 1), [0, 1]);
    assert.deepEqual(samePadding(7, 1, 1, 1), [0, 0]);
    assert.deepEqual(samePadding(35, 5, 1, 1), [2, 2]);
    assert.deepEqual(samePadding(8, 4, 1, 1), [1, 2]);
    assert.deepEqual(samePadding(10, 3, 1, 2), [2, 2]); // dilation 2: effective kernel 5
  });
});

describe('Keras -> ONNX converter on a synthetic model', () => {
  const dir = tempDir();
  const { json, weights } = writeSyntheticModel(dir);
  const reference = new KerasReference(json, weights);
  const converted = convertKerasModel(loadTfjsModel(locateModelFiles(dir)), {
    outputs: [
      { layer: 'dense_k', name: 'dense' },
      { layer: 'gap_l', name: 'gap' },
      { layer: 'bn_i', name: 'pooled_bn' },
    ],
  });

  it('matches the float64 reference on every output', async () => {
    const s = await session(encodeOnnxModel(converted.model));
    const random = seededRandom(99);
    const n = 3;
    const [h, w, c] = converted.input.shape as [number, number, number];
    const images = Array.from({ length: n }, () => Float64Array.from({ length: h * w * c }, () => random()));
    const batch = new Float32Array(n * h * w * c);
    images.forEach((img, i) => {
      batch.set(img, i * h * w * c);
    });
    const out = await s.run({ input: new ort.Tensor('float32', batch, [n, h, w, c]) });
    let worst = 0;
    images.forEach((img, i) => {
      const dense = reference.run(img, 'dense_k');
      const gap = reference.run(img, 'gap_l');
      const row = (name: string, d: number) => (out[name]!.data as Float32Array).subarray(i * d, (i + 1) * d);
      worst = Math.max(worst, maxAbsDiff(row('dense', 7), dense), maxAbsDiff(row('gap', 6), gap));
      // a spatial output is global-average-pooled, i.e. equal to the model's own GlobalAveragePooling2D
      worst = Math.max(worst, maxAbsDiff(row('pooled_bn', 6), gap));
      assert.ok(
        dense.some((v) => v > 0),
        'the reference output should not be all zero',
      );
    });
    assert.ok(worst <= TOLERANCE, `max |onnx - reference| = ${worst}`);
    await s.release();
  });

  it('folds batch norms into convolutions where it can and pads asymmetrically like TensorFlow', () => {
    const nodes = decodeOnnxModel(encodeOnnxModel(converted.model)).graph.node;
    const ops = nodes.map((n) => n.opType);
    assert.equal(ops.filter((o) => o === 'BatchNormalization').length, 2, 'bn_a (after a relu) and bn_i (after Add)');
    const convA = nodes.find((n) => n.name.startsWith('conv_a/'));
    const pads = convA?.attribute.find((a) => a.name === 'pads')?.ints;
    assert.deepEqual(pads, [1, 0, 1, 1], 'rows 17 -> 9 pad 1+1, columns 16 -> 8 pad 0+1');
    const pool = nodes.find((n) => n.opType === 'AveragePool');
    assert.deepEqual(pool?.attribute.find((a) => a.name === 'pads')?.ints, [1, 0, 1, 1]);
    assert.ok(ops.includes('Pad'), 'zero padding before a max pool is materialized');
  });

  it('writes a ModelProto that decodes back to the same graph', () => {
    const model = decodeOnnxModel(encodeOnnxModel(converted.model));
    assert.equal(model.irVersion, 7);
    assert.equal(model.opsetImport.length, 1);
    assert.equal(model.opsetImport[0]?.version, 13);
    assert.equal(model.opsetImport[0]?.domain ?? '', '');
    assert.equal(model.graph.input[0]?.name, 'input');
    const dims = model.graph.input[0]?.type.tensorType.shape.dim;
    assert.deepEqual(dims, [{ dimParam: 'N' }, { dimValue: 17 }, { dimValue: 16 }, { dimValue: 3 }]);
    assert.deepEqual(
      model.graph.output.map((o) => o.name),
      ['dense', 'gap', 'pooled_bn'],
    );
    assert.equal(model.graph.initializer.length, converted.model.graph.initializer.length);
  });

  it('names the layer it cannot convert', () => {
    const bad = tempDir();
    writeSyntheticModel(bad);
    const path = join(bad, 'model.json');
    const modelJson = JSON.parse(JSON.stringify(json)) as {
      modelTopology: { model_config: { config: { layers: { class_name: string }[] } } };
    };
    (modelJson.modelTopology.model_config.config.layers[2] as { class_name: string }).class_name = 'LayerNormalization';
    writeFileSync(path, JSON.stringify({ ...modelJson, weightsManifest: json.weightsManifest }));
    assert.throws(
      () => convertKerasModel(loadTfjsModel(locateModelFiles(bad)), { outputs: [{ layer: 'dense_k', name: 'x' }] }),
      {
        code: 'WEFT_EXECUTOR_LOAD',
        message: /'bn_a' \(LayerNormalization\).*not supported/,
      },
    );
  });
});

/** Real-image check of an nsfwjs backbone against the independent float64 forward pass. */
async function checkBackbone(name: string, images: number): Promise<number> {
  const dir = join(nsfwjsModelsDir(), name);
  const converted = convertKerasModel(loadTfjsModel(locateModelFiles(dir)), {
    outputs: [{ layer: 'flatten_1', name: 'features' }],
  });
  const s = await session(encodeOnnxModel(converted.model));
  const size = converted.input.shape[0] as number;
  const reference = KerasReference.fromNsfwjs(dir);
  let worst = 0;
  for (let i = 0; i < images; i++) {
    const rgb = await preprocessBytes(await scenePng(i + 1), {
      size,
      fit: 'contain',
      trim: false,
      background: { r: 255, g: 255, b: 255 },
    });
    const x = Float64Array.from(rgb, (v) => v / 255);
    const out = await s.run({ input: new ort.Tensor('float32', Float32Array.from(x), [1, size, size, 3]) });
    const expected = reference.run(x, 'flatten_1');
    assert.equal(expected.length, converted.outputs[0]?.dim);
    worst = Math.max(worst, maxAbsDiff(out.features?.data as Float32Array, expected));
  }
  await s.release();
  return worst;
}

describe('nsfwjs backbones converted to ONNX match an independent float64 forward pass', () => {
  it('MobileNetV2 (1280-d) on 3 images', { timeout: 120_000 }, async () => {
    const worst = await checkBackbone('mobilenet_v2', 3);
    console.log(`# mobilenet_v2: max |onnx - reference| = ${worst.toExponential(2)} over 3 images`);
    assert.ok(worst <= TOLERANCE, `max diff ${worst}`);
  });

  it('InceptionV3 (2048-d) on 1 image', { timeout: 300_000 }, async () => {
    const worst = await checkBackbone('inception_v3', 1);
    console.log(`# inception_v3: max |onnx - reference| = ${worst.toExponential(2)} over 1 image`);
    assert.ok(worst <= TOLERANCE, `max diff ${worst}`);
  });
});
