/**
 * How filters read documents: `__`-separated attribute paths (`tags__a__b`, `mime_type`, `location__0`) turned
 * into getters, and the structural equality that `$eq`, `$in` and literal conditions use.
 */
import { BadFilterError } from '../errors/index.js';
import { isPlainObject } from '../wire/index.js';
import type { Document } from './document.js';
import { JINA_FIELD_KEYS, SCALAR_FIELDS } from './document-fields.js';

/** Reads the value at a path; `undefined` when any step is missing. */
export type Getter = (doc: Document) => unknown;

const FIELDS: Record<string, Getter> = {
  id: (d) => d.id,
  text: (d) => d.text,
  blob: (d) => d.blob,
  ...Object.fromEntries(SCALAR_FIELDS.map((f): [string, Getter] => [f, (d) => d[f]])),
  location: (d) => d.location,
  tags: (d) => (d.hasTags ? d.tags : undefined),
  metadata: (d) => d.metadata,
  scores: (d) => nonEmpty(d.scores),
  evaluations: (d) => nonEmpty(d.evaluations),
  contentType: (d) => d.contentType,
};
/** Jina's snake_case names of the fields (`mime_type`, `parent_id`, `_metadata`, `content_type`). */
const ALIASES: Record<string, string> = {
  ...Object.fromEntries(Object.entries(JINA_FIELD_KEYS).map(([field, key]) => [key, field])),
  content_type: 'contentType',
};
const NOT_FILTERABLE = new Set(['embedding', 'tensor', 'chunks', 'matches', 'content']);

/**
 * A getter for a `__`-separated attribute path: a document field, then object keys or array indices.
 * Throws `BadFilterError` for an unknown or unfilterable field.
 * @example compilePath('tags__a__b')(doc) // doc.tags.a.b, or undefined
 */
export function compilePath(key: string): Getter {
  const segments = key.split('__');
  if (segments.some((s) => s === '')) {
    throw new BadFilterError(`'${key}' is not a valid field path; join attribute names with '__', e.g. tags__price`, {
      details: { key },
    });
  }
  const head = segments[0] as string;
  const field = ALIASES[head] ?? head;
  if (NOT_FILTERABLE.has(field)) {
    throw new BadFilterError(
      `'${head}' cannot be filtered (it holds arrays or documents); filter on tags or scalar fields instead`,
      { details: { key } },
    );
  }
  const get = Object.hasOwn(FIELDS, field) ? FIELDS[field] : undefined;
  if (!get) {
    throw new BadFilterError(
      `'${head}' is not a Document field; use one of ${Object.keys(FIELDS).join(', ')} (and tags__<key> paths)`,
      { details: { key } },
    );
  }
  const rest = segments.slice(1);
  if (rest.length === 0) return get;
  const indices = rest.map((s) => (/^\d+$/.test(s) ? Number(s) : -1));
  return (doc) => {
    let v: unknown = get(doc);
    for (let i = 0; i < rest.length && v !== undefined; i++) v = step(v, rest[i] as string, indices[i] as number);
    return v;
  };
}

function step(value: unknown, segment: string, index: number): unknown {
  if (Array.isArray(value)) return index >= 0 ? value[index] : undefined;
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return undefined;
  return Object.hasOwn(value, segment) ? (value as Record<string, unknown>)[segment] : undefined;
}

/**
 * Structural equality of JSON-like values (arrays in order, objects by key set, typed arrays by element).
 * @example deepEqual({ a: [1, 2] }, { a: [1, 2] }) // true
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor) return false;
    const x = a as unknown as ArrayLike<unknown>;
    const y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) if (!Object.hasOwn(b, k) || !deepEqual(a[k], b[k])) return false;
  return true;
}

function nonEmpty<T extends object>(value: T): T | undefined {
  return Object.keys(value).length > 0 ? value : undefined;
}
