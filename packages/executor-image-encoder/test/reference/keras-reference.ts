/**
 * An independent reference for the converter tests: a plain float64 forward pass of a tfjs Keras model, written
 * straight from the Keras layer definitions in NHWC, sharing no code with `src/convert` (it reads and dequantizes
 * the nsfwjs weight files itself). Slow on purpose: simple loops, no folding, no layout tricks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';

/** An NHWC (or flat) float64 tensor without batch dimension. */
interface T {
  shape: number[];
  data: Float64Array;
}

interface Layer {
  name: string;
  cls: string;
  // biome-ignore lint/suspicious/noExplicitAny: Keras configs are untyped JSON; the reference reads them directly
  cfg: Record<string, any>;
  inputs: string[];
}

function umdExport(file: string): unknown {
  const module: { exports: unknown } = { exports: {} };
  runInNewContext(readFileSync(file, 'utf8'), { module, exports: module.exports });
  return module.exports;
}

/** The tfjs model JSON, as far as the reference reads it. */
export interface ReferenceModelJson {
  modelTopology: { model_config: { config: { layers: RawLayer[] } } };
  weightsManifest: {
    paths: string[];
    weights: { name: string; shape: number[]; quantization: { min: number; scale: number } }[];
  }[];
}

interface RawLayer {
  name: string;
  class_name: string;
  // biome-ignore lint/suspicious/noExplicitAny: Keras configs are untyped JSON
  config: Record<string, any>;
  inbound_nodes: unknown[][][];
}

export class KerasReference {
  readonly layers: Layer[];
  readonly weights: Map<string, Float64Array>;
  readonly inputShape: number[];

  /** A model from its JSON and its weights by name. */
  constructor(json: ReferenceModelJson, weights: Map<string, Float64Array>) {
    this.layers = json.modelTopology.model_config.config.layers.map((l) => ({
      name: l.name,
      cls: l.class_name,
      cfg: l.config,
      inputs: (l.inbound_nodes[0] ?? []).map((e) => e[0] as string),
    }));
    this.inputShape = this.layers[0]!.cfg.batch_input_shape.slice(1);
    this.weights = weights;
  }

  /** Load `dir/model.min.js` and its `*.min.js` shards (the nsfwjs layout). */
  static fromNsfwjs(dir: string): KerasReference {
    const json = JSON.parse(JSON.stringify(umdExport(join(dir, 'model.min.js')))) as ReferenceModelJson;
    const weights = new Map<string, Float64Array>();
    for (const group of json.weightsManifest) {
      const bytes = Buffer.concat(
        group.paths.map((p: string) => Buffer.from(umdExport(join(dir, `${p}.min.js`)) as string, 'base64')),
      );
      let at = 0;
      for (const w of group.weights) {
        const n = w.shape.reduce((a: number, b: number) => a * b, 1);
        const values = new Float64Array(n);
        // every nsfwjs weight is uint8-quantized: value = min + scale * q (computed as tfjs does, then float32)
        for (let i = 0; i < n; i++) values[i] = Math.fround(w.quantization.min + w.quantization.scale * bytes[at + i]!);
        at += n;
        weights.set(w.name, values);
      }
    }
    return new KerasReference(json, weights);
  }

  /** Run the model on one NHWC image (values in [0, 1]) and return the output of `outputLayer`. */
  run(image: Float64Array, outputLayer: string): Float64Array {
    const values = new Map<string, T>();
    for (const layer of this.layers) {
      const xs = layer.inputs.map((n) => values.get(n)!);
      values.set(layer.name, this.#layer(layer, xs, image));
      if (layer.name === outputLayer) return values.get(layer.name)!.data;
    }
    throw new Error(`no layer ${outputLayer}`);
  }

  #w(layer: string, param: string): Float64Array {
    const w = this.weights.get(`${layer}/${param}`);
    if (!w) throw new Error(`missing weight ${layer}/${param}`);
    return w;
  }

  #layer(l: Layer, xs: T[], image: Float64Array): T {
    const x = xs[0]!;
    switch (l.cls) {
      case 'InputLayer':
        return { shape: this.inputShape, data: image };
      case 'ZeroPadding2D': {
        const [[t, b], [left, r]] = l.cfg.padding;
        return pad(x, t, b, left, r);
      }
      case 'GlobalAveragePooling2D': {
        const c = x.shape[2]!;
        const out = new Float64Array(c);
        for (let i = 0; i < x.data.length; i++) out[i % c]! += x.data[i]!;
        return { shape: [c], data: out.map((v) => v / (x.data.length / c)) };
      }
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const dw = l.cls === 'DepthwiseConv2D';
        const kernel = this.#w(l.name, dw ? 'depthwise_kernel' : 'kernel');
        const filters = dw ? x.shape[2]! * (l.cfg.depth_multiplier ?? 1) : l.cfg.filters;
        const y = conv(x, kernel, l.cfg.kernel_size, l.cfg.strides, l.cfg.padding, dw, filters);
        if (l.cfg.use_bias) addBias(y, this.#w(l.name, 'bias'));
        return activation(y, l.cfg.activation);
      }
      case 'BatchNormalization': {
        const c = x.shape[x.shape.length - 1]!;
        const gamma = l.cfg.scale ? this.#w(l.name, 'gamma') : new Float64Array(c).fill(1);
        const beta = l.cfg.center ? this.#w(l.name, 'beta') : new Float64Array(c);
        const mean = this.#w(l.name, 'moving_mean');
        const variance = this.#w(l.name, 'moving_variance');
        const data = x.data.map((v, i) => {
          const ch = i % c;
          return (gamma[ch]! * (v - mean[ch]!)) / Math.sqrt(variance[ch]! + l.cfg.epsilon) + beta[ch]!;
        });
        return { shape: x.shape, data };
      }
      case 'ReLU': {
        const max = l.cfg.max_value ?? Number.POSITIVE_INFINITY;
        return { shape: x.shape, data: x.data.map((v) => Math.min(Math.max(v, 0), max)) };
      }
      case 'Activation':
        return activation(x, l.cfg.activation);
      case 'Add':
        return { shape: x.shape, data: x.data.map((_v, i) => xs.reduce((s, t) => s + t.data[i]!, 0)) };
      case 'Concatenate':
        return concat(xs);
      case 'MaxPooling2D':
      case 'AveragePooling2D':
        return pool(x, l.cfg.pool_size, l.cfg.strides ?? l.cfg.pool_size, l.cfg.padding, l.cls === 'MaxPooling2D');
      case 'Flatten':
        return { shape: [x.data.length], data: x.data };
      case 'Dropout':
        return x;
      case 'Dense': {
        const k = this.#w(l.name, 'kernel');
        const units = l.cfg.units as number;
        const out = new Float64Array(units);
        for (let o = 0; o < units; o++) {
          let s = l.cfg.use_bias ? this.#w(l.name, 'bias')[o]! : 0;
          for (let i = 0; i < x.data.length; i++) s += x.data[i]! * k[i * units + o]!;
          out[o] = s;
        }
        return activation({ shape: [units], data: out }, l.cfg.activation);
      }
      default:
        throw new Error(`reference: layer ${l.cls} not implemented`);
    }
  }
}

function pad(x: T, top: number, bottom: number, left: number, right: number): T {
  const [h, w, c] = x.shape as [number, number, number];
  const H = h + top + bottom;
  const W = w + left + right;
  const data = new Float64Array(H * W * c);
  for (let y = 0; y < h; y++)
    for (let xx = 0; xx < w; xx++)
      for (let ch = 0; ch < c; ch++) data[((y + top) * W + xx + left) * c + ch] = x.data[(y * w + xx) * c + ch]!;
  return { shape: [H, W, c], data };
}

/** TensorFlow 'SAME': pad so that out = ceil(in / stride), the odd pixel going to the end. */
function samePad(x: T, kernel: number[], strides: number[]): T {
  const padFor = (size: number, k: number, s: number) => Math.max(k - (size % s === 0 ? s : size % s), 0);
  const ph = padFor(x.shape[0]!, kernel[0]!, strides[0]!);
  const pw = padFor(x.shape[1]!, kernel[1]!, strides[1]!);
  return pad(x, Math.floor(ph / 2), ph - Math.floor(ph / 2), Math.floor(pw / 2), pw - Math.floor(pw / 2));
}

function conv(x0: T, k: Float64Array, ks: number[], st: number[], padding: string, dw: boolean, filters: number): T {
  const x = padding === 'same' ? samePad(x0, ks, st) : x0;
  const [h, w, cin] = x.shape as [number, number, number];
  const [kh, kw] = ks as [number, number];
  const [sh, sw] = st as [number, number];
  const cout = filters;
  const mult = dw ? filters / cin : 1;
  const oh = Math.floor((h - kh) / sh) + 1;
  const ow = Math.floor((w - kw) / sw) + 1;
  const out = new Float64Array(oh * ow * cout);
  for (let oy = 0; oy < oh; oy++)
    for (let ox = 0; ox < ow; ox++) {
      const o = (oy * ow + ox) * cout;
      for (let ky = 0; ky < kh; ky++)
        for (let kx = 0; kx < kw; kx++) {
          const xi = ((oy * sh + ky) * w + ox * sw + kx) * cin;
          const ki = (ky * kw + kx) * cin;
          if (dw) {
            // kernel [kh, kw, cin, mult]; output channel c * mult + m
            for (let c = 0; c < cin; c++)
              for (let m = 0; m < mult; m++) out[o + c * mult + m]! += x.data[xi + c]! * k[(ki + c) * mult + m]!;
          } else {
            for (let c = 0; c < cin; c++) {
              const v = x.data[xi + c]!;
              const kr = (ki + c) * cout;
              for (let f = 0; f < cout; f++) out[o + f]! += v * k[kr + f]!;
            }
          }
        }
    }
  return { shape: [oh, ow, cout], data: out };
}

function addBias(x: T, b: Float64Array): void {
  for (let i = 0; i < x.data.length; i++) x.data[i]! += b[i % b.length]!;
}

function activation(x: T, name: string): T {
  if (name === 'linear') return x;
  if (name === 'relu') return { shape: x.shape, data: x.data.map((v) => Math.max(v, 0)) };
  if (name === 'softmax') {
    const m = Math.max(...x.data);
    const e = x.data.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return { shape: x.shape, data: e.map((v) => v / s) };
  }
  throw new Error(`reference: activation ${name} not implemented`);
}

function concat(xs: T[]): T {
  const [h, w] = xs[0]!.shape as [number, number];
  const cs = xs.map((t) => t.shape[2]!);
  const c = cs.reduce((a, b) => a + b, 0);
  const data = new Float64Array(h * w * c);
  for (let p = 0; p < h * w; p++) {
    let at = p * c;
    xs.forEach((t, i) => {
      for (let ch = 0; ch < cs[i]!; ch++) data[at++] = t.data[p * cs[i]! + ch]!;
    });
  }
  return { shape: [h, w, c], data };
}

function pool(x: T, ks: number[], st: number[], padding: string, max: boolean): T {
  const [h, w, c] = x.shape as [number, number, number];
  const [kh, kw] = ks as [number, number];
  const [sh, sw] = st as [number, number];
  let oh: number;
  let ow: number;
  let top = 0;
  let left = 0;
  if (padding === 'same') {
    oh = Math.ceil(h / sh);
    ow = Math.ceil(w / sw);
    top = Math.floor(Math.max((oh - 1) * sh + kh - h, 0) / 2);
    left = Math.floor(Math.max((ow - 1) * sw + kw - w, 0) / 2);
  } else {
    oh = Math.floor((h - kh) / sh) + 1;
    ow = Math.floor((w - kw) / sw) + 1;
  }
  const out = new Float64Array(oh * ow * c);
  for (let oy = 0; oy < oh; oy++)
    for (let ox = 0; ox < ow; ox++)
      for (let ch = 0; ch < c; ch++) {
        let acc = max ? Number.NEGATIVE_INFINITY : 0;
        let n = 0;
        for (let ky = 0; ky < kh; ky++)
          for (let kx = 0; kx < kw; kx++) {
            const y = oy * sh + ky - top;
            const xx = ox * sw + kx - left;
            if (y < 0 || y >= h || xx < 0 || xx >= w) continue; // padding never counts (TF semantics)
            const v = x.data[(y * w + xx) * c + ch]!;
            acc = max ? Math.max(acc, v) : acc + v;
            n++;
          }
        out[(oy * ow + ox) * c + ch] = max ? acc : acc / n;
      }
  return { shape: [oh, ow, c], data: out };
}
