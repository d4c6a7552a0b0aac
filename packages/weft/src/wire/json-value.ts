/**
 * JSON value types (the shape of protobuf `Struct`, hence of `tags` and `parameters`) and their validation. They live
 * in the wire layer because `struct.ts` encodes them; the document layer re-exports them.
 */
import { BadDocumentError } from '../errors/index.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * Throws `BadDocumentError` (WEFT_BAD_DOCUMENT) naming the offending path when `value` is not plain JSON:
 * functions, symbols, bigints, `undefined`, non-finite numbers, class instances (Date, Map, typed arrays…).
 */
export function assertJsonObject(value: unknown, path: string): asserts value is JsonObject {
  if (!isPlainObject(value)) {
    throw new BadDocumentError(`${path} must be a plain JSON object, got ${describe(value)}`, {
      details: { field: path },
    });
  }
  for (const key of Object.keys(value)) assertJsonValue(value[key], `${path}.${key}`);
}

export function assertJsonValue(value: unknown, path: string): asserts value is JsonValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) {
        throw new BadDocumentError(`${path} is ${value}, which JSON cannot represent; use a finite number or null`, {
          details: { field: path },
        });
      }
      return;
    case 'object':
      if (value === null) return;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) assertJsonValue(value[i], `${path}[${i}]`);
        return;
      }
      if (isPlainObject(value)) {
        for (const key of Object.keys(value)) assertJsonValue(value[key], `${path}.${key}`);
        return;
      }
      break;
    default:
      break;
  }
  throw new BadDocumentError(
    `${path} is ${describe(value)}, which is not a JSON value (use strings, finite numbers, booleans, null, arrays or plain objects)`,
    { details: { field: path } },
  );
}

/**
 * Whether `value` is a plain object (`{}` or `Object.create(null)`), not an array, class instance or null.
 * @example isPlainObject({ a: 1 }) // true; isPlainObject(new Date()) // false
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an instance of ${(value as object).constructor?.name ?? 'Object'}`;
  if (typeof value === 'function') return 'a function';
  return `a ${typeof value} (${String(value)})`;
}

/** Deep copy of a JSON value. */
export function cloneJson<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}
