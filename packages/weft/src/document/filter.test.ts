import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WeftError } from '../errors/index.js';
import { Document } from './document.js';
import { DocumentArray } from './document-array.js';
import { compileFilter, type Filter, filterDocs } from './filter.js';

function corpus(): DocumentArray {
  return new DocumentArray([
    {
      id: 'a',
      text: 'Hello world',
      mimeType: 'text/plain',
      modality: 'text',
      weight: 1.5,
      granularity: 1,
      parentId: 'p1',
      uri: 'file://a.txt',
      location: [3, 4],
      tags: { price: 5, color: 'red', list: [1, 2, 3], nested: { b: 1, deep: { c: 'x' } }, flag: true, nil: null },
      scores: { cosine: 0.25 },
    },
    {
      id: 'b',
      text: 'goodbye',
      mimeType: 'text/html',
      modality: 'text',
      weight: 0.5,
      tags: { price: 15, color: 'blue', list: [1, 2], nested: { b: 2 }, flag: false },
    },
    { id: 'c', uri: 'https://x/c.png', modality: 'image', tags: { price: '10', color: 'red', nested: { b: 1 } } },
    { id: 'd', blob: new Uint8Array([1, 2, 3]) },
  ]);
}

/** Ids of the corpus documents that match. */
function ids(filter: Filter): string[] {
  return filterDocs(corpus(), filter).ids;
}

function assertBadFilter(filter: unknown, mentions: RegExp): void {
  assert.throws(
    () => compileFilter(filter as Filter),
    (err: unknown) => {
      assert.ok(err instanceof WeftError, `expected a WeftError, got ${String(err)}`);
      assert.equal(err.code, 'WEFT_BAD_FILTER');
      assert.equal(err.name, 'BadFilterError');
      assert.match(err.message, mentions);
      return true;
    },
  );
}

describe('filter operators', () => {
  it('$eq / implicit $eq on fields and tags', () => {
    assert.deepEqual(ids({ text: { $eq: 'goodbye' } }), ['b']);
    assert.deepEqual(ids({ text: 'goodbye' }), ['b']);
    assert.deepEqual(ids({ tags__color: 'red' }), ['a', 'c']);
    assert.deepEqual(ids({ tags__price: 10 }), []); // '10' is a string on c: no type coercion
    assert.deepEqual(ids({ tags__price: '10' }), ['c']);
    assert.deepEqual(ids({ id: 'zzz' }), []);
    assert.deepEqual(ids({ tags__flag: false }), ['b']);
  });

  it('$eq is deep for arrays and objects', () => {
    assert.deepEqual(ids({ tags__list: [1, 2] }), ['b']);
    assert.deepEqual(ids({ tags__list: { $eq: [1, 2, 3] } }), ['a']);
    assert.deepEqual(ids({ tags__list: [2, 1] }), []);
    assert.deepEqual(ids({ tags__nested: { b: 1 } }), ['c']);
    assert.deepEqual(ids({ tags__nested: { $eq: { deep: { c: 'x' }, b: 1 } } }), ['a']); // key order is irrelevant
    assert.deepEqual(ids({ location: [3, 4] }), ['a']);
    assert.deepEqual(ids({ blob: new Uint8Array([1, 2, 3]) }), ['d']);
    assert.deepEqual(ids({ blob: new Uint8Array([1, 2]) }), []);
  });

  it('$eq null matches null and missing values (Mongo)', () => {
    assert.deepEqual(ids({ tags__nil: null }), ['a', 'b', 'c', 'd']);
    assert.deepEqual(ids({ tags__nil: { $ne: null } }), []);
  });

  it('$ne is true for other values and missing fields', () => {
    assert.deepEqual(ids({ tags__color: { $ne: 'red' } }), ['b', 'd']);
    assert.deepEqual(ids({ text: { $ne: 'goodbye' } }), ['a', 'c', 'd']);
    assert.deepEqual(ids({ tags__list: { $ne: [1, 2] } }), ['a', 'c', 'd']);
  });

  it('$gt $gte $lt $lte compare numbers with numbers and strings with strings only', () => {
    assert.deepEqual(ids({ tags__price: { $gt: 5 } }), ['b']);
    assert.deepEqual(ids({ tags__price: { $gte: 5 } }), ['a', 'b']);
    assert.deepEqual(ids({ tags__price: { $lt: 15 } }), ['a']);
    assert.deepEqual(ids({ tags__price: { $lte: 15 } }), ['a', 'b']);
    assert.deepEqual(ids({ tags__price: { $gt: 100 } }), []);
    assert.deepEqual(ids({ tags__price: { $gte: '1' } }), ['c']);
    assert.deepEqual(ids({ tags__price: { $lt: '2' } }), ['c']);
    assert.deepEqual(ids({ text: { $gt: 'H' } }), ['a', 'b']);
    assert.deepEqual(ids({ text: { $lte: 'Hello world' } }), ['a']);
    assert.deepEqual(ids({ weight: { $gt: 1, $lt: 2 } }), ['a']); // several operators: AND
    assert.deepEqual(ids({ granularity: { $gte: 0 } }), ['a']);
  });

  it('missing fields never satisfy $gt, $gte, $lt, $lte', () => {
    assert.deepEqual(ids({ weight: { $lt: 100 } }), ['a', 'b']);
    assert.deepEqual(ids({ tags__nope: { $gte: -Infinity } }), []);
    assert.deepEqual(ids({ tags__nope: { $lte: 'zzz' } }), []);
  });

  it('$in and $nin (deep, and $nin true for missing)', () => {
    assert.deepEqual(ids({ tags__color: { $in: ['blue', 'green'] } }), ['b']);
    assert.deepEqual(ids({ tags__price: { $in: [5, '10'] } }), ['a', 'c']);
    assert.deepEqual(ids({ tags__list: { $in: [[1, 2], 'x'] } }), ['b']);
    assert.deepEqual(ids({ tags__color: { $in: [] } }), []);
    assert.deepEqual(ids({ tags__color: { $nin: ['red'] } }), ['b', 'd']);
    assert.deepEqual(ids({ tags__list: { $nin: [[1, 2]] } }), ['a', 'c', 'd']);
    assert.deepEqual(ids({ tags__color: { $nin: [] } }), ['a', 'b', 'c', 'd']);
    assert.deepEqual(ids({ tags__nil: { $in: [null] } }), ['a', 'b', 'c', 'd']);
  });

  it('$regex searches anywhere in strings (like re.search)', () => {
    assert.deepEqual(ids({ text: { $regex: 'world' } }), ['a']);
    assert.deepEqual(ids({ text: { $regex: '^good' } }), ['b']);
    assert.deepEqual(ids({ text: { $regex: 'o' } }), ['a', 'b']);
    assert.deepEqual(ids({ text: { $regex: '^hello' } }), []);
    assert.deepEqual(ids({ text: { $regex: '(?i)^hello' } }), ['a']); // Python inline flag
    assert.deepEqual(ids({ text: { $regex: /^HELLO/i } }), ['a']);
    assert.deepEqual(ids({ text: /bye$/ }), ['b']);
    assert.deepEqual(ids({ tags__price: { $regex: '1' } }), ['c']); // numbers are not searched
    assert.deepEqual(ids({ mime_type: { $regex: '^text/' } }), ['a', 'b']);
  });

  it('a global RegExp gives the same answer every time', () => {
    const keep = compileFilter({ text: { $regex: /o/g } });
    const doc = new Document({ text: 'hello' });
    assert.deepEqual([keep(doc), keep(doc), keep(doc)], [true, true, true]);
  });

  it('$exists', () => {
    assert.deepEqual(ids({ text: { $exists: true } }), ['a', 'b']);
    assert.deepEqual(ids({ text: { $exists: false } }), ['c', 'd']);
    assert.deepEqual(ids({ tags__nil: { $exists: true } }), ['a']); // present with value null
    assert.deepEqual(ids({ tags__nested__deep__c: { $exists: true } }), ['a']);
    assert.deepEqual(ids({ tags: { $exists: false } }), ['d']);
    assert.deepEqual(ids({ scores__cosine: { $exists: true } }), ['a']);
  });

  it('$size', () => {
    assert.deepEqual(ids({ tags__list: { $size: 2 } }), ['b']);
    assert.deepEqual(ids({ tags__list: { $size: 3 } }), ['a']);
    assert.deepEqual(ids({ tags__color: { $size: 3 } }), []); // not an array
    assert.deepEqual(ids({ location: { $size: 2 } }), ['a']);
  });

  it('field-level $not', () => {
    assert.deepEqual(ids({ tags__price: { $not: { $gt: 5 } } }), ['a', 'c', 'd']);
    assert.deepEqual(ids({ text: { $not: /o/ } }), ['c', 'd']);
  });
});

describe('filter paths', () => {
  it('reads nested tags, array indices, scores and snake_case aliases', () => {
    assert.deepEqual(ids({ tags__nested__b: 1 }), ['a', 'c']);
    assert.deepEqual(ids({ tags__nested__deep__c: 'x' }), ['a']);
    assert.deepEqual(ids({ tags__nested__b__c: 1 }), []); // walking through a number is missing
    assert.deepEqual(ids({ tags__list__0: 1 }), ['a', 'b']);
    assert.deepEqual(ids({ tags__list__2: 3 }), ['a']);
    assert.deepEqual(ids({ location__1: 4 }), ['a']);
    assert.deepEqual(ids({ scores__cosine__value: { $lt: 0.5 } }), ['a']);
    assert.deepEqual(ids({ parent_id: 'p1' }), ids({ parentId: 'p1' }));
    assert.deepEqual(ids({ parent_id: 'p1' }), ['a']);
    assert.deepEqual(ids({ mime_type: 'text/html' }), ['b']);
    assert.deepEqual(ids({ mimeType: 'text/html' }), ['b']);
    assert.deepEqual(ids({ modality: 'image', uri: { $regex: 'png$' } }), ['c']);
    assert.deepEqual(ids({ content_type: 'blob' }), ['d']);
  });

  it('does not read inherited properties of tags', () => {
    assert.deepEqual(ids({ tags__constructor: { $exists: true } }), []);
    assert.deepEqual(ids({ tags__list__length: 2 }), []);
  });
});

describe('filter combinators', () => {
  it('several keys in one object mean AND; {} matches everything', () => {
    assert.deepEqual(ids({ tags__color: 'red', modality: 'text' }), ['a']);
    assert.deepEqual(ids({}), ['a', 'b', 'c', 'd']);
  });

  it('$and, $or, $nor, $not at the top level', () => {
    assert.deepEqual(ids({ $and: [{ tags__color: 'red' }, { tags__nested__b: 1 }] }), ['a', 'c']);
    assert.deepEqual(ids({ $and: [{ tags__color: 'red' }, { modality: 'image' }] }), ['c']);
    assert.deepEqual(ids({ $or: [{ tags__price: { $gt: 10 } }, { modality: 'image' }] }), ['b', 'c']);
    assert.deepEqual(ids({ $or: [{ id: 'x' }, { id: 'y' }] }), []);
    assert.deepEqual(ids({ $nor: [{ tags__color: 'red' }, { id: 'd' }] }), ['b']);
    assert.deepEqual(ids({ $not: { tags__color: 'red' } }), ['b', 'd']);
  });

  it('nests combinators and mixes them with fields', () => {
    const filter = {
      modality: 'text',
      $or: [
        { $and: [{ tags__price: { $lt: 10 } }, { text: { $regex: 'world' } }] },
        { $not: { tags__flag: { $ne: false } } },
      ],
    };
    assert.deepEqual(ids(filter), ['a', 'b']);
    assert.deepEqual(ids({ $and: [{ $or: [{ id: 'a' }, { id: 'b' }] }, { $not: { id: 'a' } }] }), ['b']);
    assert.deepEqual(ids({ $not: { $or: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] } }), ['d']);
  });

  it('compileFilter gives a reusable predicate (for `when` conditions)', () => {
    const when = compileFilter({ tags__key: { $eq: 5 } });
    assert.equal(when(new Document({ tags: { key: 5 } })), true);
    assert.equal(when(new Document({ tags: { key: 6 } })), false);
    assert.equal(when(new Document()), false);
  });

  it('filterDocs returns the same Document objects in order', () => {
    const da = corpus();
    const out = filterDocs(da, { tags__color: 'red' });
    assert.ok(out instanceof DocumentArray);
    assert.equal(out.at(0), da.at(0));
    assert.equal(out.at(1), da.at(2));
  });

  it('DocumentArray.find(plain object) filters', () => {
    const da = corpus();
    assert.deepEqual(da.find({ tags__price: { $lt: 10 } }).ids, ['a']);
    assert.deepEqual(da.find({ $or: [{ id: 'b' }, { id: 'd' }] }).ids, ['b', 'd']);
  });
});

describe('bad filters throw BadFilterError', () => {
  it('rejects non-object filters', () => {
    assertBadFilter(null, /filter must be an object/);
    assertBadFilter('text', /filter must be an object.*string/);
    assertBadFilter([{ id: 'a' }], /filter must be an object.*array/);
    assertBadFilter(42, /filter must be an object/);
  });

  it('rejects unknown operators at the top level and on fields', () => {
    assertBadFilter({ $foo: [] }, /unknown operator '\$foo'/);
    assertBadFilter({ tags__x: { $foo: 1 } }, /unknown operator '\$foo' on 'tags__x'/);
    assertBadFilter({ tags__x: { $and: [] } }, /unknown operator '\$and' on 'tags__x'/);
    assertBadFilter({ $eq: 1 }, /\$eq applies to a field/);
    assertBadFilter({ tags__x: { $gt: 1, plain: 2 } }, /mixes operators/);
  });

  it('rejects combinators with the wrong operand', () => {
    assertBadFilter({ $and: { id: 'a' } }, /\$and expects a non-empty array of filters, got an object/);
    assertBadFilter({ $or: [] }, /\$or expects a non-empty array/);
    assertBadFilter({ $nor: 'x' }, /\$nor expects a non-empty array/);
    assertBadFilter({ $and: [{ id: 'a' }, 5] }, /\$and\[1\] must be an object/);
    assertBadFilter({ $not: [{ id: 'a' }] }, /\$not must be an object/);
    assertBadFilter({ $or: [{ $and: 1 }] }, /\$and expects/); // nested errors surface too
  });

  it('rejects operators with the wrong operand', () => {
    assertBadFilter({ tags__x: { $in: 'abc' } }, /\$in on 'tags__x' expects an array/);
    assertBadFilter({ tags__x: { $nin: 5 } }, /\$nin on 'tags__x' expects an array/);
    assertBadFilter({ tags__x: { $gt: true } }, /\$gt on 'tags__x' expects a number or a string/);
    assertBadFilter({ tags__x: { $lte: null } }, /\$lte .* expects a number or a string/);
    assertBadFilter({ tags__x: { $lt: [1] } }, /\$lt .* expects a number or a string/);
    assertBadFilter({ tags__x: { $gte: Number.NaN } }, /\$gte .* expects a number or a string/);
    assertBadFilter({ tags__x: { $exists: 1 } }, /\$exists on 'tags__x' expects true or false/);
    assertBadFilter({ tags__x: { $size: -1 } }, /\$size .* non-negative integer/);
    assertBadFilter({ tags__x: { $size: 1.5 } }, /\$size .* non-negative integer/);
    assertBadFilter({ tags__x: { $not: 5 } }, /\$not on 'tags__x' expects an operator object/);
  });

  it('rejects bad $regex patterns', () => {
    assertBadFilter({ text: { $regex: '(unclosed' } }, /\$regex on 'text' is not a valid regular expression/);
    assertBadFilter({ text: { $regex: '[a-' } }, /not a valid regular expression/);
    assertBadFilter({ text: { $regex: 5 } }, /\$regex on 'text' expects a pattern string, got number 5/);
  });

  it('rejects unknown, unfilterable and malformed paths', () => {
    assertBadFilter({ nope: 1 }, /'nope' is not a Document field/);
    assertBadFilter({ embedding: { $exists: true } }, /'embedding' cannot be filtered/);
    assertBadFilter({ tensor: 1 }, /'tensor' cannot be filtered/);
    assertBadFilter({ tags__: 1 }, /not a valid field path/);
    assertBadFilter({ tags____a: 1 }, /not a valid field path/);
    assertBadFilter({ constructor: 1 }, /'constructor' is not a Document field/);
  });

  it('carries the operator and key in details', () => {
    try {
      compileFilter({ tags__x: { $in: 3 } });
      assert.fail('should throw');
    } catch (err) {
      assert.ok(err instanceof WeftError);
      assert.deepEqual(err.details, { key: 'tags__x', operator: '$in' });
      assert.equal(err.httpStatus, 400);
    }
  });
});
