/**
 * Jina's JSON document shape, both ways: snake_case keys (`mime_type`, `parent_id`), tensors and embeddings as
 * nested number lists, `blob` as base64, scores as `{ value, op_name, description, ref_id }`. Reading also
 * accepts camelCase keys, `null` for absent fields, and a tensor given as `{ buffer (base64), shape, dtype }`.
 */
import { BadDocumentError, DecodeError } from '../errors/index.js';
import { isPlainObject, type JsonObject, type JsonValue } from '../wire/index.js';
import { Document, type DocumentInit, type NamedScore } from './document.js';
import { DocumentArray } from './document-array.js';
import { JINA_FIELD_KEYS, SCALAR_FIELDS } from './document-fields.js';
import { NdArray, type NestedNumbers } from './ndarray.js';

/** One document in Jina's JSON shape. */
export interface DocumentJson {
  id?: string;
  text?: string;
  blob?: string;
  tensor?: NestedNumbers | { buffer: string; shape: number[]; dtype: string };
  embedding?: NestedNumbers | { buffer: string; shape: number[]; dtype: string };
  uri?: string;
  mime_type?: string;
  modality?: string;
  tags?: JsonObject;
  chunks?: DocumentJson[];
  matches?: DocumentJson[];
  scores?: Record<string, ScoreJson>;
  evaluations?: Record<string, ScoreJson>;
  parent_id?: string;
  granularity?: number;
  adjacency?: number;
  weight?: number;
  offset?: number;
  location?: number[];
  _metadata?: JsonObject;
  [key: string]: unknown;
}

export interface ScoreJson {
  value: number;
  op_name?: string;
  description?: string;
  ref_id?: string;
}

/** Document → JSON object (only set fields, in a fixed key order). */
export function documentToJson(doc: Document): DocumentJson {
  const out: DocumentJson = { id: doc.id };
  if (doc.text !== undefined) out.text = doc.text;
  if (doc.blob !== undefined)
    out.blob = Buffer.from(doc.blob.buffer, doc.blob.byteOffset, doc.blob.byteLength).toString('base64');
  if (doc.tensor !== undefined) out.tensor = doc.tensor.toList();
  if (doc.embedding !== undefined) out.embedding = doc.embedding.toList();
  for (const key of SCALAR_FIELDS) {
    const value = doc[key];
    if (value !== undefined) out[jinaKey(key)] = value;
  }
  if (doc.location !== undefined) out.location = doc.location;
  if (doc.hasTags) out.tags = doc.tags;
  if (doc.chunkCount > 0) out.chunks = doc.chunks.map(documentToJson);
  if (doc.matchCount > 0) out.matches = doc.matches.map(documentToJson);
  if (Object.keys(doc.scores).length > 0) out.scores = scoresToJson(doc.scores);
  if (Object.keys(doc.evaluations).length > 0) out.evaluations = scoresToJson(doc.evaluations);
  if (doc.metadata !== undefined) out._metadata = doc.metadata;
  return out;
}

export function documentArrayToJson(da: DocumentArray): DocumentJson[] {
  return da.map(documentToJson);
}

const INIT_FIELDS: readonly (keyof DocumentInit)[] = [
  'id',
  'text',
  'blob',
  'tensor',
  'embedding',
  ...SCALAR_FIELDS,
  'location',
  'tags',
  'chunks',
  'matches',
  'scores',
  'evaluations',
  'metadata',
];

/** Every key a JSON document may use (Jina's snake_case one, and weft's camelCase one) → the DocumentInit field. */
const KEY_ALIASES: Record<string, keyof DocumentInit> = Object.fromEntries(
  INIT_FIELDS.flatMap((f) =>
    jinaKey(f) === f
      ? [[f, f]]
      : [
          [jinaKey(f), f],
          [f, f],
        ],
  ),
);

/** Jina's JSON key of a Document field. */
function jinaKey(field: string): string {
  return (JINA_FIELD_KEYS as Record<string, string>)[field] ?? field;
}

/**
 * JSON object (or string) → Document. Field errors throw `BadDocumentError` naming the path
 * (e.g. `data[3].chunks[0].tensor`); unparsable JSON text throws `DecodeError`.
 */
export function documentFromJson(json: DocumentJson | string, path = 'document'): Document {
  const value = typeof json === 'string' ? parseJson(json) : json;
  return fromJsonValue(value, path);
}

export function documentArrayFromJson(json: DocumentJson[] | string, path = 'docs'): DocumentArray {
  const value = typeof json === 'string' ? parseJson(json) : json;
  if (!Array.isArray(value)) {
    throw new BadDocumentError(`${path} must be a list of documents`, { details: { field: path } });
  }
  return DocumentArray.wrap(value.map((d, i) => fromJsonValue(d, `${path}[${i}]`)));
}

function fromJsonValue(value: unknown, path: string): Document {
  if (!isPlainObject(value)) {
    throw new BadDocumentError(`${path} must be a JSON object, got ${Array.isArray(value) ? 'a list' : typeof value}`, {
      details: { field: path },
    });
  }
  const init: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    const field = KEY_ALIASES[key];
    if (field === undefined) {
      if (key.startsWith('_')) continue; // private/forward-compatible keys are ignored, like Jina's model
      throw new BadDocumentError(
        `${path}.${key} is not a Document field (known: ${Object.keys(KEY_ALIASES).join(', ')})`,
        {
          details: { field: `${path}.${key}` },
        },
      );
    }
    init[field] = convertField(field, v, `${path}.${key}`);
  }
  try {
    return new Document(init as DocumentInit);
  } catch (err) {
    if (err instanceof BadDocumentError || (err as { code?: string }).code === 'WEFT_BAD_NDARRAY') {
      const e = err as BadDocumentError;
      throw new BadDocumentError(`${path}: ${e.message}`, { cause: err, details: { field: path, ...e.details } });
    }
    throw err;
  }
}

function convertField(field: keyof DocumentInit, v: unknown, path: string): unknown {
  switch (field) {
    case 'blob':
      if (typeof v !== 'string') throw typeError(path, 'a base64 string');
      return decodeBase64(v, path);
    case 'tensor':
    case 'embedding':
      return tensorFromJson(v, path);
    case 'chunks':
    case 'matches':
      if (!Array.isArray(v)) throw typeError(path, 'a list of documents');
      return v.map((d, i) => fromJsonValue(d, `${path}[${i}]`));
    case 'scores':
    case 'evaluations':
      return scoresFromJson(v, path);
    default:
      return v;
  }
}

function tensorFromJson(v: unknown, path: string): NdArray {
  try {
    if (Array.isArray(v)) return new NdArray(v as NestedNumbers[]);
    if (typeof v === 'number') return new NdArray([v], []);
    if (isPlainObject(v) && typeof v.buffer === 'string' && Array.isArray(v.shape)) {
      const dtype = typeof v.dtype === 'string' ? v.dtype : '<f8';
      return NdArray.fromBytes(decodeBase64(v.buffer, `${path}.buffer`), v.shape as number[], dtype);
    }
  } catch (err) {
    const e = err as BadDocumentError;
    throw new BadDocumentError(`${path}: ${e.message}`, { cause: err, details: { field: path } });
  }
  throw typeError(path, 'a (nested) list of numbers or { buffer, shape, dtype }');
}

function scoresFromJson(v: unknown, path: string): Record<string, NamedScore | number> {
  if (!isPlainObject(v)) throw typeError(path, 'an object of named scores');
  const out: Record<string, NamedScore | number> = {};
  for (const [name, s] of Object.entries(v)) {
    if (typeof s === 'number') {
      out[name] = s;
      continue;
    }
    if (!isPlainObject(s)) throw typeError(`${path}.${name}`, 'a number or { value, op_name, description, ref_id }');
    const score: Record<string, unknown> = { value: s.value ?? 0 };
    const opName = s.op_name ?? s.opName;
    const refId = s.ref_id ?? s.refId;
    if (opName !== undefined && opName !== null) score.opName = opName;
    if (s.description !== undefined && s.description !== null) score.description = s.description;
    if (refId !== undefined && refId !== null) score.refId = refId;
    out[name] = score as unknown as NamedScore;
  }
  return out;
}

function scoresToJson(scores: Record<string, NamedScore>): Record<string, ScoreJson> {
  const out: Record<string, ScoreJson> = {};
  for (const [name, s] of Object.entries(scores)) {
    const j: ScoreJson = { value: s.value };
    if (s.opName !== undefined) j.op_name = s.opName;
    if (s.description !== undefined) j.description = s.description;
    if (s.refId !== undefined) j.ref_id = s.refId;
    out[name] = j;
  }
  return out;
}

const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;

function decodeBase64(s: string, path: string): Uint8Array {
  if (!BASE64.test(s)) throw typeError(path, 'a base64 string');
  const buf = Buffer.from(s, s.includes('-') || s.includes('_') ? 'base64url' : 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new DecodeError(`invalid JSON: ${(err as Error).message}`, { cause: err });
  }
}

function typeError(path: string, expected: string): BadDocumentError {
  return new BadDocumentError(`${path} must be ${expected}`, { details: { field: path } });
}
