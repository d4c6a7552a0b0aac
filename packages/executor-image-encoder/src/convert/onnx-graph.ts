/**
 * A small ONNX graph builder: named float32/int64 initializers stored as little-endian raw data, nodes with
 * typed attributes, graph inputs and outputs with symbolic batch dimensions, and the final `OnnxModel`.
 */
import { endianness } from 'node:os';
import type { OnnxTensor, OnnxValueInfo } from './onnx-proto.js';
import { type OnnxAttribute, OnnxAttributeType, OnnxDataType, type OnnxModel, type OnnxNode } from './onnx-proto.js';

/** Typed attribute values: `attr.ints([1, 1])`, `attr.int(32)`, `attr.float(1e-3)`, `attr.string('NOTSET')`. */
export const attr = {
  int: (i: number): Omit<OnnxAttribute, 'name'> => ({ type: OnnxAttributeType.INT, i }),
  ints: (ints: readonly number[]): Omit<OnnxAttribute, 'name'> => ({ type: OnnxAttributeType.INTS, ints: [...ints] }),
  float: (f: number): Omit<OnnxAttribute, 'name'> => ({ type: OnnxAttributeType.FLOAT, f }),
  string: (s: string): Omit<OnnxAttribute, 'name'> => ({ type: OnnxAttributeType.STRING, s: Buffer.from(s) }),
};

export type Attributes = Record<string, Omit<OnnxAttribute, 'name'>>;

if (endianness() !== 'LE') throw new Error('the ONNX converter writes raw tensor data and needs a little-endian host');

export class OnnxGraphBuilder {
  readonly #nodes: OnnxNode[] = [];
  readonly #initializers: OnnxTensor[] = [];
  readonly #inputs: OnnxValueInfo[] = [];
  readonly #outputs: OnnxValueInfo[] = [];
  readonly #names = new Set<string>();
  readonly #constants = new Map<string, string>();

  /** A name not used yet, derived from `base`. */
  unique(base: string): string {
    let name = base;
    for (let i = 1; this.#names.has(name); i++) name = `${base}_${i}`;
    this.#names.add(name);
    return name;
  }

  /** Add a float32 initializer; returns its name. */
  floatTensor(base: string, dims: readonly number[], data: Float32Array): string {
    if (data.length !== dims.reduce((a, b) => a * b, 1)) {
      throw new Error(`initializer ${base}: ${data.length} values do not fill dims [${dims.join(', ')}]`);
    }
    const name = this.unique(base);
    const rawData = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    this.#initializers.push({ name, dims: [...dims], dataType: OnnxDataType.FLOAT, rawData });
    return name;
  }

  /** Add an int64 initializer (1-D); returns its name. */
  int64Tensor(base: string, values: readonly number[]): string {
    const name = this.unique(base);
    const data = new BigInt64Array(values.map((v) => BigInt(v)));
    this.#initializers.push({
      name,
      dims: [values.length],
      dataType: OnnxDataType.INT64,
      rawData: new Uint8Array(data.buffer),
    });
    return name;
  }

  /** A shared scalar float32 constant (e.g. Clip bounds). */
  scalar(value: number): string {
    const key = `f32:${value}`;
    let name = this.#constants.get(key);
    if (!name) {
      name = this.floatTensor(`const_${String(value).replace(/[^0-9a-z]/gi, '_')}`, [], new Float32Array([value]));
      this.#constants.set(key, name);
    }
    return name;
  }

  /** Add a node; returns the names of its outputs (made unique from `outputs`). */
  node(opType: string, name: string, inputs: readonly string[], outputs: readonly string[], attrs: Attributes = {}) {
    const out = outputs.map((o) => this.unique(o));
    this.#nodes.push({
      name: this.unique(`${name}/${opType}`),
      opType,
      input: [...inputs],
      output: out,
      attribute: Object.entries(attrs).map(([n, a]) => ({ name: n, ...a })),
    });
    return out;
  }

  /** One-output node shorthand; returns the output name. */
  op(opType: string, name: string, inputs: readonly string[], attrs: Attributes = {}): string {
    return this.node(opType, name, inputs, [`${name}:${opType.toLowerCase()}`], attrs)[0] as string;
  }

  /** Declare a float32 graph input; `dims` entries are sizes or symbolic names. Returns its name. */
  input(name: string, dims: readonly (number | string)[]): string {
    const n = this.unique(name);
    this.#inputs.push(valueInfo(n, dims));
    return n;
  }

  /** Declare an existing value as a float32 graph output. */
  output(name: string, dims: readonly (number | string)[]): void {
    this.#outputs.push(valueInfo(name, dims));
  }

  /** The finished model (ONNX IR 7, default domain at `opset`). */
  build(options: { name: string; opset: number; producerVersion: string; docString?: string }): OnnxModel {
    return {
      irVersion: 7,
      opsetImport: [{ domain: '', version: options.opset }],
      producerName: 'weft',
      producerVersion: options.producerVersion,
      graph: {
        name: options.name,
        node: this.#nodes,
        initializer: this.#initializers,
        input: this.#inputs,
        output: this.#outputs,
        ...(options.docString ? { docString: options.docString } : {}),
      },
    };
  }
}

function valueInfo(name: string, dims: readonly (number | string)[]): OnnxValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType: OnnxDataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}
