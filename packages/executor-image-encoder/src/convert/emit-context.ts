/**
 * Shared state of one Keras -> ONNX conversion: the graph being built, the model's weights, and the ONNX value
 * each Keras layer produced. Values carry their Keras shape (NHWC without batch) while the ONNX tensors are NCHW;
 * a `ZeroPadding2D` stays pending on its value so a following convolution can absorb it into its own pads.
 */
import type { KerasLayer } from './keras-model.js';
import { type Attributes, attr, OnnxGraphBuilder } from './onnx-graph.js';
import type { TfjsModel } from './tfjs-model.js';

/** Top, left, bottom, right. */
export type Pads = [number, number, number, number];

export interface Value {
  /** ONNX tensor name: NCHW for rank-3 Keras shapes, [N, C] for rank 1. */
  name: string;
  /** Keras shape without the batch dimension: `[H, W, C]` or `[C]`. */
  shape: number[];
  /** Zero padding not applied yet: `name` is the unpadded tensor, `shape` already includes the padding. */
  pendingPad?: Pads;
}

export class EmitContext {
  readonly graph = new OnnxGraphBuilder();
  readonly values = new Map<string, Value>();
  /** Number of (kept) layers and requested outputs consuming each layer's output. */
  readonly consumers = new Map<string, number>();
  /** BatchNormalization layers folded into the convolution before them. */
  readonly folded = new Set<string>();
  readonly #materialized = new Map<Value, string>();

  constructor(
    readonly model: TfjsModel,
    readonly layers: Map<string, KerasLayer>,
  ) {}

  /** The value a layer produced. */
  value(layer: string): Value {
    const v = this.values.get(layer);
    if (!v) throw new Error(`internal: Keras layer '${layer}' has not been converted yet`);
    return v;
  }

  /** The ONNX tensor of a value with any pending zero padding applied (one Pad node, memoized). */
  tensor(v: Value): string {
    if (!v.pendingPad) return v.name;
    let name = this.#materialized.get(v);
    if (!name) {
      const [t, l, b, r] = v.pendingPad;
      const pads = this.graph.int64Tensor(`${v.name}_pads`, [0, 0, t, l, 0, 0, b, r]);
      name = this.graph.op('Pad', v.name, [v.name, pads], { mode: attr.string('constant') });
      this.#materialized.set(v, name);
    }
    return name;
  }

  /** Add a node with one output and return it as a value of `shape`. */
  emit(opType: string, layer: string, inputs: string[], shape: number[], attrs: Attributes = {}): Value {
    return { name: this.graph.op(opType, layer, inputs, attrs), shape };
  }

  /** The only consumer of `layer` when it has exactly one, else undefined. */
  soleConsumer(layer: string): KerasLayer | undefined {
    if (this.consumers.get(layer) !== 1) return undefined;
    for (const l of this.layers.values()) if (l.inputs.includes(layer)) return l;
    return undefined;
  }
}
