/**
 * ONNX serialization: the plain-object shapes of the ONNX messages the converter writes, and their protobuf
 * encoding through protobufjs from the package's own `proto/onnx.proto` subset.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** TensorProto.DataType values the converter uses. */
export const OnnxDataType = { FLOAT: 1, INT64: 7 } as const;

/** AttributeProto.AttributeType values the converter uses. */
export const OnnxAttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
}

export interface OnnxNode {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: OnnxAttribute[];
}

/** A tensor type: element type and dims, each a fixed size or a symbolic name (e.g. the batch `N`). */
export interface OnnxValueInfo {
  name: string;
  type: {
    tensorType: { elemType: number; shape: { dim: ({ dimValue: number } | { dimParam: string })[] } };
  };
}

export interface OnnxGraph {
  name: string;
  node: OnnxNode[];
  initializer: OnnxTensor[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
  docString?: string;
}

export interface OnnxModel {
  irVersion: number;
  opsetImport: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  docString?: string;
  graph: OnnxGraph;
  metadataProps?: { key: string; value: string }[];
}

let root: protobuf.Root | undefined;

function modelType(): protobuf.Type {
  root ??= protobuf.loadSync(fileURLToPath(new URL('../../proto/onnx.proto', import.meta.url)));
  return root.lookupType('onnx.ModelProto');
}

/** Serialize a model to ONNX `ModelProto` bytes. */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  return modelType().encode(model).finish();
}

/** Parse `ModelProto` bytes back into plain objects (for inspection and tests). */
export function decodeOnnxModel(bytes: Uint8Array): OnnxModel {
  const type = modelType();
  return type.toObject(type.decode(bytes), { longs: Number, bytes: Uint8Array, defaults: false }) as OnnxModel;
}
