/**
 * Non-spatial Keras layers -> ONNX: activations (ReLU with max_value -> Clip, LeakyReLU, Activation), merges
 * (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate), Flatten/Reshape (through NHWC so the element
 * order matches Keras), Dense (Gemm) and pass-through layers (Dropout and other training-only layers).
 */
import type { EmitContext, Value } from './emit-context.js';
import { type KerasLayer, LayerConfig, layerWeight } from './keras-model.js';
import { attr } from './onnx-graph.js';

/** Layers that are the identity at inference time. */
export const IDENTITY_LAYERS = new Set([
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'ActivityRegularization',
  'Masking',
]);

/** Apply a Keras activation by name to a value. */
export function applyActivation(ctx: EmitContext, cfg: LayerConfig, activation: string, x: Value): Value {
  const name = cfg.layer.name;
  const t = ctx.tensor(x);
  const channelAxis = x.shape.length === 3 ? 1 : -1;
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return ctx.emit('Relu', name, [t], x.shape);
    case 'relu6':
      return ctx.emit('Clip', name, [t, ctx.graph.scalar(0), ctx.graph.scalar(6)], x.shape);
    case 'sigmoid':
      return ctx.emit('Sigmoid', name, [t], x.shape);
    case 'tanh':
      return ctx.emit('Tanh', name, [t], x.shape);
    case 'elu':
      return ctx.emit('Elu', name, [t], x.shape, { alpha: attr.float(1) });
    case 'selu':
      return ctx.emit('Selu', name, [t], x.shape);
    case 'softplus':
      return ctx.emit('Softplus', name, [t], x.shape);
    case 'softsign':
      return ctx.emit('Softsign', name, [t], x.shape);
    case 'hard_sigmoid':
      return ctx.emit('HardSigmoid', name, [t], x.shape, { alpha: attr.float(0.2), beta: attr.float(0.5) });
    case 'softmax':
      return ctx.emit('Softmax', name, [t], x.shape, { axis: attr.int(channelAxis) });
    case 'swish': {
      const sig = ctx.emit('Sigmoid', name, [t], x.shape);
      return ctx.emit('Mul', name, [t, sig.name], x.shape);
    }
    default:
      throw cfg.error(`activation '${activation}' is not supported`);
  }
}

/** ReLU layer: max_value -> Clip, negative_slope -> LeakyRelu. */
export function reluLayer(ctx: EmitContext, layer: KerasLayer, x: Value): Value {
  const cfg = new LayerConfig(layer);
  const threshold = cfg.has('threshold') ? cfg.number('threshold') : 0;
  const slope = cfg.has('negative_slope') ? cfg.number('negative_slope') : 0;
  const max = cfg.has('max_value') ? cfg.number('max_value') : undefined;
  if (threshold !== 0) throw cfg.error('a ReLU threshold other than 0 is not supported');
  const t = ctx.tensor(x);
  if (slope !== 0) {
    if (max !== undefined) throw cfg.error('a ReLU with both negative_slope and max_value is not supported');
    return ctx.emit('LeakyRelu', layer.name, [t], x.shape, { alpha: attr.float(slope) });
  }
  if (max === undefined) return ctx.emit('Relu', layer.name, [t], x.shape);
  return ctx.emit('Clip', layer.name, [t, ctx.graph.scalar(0), ctx.graph.scalar(max)], x.shape);
}

export function leakyReluLayer(ctx: EmitContext, layer: KerasLayer, x: Value): Value {
  const alpha = new LayerConfig(layer).number('alpha', 0.3);
  return ctx.emit('LeakyRelu', layer.name, [ctx.tensor(x)], x.shape, { alpha: attr.float(alpha) });
}

export function activationLayer(ctx: EmitContext, layer: KerasLayer, x: Value): Value {
  const cfg = new LayerConfig(layer);
  return applyActivation(ctx, cfg, cfg.string('activation'), x);
}

const MERGE_OPS: Record<string, string> = {
  Add: 'Sum',
  Subtract: 'Sub',
  Multiply: 'Mul',
  Average: 'Mean',
  Maximum: 'Max',
  Minimum: 'Min',
};

/** Element-wise merges and Concatenate (the Keras channel axis becomes ONNX axis 1). */
export function mergeLayer(ctx: EmitContext, layer: KerasLayer, xs: Value[]): Value {
  const cfg = new LayerConfig(layer);
  const first = xs[0];
  if (!first || xs.length < 2) throw cfg.error('a merge layer needs at least two inputs');
  const inputs = xs.map((x) => ctx.tensor(x));
  if (layer.className === 'Concatenate') {
    const rank = first.shape.length;
    let axis = cfg.number('axis', -1);
    if (axis < 0) axis += rank + 1;
    if (xs.some((x) => x.shape.length !== rank)) throw cfg.error('inputs of different rank');
    // keras axis (1-based over [H, W, C]) -> onnx NCHW axis
    const onnxAxis = rank === 3 ? ([0, 2, 3, 1][axis] as number) : axis;
    const shape = [...first.shape];
    shape[axis - 1] = xs.reduce((sum, x) => sum + (x.shape[axis - 1] as number), 0);
    return ctx.emit('Concat', layer.name, inputs, shape, { axis: attr.int(onnxAxis) });
  }
  const op = MERGE_OPS[layer.className];
  if (!op) throw cfg.error('unknown merge layer');
  for (const x of xs) {
    if (x.shape.join() !== first.shape.join()) throw cfg.error('inputs have different shapes');
  }
  if (op === 'Sub' && xs.length !== 2) throw cfg.error('Subtract takes exactly two inputs');
  if (op === 'Sum' && xs.length === 2) return ctx.emit('Add', layer.name, inputs, first.shape);
  if (op === 'Mul') {
    let acc = inputs[0] as string;
    for (const next of inputs.slice(1)) acc = ctx.graph.op('Mul', layer.name, [acc, next]);
    return { name: acc, shape: first.shape };
  }
  return ctx.emit(op, layer.name, inputs, first.shape);
}

/** The value as an NHWC tensor name (Keras element order). */
function channelsLast(ctx: EmitContext, name: string, x: Value): string {
  const t = ctx.tensor(x);
  if (x.shape.length !== 3) return t;
  return ctx.graph.op('Transpose', name, [t], { perm: attr.ints([0, 2, 3, 1]) });
}

/** Flatten in Keras (H, W, C) order. */
export function flattenLayer(ctx: EmitContext, layer: KerasLayer, x: Value): Value {
  const size = x.shape.reduce((a, b) => a * b, 1);
  // with a 1x1 spatial extent NCHW and NHWC hold the same element order: no transpose needed
  const input = x.shape.length === 3 && size !== x.shape[2] ? channelsLast(ctx, layer.name, x) : ctx.tensor(x);
  return ctx.emit('Flatten', layer.name, [input], [size], { axis: attr.int(1) });
}

/** Reshape to `[C]` or `[H, W, C]` (target_shape may hold one -1). */
export function reshapeLayer(ctx: EmitContext, layer: KerasLayer, x: Value): Value {
  const cfg = new LayerConfig(layer);
  const target = layer.config.target_shape;
  if (!Array.isArray(target) || !target.every((v) => typeof v === 'number')) throw cfg.error('unreadable target_shape');
  const size = x.shape.reduce((a, b) => a * b, 1);
  const known = target.filter((v) => v !== -1).reduce((a, b) => a * b, 1);
  const shape = target.map((v) => (v === -1 ? size / known : v));
  if (shape.reduce((a, b) => a * b, 1) !== size || shape.some((v) => !Number.isInteger(v))) {
    throw cfg.error(`cannot reshape [${x.shape.join(', ')}] to [${target.join(', ')}]`);
  }
  if (shape.length !== 1 && shape.length !== 3) throw cfg.error('only reshapes to rank 1 or 3 are supported');
  const dims = ctx.graph.int64Tensor(`${layer.name}/shape`, [0, ...shape]);
  const reshaped = ctx.graph.op('Reshape', layer.name, [channelsLast(ctx, layer.name, x), dims]);
  if (shape.length === 1) return { name: reshaped, shape };
  return ctx.emit('Transpose', layer.name, [reshaped], shape, { perm: attr.ints([0, 3, 1, 2]) });
}

/** Dense on a flat input: Gemm with the Keras [in, out] kernel as B. */
export function denseLayer(ctx: EmitContext, layer: KerasLayer, x: Value): Value {
  const cfg = new LayerConfig(layer);
  if (x.shape.length !== 1) throw cfg.error('Dense is supported on flat inputs only (add a Flatten)');
  const kernel = layerWeight(ctx.model, layer.name, 'kernel');
  const [cin, cout] = kernel.shape as [number, number];
  if (cin !== x.shape[0]) throw cfg.error(`kernel expects ${cin} inputs, got ${x.shape[0]}`);
  const inputs = [ctx.tensor(x), ctx.graph.floatTensor(`${layer.name}/W`, [cin, cout], kernel.data)];
  if (cfg.bool('use_bias', true)) {
    inputs.push(ctx.graph.floatTensor(`${layer.name}/B`, [cout], layerWeight(ctx.model, layer.name, 'bias').data));
  }
  const y = ctx.emit('Gemm', layer.name, inputs, [cout]);
  return applyActivation(ctx, cfg, cfg.string('activation', 'linear'), y);
}
