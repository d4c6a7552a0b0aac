/**
 * Converts a tfjs Keras model into an ONNX (opset 13) graph that computes chosen intermediate layers. The graph
 * takes the Keras input as NHWC float32 `[N, H, W, C]`, transposes once to NCHW, and returns one `[N, D]` output per
 * requested layer (spatial layers are global-average-pooled). Layers the outputs do not need are left out.
 */
import { ExecutorLoadError } from '@weft-ai/weft';
import { batchNormalization, convolution, globalPooling, pooling, zeroPadding } from './convert-spatial.js';
import {
  activationLayer,
  denseLayer,
  flattenLayer,
  IDENTITY_LAYERS,
  leakyReluLayer,
  mergeLayer,
  reluLayer,
  reshapeLayer,
} from './convert-tensor.js';
import { EmitContext, type Value } from './emit-context.js';
import { type KerasLayer, LayerConfig, parseKerasTopology, topologicalOrder } from './keras-model.js';
import { attr } from './onnx-graph.js';
import type { OnnxModel } from './onnx-proto.js';
import type { TfjsModel } from './tfjs-model.js';

/** Bump when the emitted graph changes for the same source weights: cached models are then rebuilt. */
export const CONVERTER_VERSION = '1';

export const OPSET = 13;

export interface ConvertOutput {
  /** Keras layer whose output to expose. */
  layer: string;
  /** ONNX output name. */
  name: string;
  /**
   * How a spatial layer is pooled to a vector: `avg` (global average, default), `max`, or `gem` (generalised mean,
   * `mean(max(x, 0)^3)^(1/3)`, between the two).
   */
  pool?: 'avg' | 'max' | 'gem';
}

export interface ConvertOptions {
  outputs: readonly ConvertOutput[];
  /** Graph name (default: the Keras model name). */
  name?: string;
  /** Extra `metadata_props` entries. */
  metadata?: Record<string, string>;
}

export interface ConvertedModel {
  model: OnnxModel;
  /** Name and `[H, W, C]` shape of the NHWC input. */
  input: { name: string; shape: number[] };
  /** Name and width of each `[N, D]` output, in the requested order. */
  outputs: { name: string; layer: string; dim: number }[];
}

type Converter = (ctx: EmitContext, layer: KerasLayer, inputs: Value[]) => Value;

const one =
  (f: (ctx: EmitContext, layer: KerasLayer, x: Value) => Value): Converter =>
  (ctx, layer, inputs) => {
    if (inputs.length !== 1) throw new LayerConfig(layer).error(`expects one input, has ${inputs.length}`);
    return f(ctx, layer, inputs[0] as Value);
  };

const CONVERTERS: Record<string, Converter> = {
  Conv2D: one(convolution),
  DepthwiseConv2D: one(convolution),
  ZeroPadding2D: one(zeroPadding),
  BatchNormalization: one(batchNormalization),
  MaxPooling2D: one(pooling),
  AveragePooling2D: one(pooling),
  GlobalAveragePooling2D: one(globalPooling),
  GlobalMaxPooling2D: one(globalPooling),
  ReLU: one(reluLayer),
  LeakyReLU: one(leakyReluLayer),
  Activation: one(activationLayer),
  Flatten: one(flattenLayer),
  Reshape: one(reshapeLayer),
  Dense: one(denseLayer),
  Add: mergeLayer,
  Subtract: mergeLayer,
  Multiply: mergeLayer,
  Average: mergeLayer,
  Maximum: mergeLayer,
  Minimum: mergeLayer,
  Concatenate: mergeLayer,
};

/**
 * Convert the layers `options.outputs` need into an ONNX model.
 * @example convertKerasModel(loadTfjsModel(files), { outputs: [{ layer: 'flatten_1', name: 'features' }] })
 */
export function convertKerasModel(model: TfjsModel, options: ConvertOptions): ConvertedModel {
  if (options.outputs.length === 0) throw new ExecutorLoadError('convertKerasModel: no outputs requested');
  const topology = parseKerasTopology(model.json.modelTopology);
  const order = topologicalOrder(
    topology,
    options.outputs.map((o) => o.layer),
  );
  const ctx = new EmitContext(model, new Map(order.map((l) => [l.name, l])));
  for (const l of order) for (const i of l.inputs) ctx.consumers.set(i, (ctx.consumers.get(i) ?? 0) + 1);
  for (const o of options.outputs) ctx.consumers.set(o.layer, (ctx.consumers.get(o.layer) ?? 0) + 1);

  let input: ConvertedModel['input'] | undefined;
  for (const layer of order) {
    if (ctx.values.has(layer.name)) continue; // a BatchNormalization folded into its convolution
    if (layer.className === 'InputLayer') {
      if (input) throw new ExecutorLoadError('models with several inputs are not supported');
      const { value, shape } = inputLayer(ctx, layer);
      input = { name: 'input', shape };
      ctx.values.set(layer.name, value);
      continue;
    }
    const inputs = layer.inputs.map((n) => ctx.value(n));
    let value: Value;
    if (IDENTITY_LAYERS.has(layer.className)) value = inputs[0] as Value;
    else {
      const convert = CONVERTERS[layer.className];
      if (!convert) throw new LayerConfig(layer).error('this layer type is not supported by the ONNX converter');
      const foldedBefore = new Set(ctx.folded);
      value = convert(ctx, layer, inputs);
      for (const f of ctx.folded) if (!foldedBefore.has(f)) ctx.values.set(f, value);
    }
    ctx.values.set(layer.name, value);
  }
  if (!input) throw new ExecutorLoadError('the Keras model has no InputLayer');

  const outputs: ConvertedModel['outputs'] = [];
  for (const o of options.outputs) {
    let v = ctx.value(o.layer);
    if (v.shape.length === 3) {
      const pooled = globalPool(ctx, o, ctx.tensor(v));
      v = { name: pooled, shape: [v.shape[2] as number] };
      v = { name: ctx.graph.op('Flatten', o.name, [pooled], { axis: attr.int(1) }), shape: v.shape };
    }
    const dim = v.shape.reduce((a, b) => a * b, 1);
    const [name] = ctx.graph.node('Identity', o.name, [ctx.tensor(v)], [o.name]);
    if (name !== o.name) throw new ExecutorLoadError(`output name '${o.name}' collides with a graph value`);
    ctx.graph.output(o.name, ['N', dim]);
    outputs.push({ name: o.name, layer: o.layer, dim });
  }
  const built = ctx.graph.build({
    name: options.name ?? topology.name,
    opset: OPSET,
    producerVersion: CONVERTER_VERSION,
    docString: `Converted by weft from a tfjs Keras model; outputs: ${outputs.map((o) => `${o.name}=${o.layer}`).join(', ')}`,
  });
  built.metadataProps = Object.entries({ converter_version: CONVERTER_VERSION, ...options.metadata }).map(
    ([key, value]) => ({ key, value }),
  );
  return { model: built, input, outputs };
}

/** Global pooling of one spatial output, as `ConvertOutput.pool` asks. */
function globalPool(ctx: EmitContext, o: ConvertOutput, x: string): string {
  if (o.pool === 'max') return ctx.graph.op('GlobalMaxPool', o.name, [x]);
  if (o.pool !== 'gem') return ctx.graph.op('GlobalAveragePool', o.name, [x]);
  const positive = ctx.graph.op('Relu', o.name, [x]);
  const cubed = ctx.graph.op('Pow', o.name, [positive, ctx.graph.scalar(3)]);
  const mean = ctx.graph.op('GlobalAveragePool', o.name, [cubed]);
  return ctx.graph.op('Pow', o.name, [mean, ctx.graph.scalar(1 / 3)]);
}

function inputLayer(ctx: EmitContext, layer: KerasLayer): { value: Value; shape: number[] } {
  const cfg = new LayerConfig(layer);
  const batchShape = layer.config.batch_input_shape ?? layer.config.batch_shape;
  if (!Array.isArray(batchShape) || batchShape.slice(1).some((d) => typeof d !== 'number')) {
    throw cfg.error('the input needs a fixed shape (batch_input_shape without nulls after the batch)');
  }
  const shape = batchShape.slice(1) as number[];
  const name = ctx.graph.input('input', ['N', ...shape]);
  if (shape.length === 1) return { value: { name, shape }, shape };
  if (shape.length !== 3) throw cfg.error(`inputs of shape [${shape.join(', ')}] are not supported`);
  const nchw = ctx.graph.op('Transpose', 'input', [name], { perm: attr.ints([0, 3, 1, 2]) });
  return { value: { name: nchw, shape }, shape };
}
