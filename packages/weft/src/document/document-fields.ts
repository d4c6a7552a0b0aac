/**
 * Document's field names (the scalar ones, and Jina's JSON key of each field named differently) and field
 * validation: each check throws `BadDocumentError` naming the field.
 */
import { BadDocumentError } from '../errors/index.js';
import { isPlainObject } from '../wire/index.js';
import type { NamedScore } from './document.js';

/**
 * The scalar fields of a Document: a string or number each, copied by value (`location`, a number list, is not
 * one). Cloning, reducing, JSON, filters and the vector indexer's `/fill` walk this one list.
 * @example for (const f of SCALAR_FIELDS) if (doc[f] !== undefined) copy[f] = doc[f];
 */
export const SCALAR_FIELDS = [
  'uri',
  'mimeType',
  'modality',
  'parentId',
  'granularity',
  'adjacency',
  'weight',
  'offset',
] as const;
export type ScalarField = (typeof SCALAR_FIELDS)[number];

/** Jina's JSON (snake_case) key of each Document field whose weft name differs. */
export const JINA_FIELD_KEYS = { mimeType: 'mime_type', parentId: 'parent_id', metadata: '_metadata' } as const;

export function checkString(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    throw new BadDocumentError(`Document.${field} must be a string, got ${typeof value}`, { details: { field } });
  }
  return value;
}

export function checkBlob(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new BadDocumentError('Document.blob must be a Uint8Array (or Buffer)', { details: { field: 'blob' } });
  }
  return value;
}

export function checkNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new BadDocumentError(`Document.${field} must be a finite number, got ${String(value)}`, {
      details: { field },
    });
  }
  return value;
}

export function checkUint32(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new BadDocumentError(`Document.${field} must be an integer in [0, 2^32), got ${String(value)}`, {
      details: { field },
    });
  }
  return value;
}

export function checkNumberList(value: unknown, field: string): number[] {
  if (!Array.isArray(value)) {
    throw new BadDocumentError(`Document.${field} must be a list of numbers`, { details: { field } });
  }
  return value.map((v, i) => checkNumber(v, `${field}[${i}]`));
}

/** Normalise `{ name: number | NamedScore }` into `{ name: NamedScore }`, validating each entry. */
export function normalizeScores(
  scores: Record<string, NamedScore | number>,
  field: string,
): Record<string, NamedScore> {
  if (!isPlainObject(scores)) {
    throw new BadDocumentError(`Document.${field} must be an object of named scores`, { details: { field } });
  }
  const out: Record<string, NamedScore> = {};
  for (const [name, s] of Object.entries(scores)) {
    const path = `${field}.${name}`;
    if (typeof s === 'number') {
      out[name] = { value: checkNumber(s, path) };
      continue;
    }
    if (!isPlainObject(s)) {
      throw new BadDocumentError(`Document.${path} must be a number or { value, opName, description, refId }`, {
        details: { field: path },
      });
    }
    const score: NamedScore = { value: s.value === undefined ? 0 : checkNumber(s.value, `${path}.value`) };
    if (s.opName !== undefined) score.opName = checkString(s.opName, `${path}.opName`);
    if (s.description !== undefined) score.description = checkString(s.description, `${path}.description`);
    if (s.refId !== undefined) score.refId = checkString(s.refId, `${path}.refId`);
    out[name] = score;
  }
  return out;
}

export function cloneScores(scores: Record<string, NamedScore>): Record<string, NamedScore> {
  const out: Record<string, NamedScore> = {};
  for (const [k, v] of Object.entries(scores)) out[k] = { ...v };
  return out;
}
