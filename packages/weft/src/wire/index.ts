/**
 * Low-level protobuf wire format: a two-pass writer (sizes first, then one exactly-sized buffer), a
 * bounds-checked zero-copy reader, the JSON value types and google.protobuf.Struct <-> JSON. The Document codec and the Jina
 * request codec are built on these.
 */

export {
  assertJsonObject,
  assertJsonValue,
  cloneJson,
  isPlainObject,
  type JsonObject,
  type JsonValue,
} from './json-value.js';
export { MAX_DEPTH, ProtoReader, withDecodeContext } from './proto-reader.js';
export {
  delimitedSize,
  encodeMessage,
  int64Size,
  ProtoWriter,
  reserveSize,
  type SizeList,
  stringFieldSize,
  tagSize,
  utf8Length,
  varintSize,
  WireType,
} from './proto-writer.js';
export {
  decodeStruct,
  encodeStruct,
  MAX_JSON_DEPTH,
  readStruct,
  readValue,
  sizeStruct,
  sizeValue,
  writeStruct,
  writeValue,
} from './struct.js';
