/**
 * google.protobuf.Struct / Value / ListValue <-> plain JSON (`JsonObject` / `JsonValue`), in the two-pass
 * style of `proto-writer.ts`. Numbers travel as doubles; object keys keep insertion order. Values that JSON
 * cannot hold (undefined, functions, bigints, NaN, class instances, cycles) throw `BadDocumentError` naming
 * their path, e.g. `tags.a.b[2]`.
 */
import { BadDocumentError } from '../errors/index.js';
import { isPlainObject, type JsonObject, type JsonValue } from './json-value.js';
import { ProtoReader } from './proto-reader.js';
import {
  delimitedSize,
  encodeMessage,
  type ProtoWriter,
  reserveSize,
  type SizeList,
  stringFieldSize,
} from './proto-writer.js';

/**
 * Deepest Struct/Value/ListValue nesting written (each counts one message level, so 32 levels of JSON); well
 * inside the reader's `MAX_DEPTH`, so whatever weft writes it can read back, also inside nested documents.
 */
export const MAX_JSON_DEPTH = 64;

/** Thrown inside the sizing pass; turned into a `BadDocumentError` with a path at the top. */
class NotJson extends Error {}
const NOT_JSON = new NotJson('not JSON');

/** A google.protobuf.Struct message of `obj`; `path` names it in errors. */
export function encodeStruct(obj: JsonObject, path = 'struct'): Uint8Array {
  return encodeMessage(obj, (o, sizes) => sizeStruct(o, sizes, path), writeStruct);
}

/** A JSON object from google.protobuf.Struct bytes; throws `DecodeError` on malformed input. */
export function decodeStruct(bytes: Uint8Array): JsonObject {
  const r = new ProtoReader(bytes);
  return readStruct(r, r.len);
}

/**
 * Sizing pass for a Struct: returns the body size and records nested sizes. `path` names the value in
 * errors (e.g. `tags`).
 */
export function sizeStruct(obj: JsonObject, sizes: SizeList, path: string): number {
  try {
    return structSize(obj, sizes, 0);
  } catch (err) {
    if (err === NOT_JSON) throw notJsonError(obj, path, -1);
    throw err;
  }
}

/** Sizing pass for a lone Value. */
export function sizeValue(value: JsonValue, sizes: SizeList, path: string): number {
  try {
    return valueSize(value, sizes, 0);
  } catch (err) {
    if (err === NOT_JSON) throw notJsonError(value, path, 0);
    throw err;
  }
}

function structSize(obj: JsonObject, sizes: SizeList, depth: number): number {
  if (depth > MAX_JSON_DEPTH) throw NOT_JSON;
  const slot = reserveSize(sizes);
  let n = 0;
  for (const key of Object.keys(obj)) {
    const entrySlot = reserveSize(sizes);
    const entry = stringFieldSize(1, key) + delimitedSize(2, valueSize(obj[key] as JsonValue, sizes, depth + 1));
    sizes[entrySlot] = entry;
    n += delimitedSize(1, entry);
  }
  sizes[slot] = n;
  return n;
}

function valueSize(value: JsonValue, sizes: SizeList, depth: number): number {
  const slot = reserveSize(sizes);
  let n: number;
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw NOT_JSON;
      n = 9;
      break;
    case 'string':
      n = stringFieldSize(3, value);
      break;
    case 'boolean':
      n = 2;
      break;
    case 'object':
      if (value === null) n = 2;
      else if (Array.isArray(value)) n = delimitedSize(6, listSize(value, sizes, depth + 1));
      else if (isPlainObject(value)) n = delimitedSize(5, structSize(value, sizes, depth + 1));
      else throw NOT_JSON;
      break;
    default:
      throw NOT_JSON;
  }
  sizes[slot] = n;
  return n;
}

function listSize(list: JsonValue[], sizes: SizeList, depth: number): number {
  if (depth > MAX_JSON_DEPTH) throw NOT_JSON;
  const slot = reserveSize(sizes);
  let n = 0;
  for (let i = 0; i < list.length; i++) n += delimitedSize(1, valueSize(list[i] as JsonValue, sizes, depth + 1));
  sizes[slot] = n;
  return n;
}

/** Write pass for a Struct (see the `writeM` convention in proto-writer.ts). */
export function writeStruct(w: ProtoWriter, obj: JsonObject, field: number): void {
  const n = w.nextSize();
  if (field > 0) {
    w.tag(field, 2);
    w.uint32(n);
  }
  for (const key of Object.keys(obj)) {
    w.messageHeader(1);
    w.stringField(1, key);
    writeValue(w, obj[key] as JsonValue, 2);
  }
}

/** Write pass for a Value. */
export function writeValue(w: ProtoWriter, value: JsonValue, field: number): void {
  const n = w.nextSize();
  if (field > 0) {
    w.tag(field, 2);
    w.uint32(n);
  }
  switch (typeof value) {
    case 'number':
      w.buf[w.pos++] = 0x11; // number_value = 2, fixed64
      w.double(value);
      return;
    case 'string':
      w.stringField(3, value);
      return;
    case 'boolean':
      w.buf[w.pos++] = 0x20; // bool_value = 4, varint
      w.bool(value);
      return;
    default:
      if (value === null) {
        w.buf[w.pos++] = 0x08; // null_value = 1, varint
        w.buf[w.pos++] = 0;
      } else if (Array.isArray(value)) writeList(w, value, 6);
      else writeStruct(w, value as JsonObject, 5);
  }
}

function writeList(w: ProtoWriter, list: JsonValue[], field: number): void {
  const n = w.nextSize();
  w.tag(field, 2);
  w.uint32(n);
  for (let i = 0; i < list.length; i++) writeValue(w, list[i] as JsonValue, 1);
}

/** Read a Struct body ending at `end`. */
export function readStruct(r: ProtoReader, end: number): JsonObject {
  r.enter();
  const obj: JsonObject = {};
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 10) {
      const entryEnd = r.ldelim();
      let key = '';
      let value: JsonValue = null;
      while (r.pos < entryEnd) {
        const t = r.tag();
        if (t === 10) key = r.string();
        else if (t === 18) value = readValue(r, r.ldelim());
        else if (t >>> 3 === 1 || t >>> 3 === 2)
          r.wrongType('Struct.FieldsEntry', t >>> 3 === 1 ? 'key' : 'value', t, 2);
        else r.skipTag(t);
      }
      r.expectEnd(entryEnd, 'Struct.FieldsEntry');
      setKey(obj, key, value);
    } else if (tag >>> 3 === 1) r.wrongType('Struct', 'fields', tag, 2);
    else r.skipTag(tag);
  }
  r.expectEnd(end, 'Struct');
  r.leave();
  return obj;
}

const VALUE_FIELDS = ['', 'null_value', 'number_value', 'string_value', 'bool_value', 'struct_value', 'list_value'];
const VALUE_WIRE_TYPES = [0, 0, 1, 2, 0, 2, 2];

/** Read a Value body ending at `end` (a Value with no kind set reads as null). */
export function readValue(r: ProtoReader, end: number): JsonValue {
  r.enter();
  let value: JsonValue = null;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x08:
        r.uint32();
        value = null;
        break;
      case 0x11:
        value = r.double();
        break;
      case 0x1a:
        value = r.string();
        break;
      case 0x20:
        value = r.bool();
        break;
      case 0x2a:
        value = readStruct(r, r.ldelim());
        break;
      case 0x32:
        value = readList(r, r.ldelim());
        break;
      default: {
        const field = tag >>> 3;
        if (field <= 6) r.wrongType('Value', VALUE_FIELDS[field] as string, tag, VALUE_WIRE_TYPES[field] as number);
        r.skipTag(tag);
      }
    }
  }
  r.expectEnd(end, 'Value');
  r.leave();
  return value;
}

function readList(r: ProtoReader, end: number): JsonValue[] {
  r.enter();
  const list: JsonValue[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 10) list.push(readValue(r, r.ldelim()));
    else if (tag >>> 3 === 1) r.wrongType('ListValue', 'values', tag, 2);
    else r.skipTag(tag);
  }
  r.expectEnd(end, 'ListValue');
  r.leave();
  return list;
}

/** Assign `obj[key]` as an own data property, even for `__proto__`. */
function setKey(obj: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** Find the first non-JSON value under `root` (same walk as the sizing pass) and describe it. */
function notJsonError(root: unknown, rootPath: string, depth: number): BadDocumentError {
  const found = findNotJson(root, rootPath, depth);
  const [path, what] = found ?? [rootPath, 'not a JSON value'];
  return new BadDocumentError(
    `${path} is ${what}, which a protobuf Struct cannot hold (use strings, finite numbers, booleans, null, arrays or plain objects)`,
    { details: { field: path } },
  );
}

/** Mirrors `valueSize`: `depth` is the Value's message depth, its Struct/ListValue is one deeper. */
function findNotJson(value: unknown, path: string, depth: number): [string, string] | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : [path, String(value)];
    case 'object': {
      if (value === null) return undefined;
      if (depth + 1 > MAX_JSON_DEPTH) return [path, `nested deeper than ${MAX_JSON_DEPTH / 2} levels (a cycle?)`];
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const f = findNotJson(value[i], `${path}[${i}]`, depth + 2);
          if (f) return f;
        }
        return undefined;
      }
      if (!isPlainObject(value)) return [path, `an instance of ${value.constructor?.name ?? 'an unknown class'}`];
      const obj = value as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        const f = findNotJson(obj[key], `${path}.${key}`, depth + 2);
        if (f) return f;
      }
      return undefined;
    }
    case 'undefined':
      return [path, 'undefined'];
    case 'function':
      return [path, 'a function'];
    default:
      return [path, `a ${typeof value} (${String(value)})`];
  }
}
