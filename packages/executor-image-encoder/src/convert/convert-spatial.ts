/**
 * Spatial Keras layers -> ONNX: Conv2D (with groups), DepthwiseConv2D (Conv with `group`), ZeroPadding2D (absorbed
 * into the next convolution's pads), BatchNormalization (folded into the convolution before it when that is its
 * only consumer), max/average pooling and global pooling. Keras 'same' padding is TensorFlow's: the total padding
 * is split with the extra pixel at the bottom/right.
 */

import { applyActivation } from './convert-tensor.js';
import type { EmitContext, Pads, Value } from './emit-context.js';
import { type KerasLayer, LayerConfig, layerWeight } from './keras-model.js';
import { attr } from './onnx-graph.js';

/** TensorFlow's 'same' padding for one axis: [before, after]. */
export function samePadding(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(size / stride);
  const effective = (kernel - 1) * dilation + 1;
  const total = Math.max((out - 1) * stride + effective - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

function outSize(size: number, padBefore: number, padAfter: number, kernel: number, stride: number, dilation = 1) {
  return Math.floor((size + padBefore + padAfter - ((kernel - 1) * dilation + 1)) / stride) + 1;
}

function spatial(cfg: LayerConfig, x: Value): [number, number, number] {
  if (x.shape.length !== 3) throw cfg.error(`expects an [H, W, C] input, got [${x.shape.join(', ')}]`);
  return x.shape as [number, number, number];
}

function checkChannelsLast(cfg: LayerConfig): void {
  if (cfg.has('data_format') && cfg.string('data_format') !== 'channels_last') {
    throw cfg.error('only data_format channels_last is supported');
  }
}

/** Pads for a 'same'/'valid' window op on an [H, W, C] input. */
function windowPads(cfg: LayerConfig, h: number, w: number, k: number[], s: number[], d: number[]): Pads {
  const padding = cfg.string('padding', 'valid');
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') throw cfg.error(`padding '${padding}' is not supported (use 'same' or 'valid')`);
  const [top, bottom] = samePadding(h, k[0] as number, s[0] as number, d[0] as number);
  const [left, right] = samePadding(w, k[1] as number, s[1] as number, d[1] as number);
  return [top, left, bottom, right];
}

/** ZeroPadding2D: recorded on the value, applied by whoever consumes it. */
export function zeroPadding(_ctx: EmitContext, layer: KerasLayer, x: Value): Value {
  const cfg = new LayerConfig(layer);
  checkChannelsLast(cfg);
  const [h, w, c] = spatial(cfg, x);
  const p = layer.config.padding;
  let pads: Pads;
  if (typeof p === 'number') pads = [p, p, p, p];
  else if (Array.isArray(p) && p.length === 2 && p.every((e) => typeof e === 'number')) {
    const [ph, pw] = p as [number, number];
    pads = [ph, pw, ph, pw];
  } else if (Array.isArray(p) && p.every((e) => Array.isArray(e))) {
    const [[t, b], [l, r]] = p as [[number, number], [number, number]];
    pads = [t, l, b, r];
  } else throw cfg.error('unreadable padding');
  const base = x.pendingPad ?? [0, 0, 0, 0];
  return {
    name: x.name,
    shape: [h + pads[0] + pads[2], w + pads[1] + pads[3], c],
    pendingPad: base.map((v, i) => v + (pads[i] as number)) as Pads,
  };
}

/** Conv2D or DepthwiseConv2D, with a following BatchNormalization folded in when possible. */
export function convolution(ctx: EmitContext, layer: KerasLayer, x: Value): Value {
  const cfg = new LayerConfig(layer);
  checkChannelsLast(cfg);
  const depthwise = layer.className === 'DepthwiseConv2D';
  const [h, w, cin] = spatial(cfg, x);
  const k = cfg.pair('kernel_size');
  const s = cfg.pair('strides', [1, 1]);
  const d = cfg.pair('dilation_rate', [1, 1]);
  const own = windowPads(cfg, h, w, k, s, d);
  const pending = x.pendingPad ?? [0, 0, 0, 0];
  const pads = own.map((v, i) => v + (pending[i] as number)) as Pads;
  const kernel = layerWeight(ctx.model, layer.name, depthwise ? 'depthwise_kernel' : 'kernel');
  const [kh, kw, kin, kout] = kernel.shape as [number, number, number, number];
  let cout: number;
  let group: number;
  let weights: Float64Array;
  if (depthwise) {
    // [kh, kw, cin, mult] -> [cin * mult, 1, kh, kw]; output channel c * mult + m, as TensorFlow orders it
    if (kin !== cin) throw cfg.error(`depthwise kernel expects ${kin} channels, input has ${cin}`);
    cout = cin * kout;
    group = cin;
    weights = new Float64Array(cout * kh * kw);
    for (let y = 0; y < kh; y++)
      for (let xx = 0; xx < kw; xx++)
        for (let c = 0; c < cin; c++)
          for (let m = 0; m < kout; m++)
            weights[((c * kout + m) * kh + y) * kw + xx] = kernel.data[((y * kw + xx) * cin + c) * kout + m] as number;
  } else {
    // [kh, kw, cin / groups, cout] -> [cout, cin / groups, kh, kw]
    group = cfg.has('groups') ? cfg.number('groups') : 1;
    if (kin * group !== cin) throw cfg.error(`kernel expects ${kin * group} input channels, input has ${cin}`);
    cout = kout;
    weights = new Float64Array(cout * kin * kh * kw);
    for (let y = 0; y < kh; y++)
      for (let xx = 0; xx < kw; xx++)
        for (let i = 0; i < kin; i++)
          for (let o = 0; o < cout; o++)
            weights[((o * kin + i) * kh + y) * kw + xx] = kernel.data[((y * kw + xx) * kin + i) * cout + o] as number;
  }
  const useBias = cfg.bool('use_bias', true);
  const bias = new Float64Array(cout);
  if (useBias) bias.set(layerWeight(ctx.model, layer.name, 'bias').data);
  let outputLayer = layer.name;
  const activation = cfg.string('activation', 'linear');
  const next = ctx.soleConsumer(layer.name);
  if (next?.className === 'BatchNormalization' && activation === 'linear' && bnAxisIsChannels(next, 3)) {
    // fold: y = s * (conv(x) + b - mean) + beta with s = gamma / sqrt(var + eps), per output channel
    const bn = batchNormParams(ctx, next, cout);
    const per = weights.length / cout;
    for (let o = 0; o < cout; o++) {
      const scale = (bn.gamma[o] as number) / Math.sqrt((bn.variance[o] as number) + bn.epsilon);
      for (let j = 0; j < per; j++) weights[o * per + j] = (weights[o * per + j] as number) * scale;
      bias[o] = ((bias[o] as number) - (bn.mean[o] as number)) * scale + (bn.beta[o] as number);
    }
    ctx.folded.add(next.name);
    outputLayer = next.name;
  }
  const g = ctx.graph;
  const wName = g.floatTensor(`${layer.name}/W`, [cout, depthwise ? 1 : kin, kh, kw], Float32Array.from(weights));
  const inputs = [x.name, wName];
  if (useBias || outputLayer !== layer.name)
    inputs.push(g.floatTensor(`${layer.name}/B`, [cout], Float32Array.from(bias)));
  const shape = [
    outSize(h - pending[0] - pending[2], pads[0], pads[2], kh, s[0], d[0]),
    outSize(w - pending[1] - pending[3], pads[1], pads[3], kw, s[1], d[1]),
    cout,
  ];
  const y = ctx.emit('Conv', outputLayer, inputs, shape, {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints(s),
    dilations: attr.ints(d),
    pads: attr.ints([pads[0], pads[1], pads[2], pads[3]]),
    group: attr.int(group),
  });
  return applyActivation(ctx, cfg, activation, y);
}

function bnAxisIsChannels(layer: KerasLayer, rank: number): boolean {
  const axis = layer.config.axis ?? -1;
  const a = Array.isArray(axis) ? axis : [axis];
  return a.length === 1 && (a[0] === -1 || a[0] === rank);
}

interface BatchNorm {
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  epsilon: number;
}

function batchNormParams(ctx: EmitContext, layer: KerasLayer, channels: number): BatchNorm {
  const cfg = new LayerConfig(layer);
  const w = (p: string, use: boolean, fill: number) => {
    const weight = use ? layerWeight(ctx.model, layer.name, p) : undefined;
    if (weight && weight.data.length !== channels)
      throw cfg.error(`${p} has ${weight.data.length} values, not ${channels}`);
    return weight?.data ?? new Float32Array(channels).fill(fill);
  };
  return {
    gamma: w('gamma', cfg.bool('scale', true), 1),
    beta: w('beta', cfg.bool('center', true), 0),
    mean: w('moving_mean', true, 0),
    variance: w('moving_variance', true, 1),
    epsilon: cfg.number('epsilon', 1e-3),
  };
}

/** BatchNormalization that could not be folded: an ONNX BatchNormalization node over the channel axis. */
export function batchNormalization(ctx: EmitContext, layer: KerasLayer, x: Value): Value {
  const cfg = new LayerConfig(layer);
  if (!bnAxisIsChannels(layer, x.shape.length))
    throw cfg.error('only normalization over the last (channel) axis is supported');
  const c = x.shape[x.shape.length - 1] as number;
  const bn = batchNormParams(ctx, layer, c);
  const g = ctx.graph;
  const params = (['gamma', 'beta', 'mean', 'variance'] as const).map((p) =>
    g.floatTensor(`${layer.name}/${p}`, [c], bn[p]),
  );
  return ctx.emit('BatchNormalization', layer.name, [ctx.tensor(x), ...params], x.shape, {
    epsilon: attr.float(bn.epsilon),
  });
}

/** MaxPooling2D / AveragePooling2D ('same' average pooling excludes the padding from the mean, as TF does). */
export function pooling(ctx: EmitContext, layer: KerasLayer, x: Value): Value {
  const cfg = new LayerConfig(layer);
  checkChannelsLast(cfg);
  const [h, w, c] = spatial(cfg, x);
  const k = cfg.pair('pool_size', [2, 2]);
  const s = cfg.has('strides') ? cfg.pair('strides') : k;
  const pads = windowPads(cfg, h, w, k, s, [1, 1]);
  const max = layer.className === 'MaxPooling2D';
  const shape = [outSize(h, pads[0], pads[2], k[0], s[0]), outSize(w, pads[1], pads[3], k[1], s[1]), c];
  return ctx.emit(max ? 'MaxPool' : 'AveragePool', layer.name, [ctx.tensor(x)], shape, {
    kernel_shape: attr.ints(k),
    strides: attr.ints(s),
    pads: attr.ints(pads),
    ...(max ? {} : { count_include_pad: attr.int(0) }),
  });
}

/** GlobalAveragePooling2D / GlobalMaxPooling2D: `[C]`, or `[1, 1, C]` with keepdims. */
export function globalPooling(ctx: EmitContext, layer: KerasLayer, x: Value): Value {
  const cfg = new LayerConfig(layer);
  checkChannelsLast(cfg);
  const [, , c] = spatial(cfg, x);
  const op = layer.className === 'GlobalMaxPooling2D' ? 'GlobalMaxPool' : 'GlobalAveragePool';
  const pooled = ctx.emit(op, layer.name, [ctx.tensor(x)], [1, 1, c]);
  if (cfg.bool('keepdims', false)) return pooled;
  return ctx.emit('Flatten', layer.name, [pooled.name], [c], { axis: attr.int(1) });
}
