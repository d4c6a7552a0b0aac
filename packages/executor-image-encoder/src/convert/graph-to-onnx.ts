/**
 * Converts a tfjs *graph* model (a frozen TensorFlow graph, `format: 'graph-model'`, such as nsfwjs's
 * `mobilenet_v2_mid`: a TF-Hub MobileNetV2 feature vector with a small head) into an ONNX (opset 13) graph that
 * computes chosen nodes, globally pooled like the Keras converter's outputs. It knows the ops tfjs's converter
 * emits for such CNNs: `_FusedConv2D` and `FusedDepthwiseConv2dNative` (BiasAdd, optionally Relu / Relu6),
 * `AddV2`, `Mul` / `Sub` with constants (input scaling), `AvgPool`, `Squeeze`, `Identity`. Nodes the outputs do
 * not need are left out, so an unknown op in the classification head does not matter.
 */
import { ExecutorLoadError } from '@weft-ai/weft';
import { samePadding } from './convert-spatial.js';
import type { ConvertedModel, ConvertOptions, ConvertOutput } from './keras-to-onnx.js';
import { attr, OnnxGraphBuilder } from './onnx-graph.js';
import type { TfjsModel } from './tfjs-model.js';

/** Bump when the emitted graph changes for the same source weights (part of the cache key). */
export const GRAPH_CONVERTER_VERSION = '1';

interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { list?: { i?: string[]; s?: string[] }; s?: string; i?: string; b?: boolean }>;
}

/** A converted value: ONNX tensor name (NCHW) and its NHWC shape without batch, or a constant. */
interface Value {
  name: string;
  shape: number[];
}

/** Whether a tfjs model JSON is a graph model (rather than a Keras layers model). */
export function isGraphModel(model: TfjsModel): boolean {
  const t = model.json.modelTopology as { node?: unknown };
  return Array.isArray(t.node);
}

const b64 = (s: string | undefined) => (s === undefined ? '' : Buffer.from(s, 'base64').toString('utf8'));

/**
 * Resolve a requested output to a graph node: its full name, or a unique suffix of it after a `/`
 * (`MobilenetV2/Conv_1/Relu6`, `expanded_conv_12/expand/Relu6`).
 */
function findNode(nodes: Map<string, GraphNode>, wanted: string): GraphNode {
  const exact = nodes.get(wanted);
  if (exact) return exact;
  const hits = [...nodes.values()].filter((n) => n.name.endsWith(`/${wanted}`));
  if (hits.length !== 1) {
    throw new ExecutorLoadError(
      `graph model: ${hits.length === 0 ? 'no node' : `${hits.length} nodes`} named '${wanted}'`,
      { details: { node: wanted } },
    );
  }
  return hits[0] as GraphNode;
}

/**
 * Convert the nodes `options.outputs` need (`layer` = a node name or unique suffix) into an ONNX model.
 * @example convertGraphModel(loadTfjsModel(files), { outputs: [{ layer: 'MobilenetV2/Conv_1/Relu6', name: 'features' }] })
 */
export function convertGraphModel(model: TfjsModel, options: ConvertOptions): ConvertedModel {
  const list = (model.json.modelTopology as { node: GraphNode[] }).node;
  const nodes = new Map(list.map((n) => [n.name, n]));
  const g = new OnnxGraphBuilder();
  const values = new Map<string, Value>();
  let input: ConvertedModel['input'] | undefined;

  const constant = (n: GraphNode): { shape: number[]; data: Float32Array } => {
    const w = model.weights.get(n.name);
    if (!w) throw new ExecutorLoadError(`graph model: constant '${n.name}' has no weights`);
    return w;
  };
  const isConst = (name: string) => nodes.get(name)?.op === 'Const';

  const convert = (name: string): Value => {
    const done = values.get(name);
    if (done) return done;
    const n = nodes.get(name.split(':')[0] as string);
    if (!n) throw new ExecutorLoadError(`graph model: node '${name}' is missing`);
    const v = convertNode(n);
    values.set(n.name, v);
    return v;
  };

  const convertNode = (n: GraphNode): Value => {
    const ins = n.input ?? [];
    switch (n.op) {
      case 'Placeholder': {
        if (input) throw new ExecutorLoadError('graph models with several inputs are not supported');
        const dims = (n.attr?.shape as { shape?: { dim?: { size: string }[] } } | undefined)?.shape?.dim ?? [];
        const shape = dims.slice(1).map((d) => Number(d.size));
        if (shape.length !== 3 || shape.some((d) => !(d > 0)))
          throw new ExecutorLoadError(`graph model input needs a fixed [N, H, W, C] shape`);
        const x = g.input('input', ['N', ...shape]);
        input = { name: 'input', shape };
        return { name: g.op('Transpose', 'input', [x], { perm: attr.ints([0, 3, 1, 2]) }), shape };
      }
      case 'Identity':
      case 'StopGradient':
        return convert(ins[0] as string);
      case 'Mul':
      case 'Sub':
      case 'AddV2':
      case 'Add': {
        const [a, b] = ins.map((i) => operand(i));
        const op = n.op === 'Mul' ? 'Mul' : n.op === 'Sub' ? 'Sub' : 'Add';
        const shape = (a as Value).shape.length >= (b as Value).shape.length ? (a as Value).shape : (b as Value).shape;
        return { name: g.op(op, n.name, [(a as Value).name, (b as Value).name]), shape };
      }
      case '_FusedConv2D':
      case 'FusedDepthwiseConv2dNative':
        return fusedConv(n);
      case 'AvgPool':
      case 'MaxPool': {
        const x = convert(ins[0] as string);
        const k = ints(n, 'ksize').slice(1, 3);
        const s = ints(n, 'strides').slice(1, 3);
        const pads = windowPads(n, x.shape, k, s, [1, 1]);
        const shape = [out(x.shape[0], pads[0], pads[2], k[0], s[0]), out(x.shape[1], pads[1], pads[3], k[1], s[1])];
        const op = n.op === 'AvgPool' ? 'AveragePool' : 'MaxPool';
        return {
          name: g.op(op, n.name, [x.name], {
            kernel_shape: attr.ints(k),
            strides: attr.ints(s),
            pads: attr.ints(pads),
            ...(op === 'AveragePool' ? { count_include_pad: attr.int(0) } : {}),
          }),
          shape: [...shape, x.shape[2] as number],
        };
      }
      case 'Squeeze': {
        const x = convert(ins[0] as string);
        if (x.shape.length !== 3 || x.shape[0] !== 1 || x.shape[1] !== 1)
          throw new ExecutorLoadError(`graph model: Squeeze of [${x.shape.join(', ')}] is not supported`);
        return { name: g.op('Flatten', n.name, [x.name], { axis: attr.int(1) }), shape: [x.shape[2] as number] };
      }
      default:
        throw new ExecutorLoadError(`graph model: op '${n.op}' (node '${n.name}') is not supported by the converter`, {
          details: { op: n.op, node: n.name },
        });
    }
  };

  /** A node input as a value: a converted node, or a constant initializer. */
  const operand = (name: string): Value => {
    if (!isConst(name)) return convert(name);
    const c = constant(nodes.get(name) as GraphNode);
    if (c.shape.length > 1) throw new ExecutorLoadError(`graph model: constant operand '${name}' must be a scalar`);
    return { name: g.floatTensor(name, c.shape, c.data), shape: [] };
  };

  const fusedConv = (n: GraphNode): Value => {
    const ins = n.input ?? [];
    const depthwise = n.op === 'FusedDepthwiseConv2dNative';
    const fused = (n.attr?.fused_ops?.list?.s ?? []).map(b64);
    if (fused[0] !== 'BiasAdd' || fused.length > 2 || (fused[1] && fused[1] !== 'Relu6' && fused[1] !== 'Relu'))
      throw new ExecutorLoadError(`graph model: fused ops [${fused.join(', ')}] of '${n.name}' are not supported`);
    if (b64(n.attr?.data_format?.s) !== 'NHWC') throw new ExecutorLoadError(`graph model: '${n.name}' is not NHWC`);
    const x = convert(ins[0] as string);
    const kernel = constant(nodes.get(ins[1] as string) as GraphNode);
    const bias = constant(nodes.get(ins[2] as string) as GraphNode);
    const [kh, kw, kin, kout] = kernel.shape as [number, number, number, number];
    const s = ints(n, 'strides').slice(1, 3);
    const d = n.attr?.dilations ? ints(n, 'dilations').slice(1, 3) : [1, 1];
    const cin = x.shape[2] as number;
    const cout = depthwise ? cin * kout : kout;
    const w = new Float32Array(cout * (depthwise ? 1 : kin) * kh * kw);
    for (let y = 0; y < kh; y++)
      for (let xx = 0; xx < kw; xx++)
        for (let i = 0; i < kin; i++)
          for (let o = 0; o < kout; o++) {
            const src = kernel.data[((y * kw + xx) * kin + i) * kout + o] as number;
            if (depthwise) w[((i * kout + o) * kh + y) * kw + xx] = src;
            else w[((o * kin + i) * kh + y) * kw + xx] = src;
          }
    if (!depthwise && kin !== cin) throw new ExecutorLoadError(`graph model: '${n.name}' expects ${kin} channels`);
    const pads = windowPads(n, x.shape, [kh, kw], s, d);
    const shape = [
      out(x.shape[0], pads[0], pads[2], kh, s[0], d[0]),
      out(x.shape[1], pads[1], pads[3], kw, s[1], d[1]),
      cout,
    ];
    const conv = g.op(
      'Conv',
      n.name,
      [
        x.name,
        g.floatTensor(`${n.name}/W`, [cout, depthwise ? 1 : kin, kh, kw], w),
        g.floatTensor(`${n.name}/B`, [cout], bias.data),
      ],
      {
        kernel_shape: attr.ints([kh, kw]),
        strides: attr.ints(s),
        dilations: attr.ints(d),
        pads: attr.ints(pads),
        group: attr.int(depthwise ? cin : 1),
      },
    );
    if (fused[1] === 'Relu') return { name: g.op('Relu', n.name, [conv]), shape };
    if (fused[1] === 'Relu6') return { name: g.op('Clip', n.name, [conv, g.scalar(0), g.scalar(6)]), shape };
    return { name: conv, shape };
  };

  const outputs: ConvertedModel['outputs'] = [];
  for (const o of options.outputs) {
    const node = findNode(nodes, o.layer);
    let v = convert(node.name);
    if (v.shape.length === 3) {
      const pooled = globalPool(g, o, v.name);
      v = { name: g.op('Flatten', o.name, [pooled], { axis: attr.int(1) }), shape: [v.shape[2] as number] };
    }
    const dim = v.shape.reduce((a, b) => a * b, 1);
    const [name] = g.node('Identity', o.name, [v.name], [o.name]);
    if (name !== o.name) throw new ExecutorLoadError(`output name '${o.name}' collides with a graph value`);
    g.output(o.name, ['N', dim]);
    outputs.push({ name: o.name, layer: o.layer, dim });
  }
  if (!input) throw new ExecutorLoadError('the graph model has no Placeholder input');
  const built = g.build({
    name: options.name ?? 'graph-model',
    opset: 13,
    producerVersion: GRAPH_CONVERTER_VERSION,
    docString: `Converted by weft from a tfjs graph model; outputs: ${outputs.map((o) => `${o.name}=${o.layer}`).join(', ')}`,
  });
  built.metadataProps = Object.entries({ graph_converter_version: GRAPH_CONVERTER_VERSION, ...options.metadata }).map(
    ([key, value]) => ({ key, value }),
  );
  return { model: built, input, outputs };
}

function ints(n: GraphNode, key: string): number[] {
  const v = n.attr?.[key]?.list?.i;
  if (!v) throw new ExecutorLoadError(`graph model: '${n.name}' has no ${key}`);
  return v.map(Number);
}

/** Top, left, bottom, right pads of a SAME/VALID window op over an NHWC shape. */
function windowPads(n: GraphNode, shape: number[], k: number[], s: number[], d: number[]): number[] {
  const padding = b64(n.attr?.padding?.s);
  if (padding === 'VALID') return [0, 0, 0, 0];
  if (padding !== 'SAME') throw new ExecutorLoadError(`graph model: padding '${padding}' of '${n.name}'`);
  const [t, b] = samePadding(shape[0] as number, k[0] as number, s[0] as number, d[0] as number);
  const [l, r] = samePadding(shape[1] as number, k[1] as number, s[1] as number, d[1] as number);
  return [t, l, b, r];
}

function out(size: number | undefined, before: number | undefined, after: number | undefined, k = 1, s = 1, d = 1) {
  return Math.floor(((size as number) + (before as number) + (after as number) - ((k - 1) * d + 1)) / s) + 1;
}

function globalPool(g: OnnxGraphBuilder, o: ConvertOutput, x: string): string {
  if (o.pool === 'max') return g.op('GlobalMaxPool', o.name, [x]);
  if (o.pool !== 'gem') return g.op('GlobalAveragePool', o.name, [x]);
  const positive = g.op('Relu', o.name, [x]);
  const cubed = g.op('Pow', o.name, [positive, g.scalar(3)]);
  const mean = g.op('GlobalAveragePool', o.name, [cubed]);
  return g.op('Pow', o.name, [mean, g.scalar(1 / 3)]);
}
