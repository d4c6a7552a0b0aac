/**
 * An independent float64 forward pass of a tfjs graph model (the ops nsfwjs's `mobilenet_v2_mid` uses), straight
 * over NHWC arrays with TensorFlow's semantics, to check the ONNX graphs `convertGraphModel` writes. It shares no
 * code with the converter: it reads the model JSON and dequantized weights and loops over pixels.
 */
import type { TfjsModel } from '../../src/convert/index.js';

interface Node {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { list?: { i?: string[]; s?: string[] }; s?: string }>;
}

/** An NHWC activation of one image (`h × w × c`), or a scalar. */
interface T {
  h: number;
  w: number;
  c: number;
  data: Float64Array;
}

const text = (s?: string) => (s ? Buffer.from(s, 'base64').toString('utf8') : '');

export class GraphReference {
  readonly #nodes: Map<string, Node>;

  constructor(readonly model: TfjsModel) {
    this.#nodes = new Map((model.json.modelTopology as { node: Node[] }).node.map((n) => [n.name, n]));
  }

  /**
   * The outputs of the nodes whose names end with `suffixes`, for one `[h, w, 3]` image with values in [0, 1]
   * (one pass: shared nodes are computed once).
   */
  run(image: Float32Array, size: number, suffixes: readonly string[]): T[] {
    const memo = new Map<string, T>();
    const value = (name: string): T => {
      const hit = memo.get(name);
      if (hit) return hit;
      const n = this.#nodes.get(name) as Node;
      const v = this.#eval(n, value, image, size);
      memo.set(name, v);
      return v;
    };
    return suffixes.map((suffix) => {
      const target = [...this.#nodes.keys()].find((k) => k === suffix || k.endsWith(`/${suffix}`));
      if (!target) throw new Error(`no node ${suffix}`);
      return value(target);
    });
  }

  #const(name: string): { shape: number[]; data: Float32Array } {
    const w = this.model.weights.get(name);
    if (!w) throw new Error(`no weights for ${name}`);
    return w;
  }

  #eval(n: Node, value: (name: string) => T, image: Float32Array, size: number): T {
    const ins = n.input ?? [];
    const arg = (i: number): T => {
      const name = ins[i] as string;
      if (this.#nodes.get(name)?.op === 'Const') {
        const c = this.#const(name);
        return { h: 0, w: 0, c: 0, data: Float64Array.from(c.data) };
      }
      return value(name);
    };
    switch (n.op) {
      case 'Placeholder':
        return { h: size, w: size, c: 3, data: Float64Array.from(image) };
      case 'Identity':
        return arg(0);
      case 'Mul':
      case 'Sub':
      case 'AddV2': {
        const a = arg(0);
        const b = arg(1);
        const big = a.data.length >= b.data.length ? a : b;
        const out = new Float64Array(big.data.length);
        for (let i = 0; i < out.length; i++) {
          const x = a.data[a.data.length === 1 ? 0 : i] as number;
          const y = b.data[b.data.length === 1 ? 0 : i] as number;
          out[i] = n.op === 'Mul' ? x * y : n.op === 'Sub' ? x - y : x + y;
        }
        return { ...big, data: out };
      }
      case '_FusedConv2D':
      case 'FusedDepthwiseConv2dNative':
        return this.#conv(n, arg(0), n.op !== '_FusedConv2D');
      case 'AvgPool': {
        const x = arg(0);
        const out = new Float64Array(x.c);
        for (let p = 0; p < x.h * x.w; p++)
          for (let c = 0; c < x.c; c++) out[c] = (out[c] as number) + (x.data[p * x.c + c] as number);
        for (let c = 0; c < x.c; c++) out[c] = (out[c] as number) / (x.h * x.w);
        return { h: 1, w: 1, c: x.c, data: out };
      }
      case 'Squeeze':
        return arg(0);
      default:
        throw new Error(`reference: op ${n.op}`);
    }
  }

  #conv(n: Node, x: T, depthwise: boolean): T {
    const ins = n.input as string[];
    const k = this.#const(ins[1] as string);
    const bias = this.#const(ins[2] as string).data;
    const [kh, kw, kin, kout] = k.shape as [number, number, number, number];
    const stride = Number(n.attr?.strides?.list?.i?.[1]);
    const same = text(n.attr?.padding?.s) === 'SAME';
    const oh = same ? Math.ceil(x.h / stride) : Math.floor((x.h - kh) / stride) + 1;
    const ow = same ? Math.ceil(x.w / stride) : Math.floor((x.w - kw) / stride) + 1;
    const padT = same ? Math.floor(Math.max((oh - 1) * stride + kh - x.h, 0) / 2) : 0;
    const padL = same ? Math.floor(Math.max((ow - 1) * stride + kw - x.w, 0) / 2) : 0;
    const cout = depthwise ? x.c * kout : kout;
    const out = new Float64Array(oh * ow * cout);
    const relu6 = (n.attr?.fused_ops?.list?.s ?? []).map(text).includes('Relu6');
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        const o = (oy * ow + ox) * cout;
        for (let co = 0; co < cout; co++) out[o + co] = bias[co] as number;
        for (let dy = 0; dy < kh; dy++) {
          const iy = oy * stride + dy - padT;
          if (iy < 0 || iy >= x.h) continue;
          for (let dx = 0; dx < kw; dx++) {
            const ix = ox * stride + dx - padL;
            if (ix < 0 || ix >= x.w) continue;
            const i = (iy * x.w + ix) * x.c;
            const kBase = (dy * kw + dx) * kin * kout;
            if (depthwise) {
              for (let c = 0; c < x.c; c++)
                for (let m = 0; m < kout; m++)
                  out[o + c * kout + m] =
                    (out[o + c * kout + m] as number) +
                    (x.data[i + c] as number) * (k.data[kBase + c * kout + m] as number);
            } else {
              for (let ci = 0; ci < kin; ci++) {
                const v = x.data[i + ci] as number;
                if (v === 0) continue;
                const kk = kBase + ci * kout;
                for (let co = 0; co < kout; co++)
                  out[o + co] = (out[o + co] as number) + v * (k.data[kk + co] as number);
              }
            }
          }
        }
        if (relu6) for (let co = 0; co < cout; co++) out[o + co] = Math.min(6, Math.max(0, out[o + co] as number));
      }
    return { h: oh, w: ow, c: cout, data: out };
  }
}
