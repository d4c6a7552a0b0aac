/**
 * Mongo-style document filters, the docarray v1 / Jina query language: `DocumentArray.find(filter)` and the
 * gateway's `when` conditions. Keys are attribute paths joined by `__` (`tags__price`, `tags__a__b`,
 * `mime_type`); values are literals (implicit `$eq`) or operator objects (`{ $gte: 3, $lt: 9 }`); `$and`, `$or`,
 * `$nor` and `$not` combine filters. A filter is compiled once into a plain predicate.
 */
import { BadFilterError } from '../errors/index.js';
import { isPlainObject } from '../wire/index.js';
import type { Document } from './document.js';
import { DocumentArray } from './document-array.js';
import { compilePath, deepEqual } from './filter-fields.js';

/** A Mongo-style filter, e.g. `{ tags__price: { $lt: 10 }, text: { $regex: '^a' } }`. */
export type Filter = Record<string, unknown>;

type Predicate = (doc: Document) => boolean;
/** Tests the value found at a path (`undefined` when the path is missing). */
type Test = (value: unknown) => boolean;

const COMBINATORS = ['$and', '$or', '$nor', '$not'];
const FIELD_OPERATORS = [
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$regex',
  '$exists',
  '$size',
  '$not',
];

/**
 * Compile a filter into a predicate; throws `BadFilterError` (WEFT_BAD_FILTER) for a malformed filter.
 * @example compileFilter({ tags__price: { $lt: 10 } })(doc) // true when doc.tags.price < 10
 */
export function compileFilter(filter: Filter): (doc: Document) => boolean {
  return compileObject(filter, 'filter');
}

/**
 * The documents of `da` that match `filter`, as a new DocumentArray (same Document objects).
 * @example filterDocs(da, { $or: [{ modality: 'image' }, { tags__kind: { $in: ['a', 'b'] } }] })
 */
export function filterDocs(da: DocumentArray, filter: Filter): DocumentArray {
  const keep = compileFilter(filter);
  const out: Document[] = [];
  for (const doc of da) if (keep(doc)) out.push(doc);
  return DocumentArray.wrap(out);
}

function compileObject(filter: unknown, where: string): Predicate {
  if (!isPlainObject(filter)) {
    throw bad(
      `${where} must be an object of conditions such as { tags__price: { $lt: 10 } }, got ${describe(filter)}`,
      where,
    );
  }
  const parts: Predicate[] = [];
  for (const [key, condition] of Object.entries(filter)) {
    parts.push(key.startsWith('$') ? compileCombinator(key, condition, where) : compileField(key, condition));
  }
  return allOf(parts);
}

function compileCombinator(op: string, operand: unknown, where: string): Predicate {
  if (op === '$not') {
    const inner = compileObject(operand, `${where}.$not`);
    return (doc) => !inner(doc);
  }
  if (op === '$and' || op === '$or' || op === '$nor') {
    if (!Array.isArray(operand) || operand.length === 0) {
      throw bad(`${op} expects a non-empty array of filters, got ${describe(operand)}`, where, op);
    }
    const parts = operand.map((f, i) => compileObject(f, `${op}[${i}]`));
    if (op === '$and') return allOf(parts);
    const any = anyOf(parts);
    return op === '$or' ? any : (doc) => !any(doc);
  }
  if (FIELD_OPERATORS.includes(op)) {
    throw bad(`${op} applies to a field, e.g. { tags__price: { ${op}: ... } }, not to a whole document`, where, op);
  }
  throw bad(
    `unknown operator '${op}' in ${where}; use ${COMBINATORS.join(', ')} or a field path such as tags__price`,
    where,
    op,
  );
}

function compileField(key: string, condition: unknown): Predicate {
  const get = compilePath(key);
  const test = compileCondition(condition, key);
  return (doc) => test(get(doc));
}

/** A literal (implicit `$eq`), a RegExp, or an object of operators. */
function compileCondition(condition: unknown, key: string): Test {
  if (condition instanceof RegExp) return regexTest(condition);
  if (isPlainObject(condition)) {
    const keys = Object.keys(condition);
    const ops = keys.filter((k) => k.startsWith('$'));
    if (ops.length > 0 && ops.length < keys.length) {
      throw bad(
        `the condition on '${key}' mixes operators (${ops.join(', ')}) with plain keys; use one or the other`,
        key,
      );
    }
    if (ops.length > 0) return allOfTests(ops.map((op) => compileOperator(op, condition[op], key)));
  }
  return equalTo(condition);
}

function compileOperator(op: string, operand: unknown, key: string): Test {
  switch (op) {
    case '$eq':
      return equalTo(operand);
    case '$ne': {
      const eq = equalTo(operand);
      return (v) => !eq(v);
    }
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return compare(op, operand, key);
    case '$in':
    case '$nin': {
      if (!Array.isArray(operand)) {
        throw bad(`${op} on '${key}' expects an array of values, got ${describe(operand)}`, key, op);
      }
      const inSet = oneOf(operand);
      return op === '$in' ? inSet : (v) => !inSet(v);
    }
    case '$exists': {
      if (typeof operand !== 'boolean') {
        throw bad(`$exists on '${key}' expects true or false, got ${describe(operand)}`, key, op);
      }
      return operand ? (v) => v !== undefined : (v) => v === undefined;
    }
    case '$regex':
      return regexTest(toRegExp(operand, key));
    case '$size': {
      if (typeof operand !== 'number' || !Number.isInteger(operand) || operand < 0) {
        throw bad(`$size on '${key}' expects a non-negative integer, got ${describe(operand)}`, key, op);
      }
      return (v) => Array.isArray(v) && v.length === operand;
    }
    case '$not': {
      if (
        !(operand instanceof RegExp) &&
        !(isPlainObject(operand) && Object.keys(operand).some((k) => k.startsWith('$')))
      ) {
        throw bad(
          `$not on '${key}' expects an operator object such as { $gt: 5 } (or a RegExp), got ${describe(operand)}`,
          key,
          op,
        );
      }
      const inner = compileCondition(operand, key);
      return (v) => !inner(v);
    }
    default:
      throw bad(`unknown operator '${op}' on '${key}'; use one of ${FIELD_OPERATORS.join(', ')}`, key, op);
  }
}

function compare(op: string, operand: unknown, key: string): Test {
  if (!(typeof operand === 'string' || (typeof operand === 'number' && !Number.isNaN(operand)))) {
    throw bad(`${op} on '${key}' expects a number or a string, got ${describe(operand)}`, key, op);
  }
  const type = typeof operand;
  // values of another type (or missing) never compare
  switch (op) {
    case '$gt':
      return (v) => typeof v === type && (v as number) > (operand as number);
    case '$gte':
      return (v) => typeof v === type && (v as number) >= (operand as number);
    case '$lt':
      return (v) => typeof v === type && (v as number) < (operand as number);
    default:
      return (v) => typeof v === type && (v as number) <= (operand as number);
  }
}

/** Equality test; deep for arrays and objects. Like Mongo, `null` also matches a missing field. */
function equalTo(expected: unknown): Test {
  if (expected === null) return (v) => v === null || v === undefined;
  if (typeof expected !== 'object') return (v) => v === expected;
  return (v) => deepEqual(v, expected);
}

function oneOf(values: readonly unknown[]): Test {
  if (values.every((v) => v === null || typeof v !== 'object')) {
    const set = new Set<unknown>(values);
    const orMissing = set.has(null);
    return (v) => set.has(v) || (orMissing && v === undefined);
  }
  const tests = values.map(equalTo);
  return (v) => tests.some((t) => t(v));
}

function regexTest(re: RegExp): Test {
  // a global or sticky RegExp keeps state between calls: test with a stateless copy
  const stateless = re.global || re.sticky ? new RegExp(re.source, re.flags.replace(/[gy]/g, '')) : re;
  return (v) => typeof v === 'string' && stateless.test(v);
}

/** A RegExp from a `$regex` operand; a leading Python-style `(?i)`, `(?m)`, `(?s)` becomes a flag. */
function toRegExp(operand: unknown, key: string): RegExp {
  if (operand instanceof RegExp) return operand;
  if (typeof operand !== 'string') {
    throw bad(`$regex on '${key}' expects a pattern string, got ${describe(operand)}`, key, '$regex');
  }
  let pattern = operand;
  let flags = '';
  const inline = /^\(\?([a-zA-Z]+)\)/.exec(pattern);
  if (inline && /^[ims]+$/.test(inline[1] as string)) {
    flags = [...new Set(inline[1])].join('');
    pattern = pattern.slice(inline[0].length);
  }
  try {
    return new RegExp(pattern, flags);
  } catch (err) {
    throw new BadFilterError(
      `$regex on '${key}' is not a valid regular expression: ${(err as Error).message}; give a pattern such as '^hello'`,
      { cause: err, details: { key, operator: '$regex', pattern: operand } },
    );
  }
}

function allOf(parts: readonly Predicate[]): Predicate {
  if (parts.length === 1) return parts[0] as Predicate;
  if (parts.length === 2) {
    const [p, q] = parts as [Predicate, Predicate];
    return (doc) => p(doc) && q(doc);
  }
  return (doc) => {
    for (const p of parts) if (!p(doc)) return false;
    return true;
  };
}

function anyOf(parts: readonly Predicate[]): Predicate {
  return (doc) => {
    for (const p of parts) if (p(doc)) return true;
    return false;
  };
}

function allOfTests(tests: readonly Test[]): Test {
  if (tests.length === 1) return tests[0] as Test;
  return (v) => {
    for (const t of tests) if (!t(v)) return false;
    return true;
  };
}

function bad(message: string, key: string, operator?: string): BadFilterError {
  return new BadFilterError(message, { details: operator ? { key, operator } : { key } });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (isPlainObject(value)) return 'an object';
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'Object'}`;
  if (typeof value === 'string') return `the string '${value}'`;
  return `${typeof value} ${String(value)}`;
}
