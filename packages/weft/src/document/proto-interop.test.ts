// An independent protobuf implementation (protobufjs, reading proto/docarray.proto) and weft's hand-written codec
// must agree on every field, in both directions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { JsonObject, JsonValue } from '../wire/index.js';
import { Document } from './document.js';
import { DocumentArray } from './document-array.js';
import { NdArray } from './ndarray.js';

const PROTO = fileURLToPath(new URL('../../../../proto/docarray.proto', import.meta.url));
// keepCase: docarray's snake_case names (google.protobuf.Struct comes from protobufjs's bundled camelCase copy)
const root = new protobuf.Root().loadSync(PROTO, { keepCase: true });
const DocumentProto = root.lookupType('docarray.DocumentProto');
const DocumentArrayProto = root.lookupType('docarray.DocumentArrayProto');
const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, defaults: false, arrays: false, objects: false };

type Obj = Record<string, unknown>;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function toValue(v: JsonValue): Obj {
  if (v === null) return { nullValue: 0 };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(toValue) } };
  return { structValue: toStruct(v) };
}
function toStruct(o: JsonObject): Obj {
  return { fields: Object.fromEntries(Object.entries(o).map(([k, v]) => [k, toValue(v)])) };
}
function fromValue(v: Obj): JsonValue {
  if ('numberValue' in v) return v.numberValue as number;
  if ('stringValue' in v) return v.stringValue as string;
  if ('boolValue' in v) return v.boolValue as boolean;
  if ('listValue' in v) return (((v.listValue as Obj).values as Obj[] | undefined) ?? []).map(fromValue);
  if ('structValue' in v) return fromStruct(v.structValue as Obj);
  return null;
}
function fromStruct(s: Obj): JsonObject {
  return Object.fromEntries(Object.entries((s.fields as Record<string, Obj>) ?? {}).map(([k, v]) => [k, fromValue(v)]));
}
const f32Bytes = (values: number[]): Uint8Array => new Uint8Array(new Float32Array(values).buffer);

const TAGS: JsonObject = {
  price: 9.5,
  n: -3,
  ok: true,
  no: false,
  none: null,
  s: 'ß',
  list: [1, ['a', { b: null }]],
  obj: { x: {} },
};

/** A DocumentProto as a protobufjs plain object, every field set. */
function protoObject(): Obj {
  return {
    id: 'p1',
    tensor: {
      dense: { buffer: f32Bytes([1, 2, 3, 4, 5, 6]), shape: [2, 3], dtype: '<f4' },
      cls_name: 'torch',
      parameters: toStruct({ device: 'cpu' }),
    },
    granularity: 2,
    adjacency: 1,
    parent_id: 'parent',
    weight: 0.25,
    uri: 'file:///a.png',
    modality: 'image',
    mime_type: 'image/png',
    offset: 7,
    location: [1, 2, 3.5],
    chunks: [{ id: 'c1', text: 'chunk one', chunks: [{ id: 'c1.1', blob: new Uint8Array([1, 2, 3]) }] }],
    matches: [{ id: 'm1', text: 'match', scores: { cosine: { value: 0.5 } } }],
    embedding: {
      dense: { buffer: new Uint8Array(new Float64Array([0.1, 0.2]).buffer), shape: [2], dtype: '<f8' },
      cls_name: 'numpy',
    },
    tags: toStruct(TAGS),
    scores: { cosine: { value: 0.75, op_name: 'cos', description: 'd', ref_id: 'q' }, l2: { value: 1.5 } },
    evaluations: { recall: { value: 0.5, op_name: 'recall@5', description: 'r', ref_id: 'gt' } },
    _metadata: toStruct({ kind: 'image', v: 1 }),
  };
}

describe('interop with protobufjs', () => {
  it('decodes every field protobufjs encodes', () => {
    const bytes = DocumentProto.encode(DocumentProto.fromObject(protoObject())).finish();
    const doc = Document.fromBytes(bytes);
    assert.equal(doc.id, 'p1');
    assert.equal(doc.contentType, 'tensor');
    assert.deepEqual(doc.tensor?.shape, [2, 3]);
    assert.equal(doc.tensor?.dtype, '<f4');
    assert.deepEqual([...(doc.tensor?.data ?? [])], [1, 2, 3, 4, 5, 6]);
    assert.equal(doc.granularity, 2);
    assert.equal(doc.adjacency, 1);
    assert.equal(doc.parentId, 'parent');
    assert.equal(doc.weight, 0.25);
    assert.equal(doc.uri, 'file:///a.png');
    assert.equal(doc.modality, 'image');
    assert.equal(doc.mimeType, 'image/png');
    assert.equal(doc.offset, 7);
    assert.deepEqual(doc.location, [1, 2, 3.5]);
    assert.equal(doc.chunks.at(0)?.text, 'chunk one');
    assert.deepEqual([...(doc.chunks.at(0)?.chunks.at(0)?.blob ?? [])], [1, 2, 3]);
    assert.deepEqual(doc.matches.at(0)?.scores, { cosine: { value: 0.5 } });
    assert.equal(doc.embedding?.dtype, '<f8');
    assert.deepEqual([...(doc.embedding?.data ?? [])], [0.1, 0.2]);
    assert.deepEqual(doc.tags, TAGS);
    assert.deepEqual(doc.scores, {
      cosine: { value: 0.75, opName: 'cos', description: 'd', refId: 'q' },
      l2: { value: 1.5 },
    });
    assert.deepEqual(doc.evaluations, { recall: { value: 0.5, opName: 'recall@5', description: 'r', refId: 'gt' } });
    assert.deepEqual(doc.metadata, { kind: 'image', v: 1 });
  });

  it('writes every field so that protobufjs decodes it', () => {
    const doc = new Document({
      id: 'w1',
      blob: new Uint8Array([9, 8, 7]),
      embedding: new NdArray(new Int32Array([1, -2, 3, -4]), [2, 2]),
      uri: 'u',
      mimeType: 'application/octet-stream',
      modality: 'bytes',
      tags: TAGS,
      chunks: [{ id: 'c', tensor: new NdArray(new BigInt64Array([5n, -6n]), [1, 2]) }],
      matches: [{ id: 'm', text: 'm', matches: [{ id: 'mm', text: '' }] }],
      scores: { s: { value: 0.5, opName: 'o', description: 'd', refId: 'r' } },
      evaluations: { e: { value: 2, opName: 'eo' } },
      parentId: 'pp',
      granularity: 3,
      adjacency: 2,
      weight: 1.5,
      offset: 0.5,
      location: [4, 5],
      metadata: { m: [1] },
    });
    const msg = DocumentProto.toObject(DocumentProto.decode(doc.toBytes()), TO_OBJECT) as Obj;
    assert.equal(msg.id, 'w1');
    assert.deepEqual([...(msg.blob as Uint8Array)], [9, 8, 7]);
    const emb = msg.embedding as { dense: Obj; cls_name: string };
    assert.equal(emb.cls_name, 'numpy');
    assert.deepEqual(emb.dense.shape, [2, 2]);
    assert.equal(emb.dense.dtype, '<i4');
    assert.deepEqual([...new Int32Array(new Uint8Array(emb.dense.buffer as Uint8Array).buffer)], [1, -2, 3, -4]);
    assert.equal(msg.uri, 'u');
    assert.equal(msg.mime_type, 'application/octet-stream');
    assert.equal(msg.modality, 'bytes');
    assert.deepEqual(fromStruct(msg.tags as Obj), TAGS);
    const chunk = (msg.chunks as Obj[])[0] as { id: string; tensor: { dense: Obj } };
    assert.equal(chunk.id, 'c');
    assert.equal(chunk.tensor.dense.dtype, '<i8');
    assert.deepEqual([...new BigInt64Array(new Uint8Array(chunk.tensor.dense.buffer as Uint8Array).buffer)], [5n, -6n]);
    const match = (msg.matches as Obj[])[0] as { text: string; matches: Obj[] };
    assert.equal(match.text, 'm');
    assert.equal(match.matches[0]?.text, '', 'an empty text is still set (oneof member)');
    assert.deepEqual(msg.scores, { s: { value: 0.5, op_name: 'o', description: 'd', ref_id: 'r' } });
    assert.deepEqual(msg.evaluations, { e: { value: 2, op_name: 'eo' } });
    assert.equal(msg.parent_id, 'pp');
    assert.equal(msg.granularity, 3);
    assert.equal(msg.adjacency, 2);
    assert.equal(msg.weight, 1.5);
    assert.equal(msg.offset, 0.5);
    assert.deepEqual(msg.location, [4, 5]);
    assert.deepEqual(fromStruct(msg._metadata as Obj), { m: [1] });
  });

  it('produces the same bytes as protobufjs for the same message', () => {
    const weft = Document.fromBytes(DocumentProto.encode(DocumentProto.fromObject(protoObject())).finish()).toBytes();
    const viaProtobufjs = DocumentProto.encode(DocumentProto.decode(weft)).finish();
    assert.equal(hex(viaProtobufjs), hex(weft));
    const da = new DocumentArray([
      Document.fromBytes(weft),
      new Document({ id: 'second', text: 'x', embedding: new Float32Array(8) }),
    ]);
    const daBytes = da.toBytes();
    assert.equal(hex(DocumentArrayProto.encode(DocumentArrayProto.decode(daBytes)).finish()), hex(daBytes));
  });

  it('agrees on DocumentArrays both ways', () => {
    const plain = {
      docs: [
        { id: 'a', text: 'first' },
        { id: 'b', embedding: { dense: { buffer: f32Bytes([1, 2]), shape: [2], dtype: '<f4' } } },
        {},
      ],
    };
    const da = DocumentArray.fromBytes(DocumentArrayProto.encode(DocumentArrayProto.fromObject(plain)).finish());
    assert.deepEqual(da.ids, ['a', 'b', '']);
    assert.equal(da.at(0)?.text, 'first');
    assert.deepEqual([...(da.at(1)?.embedding?.data ?? [])], [1, 2]);
    const back = DocumentArrayProto.toObject(DocumentArrayProto.decode(da.toBytes()), TO_OBJECT) as { docs: Obj[] };
    assert.equal(back.docs.length, 3);
    assert.equal(back.docs[0]?.text, 'first');
    assert.equal(back.docs[2]?.id, undefined);
  });
});
