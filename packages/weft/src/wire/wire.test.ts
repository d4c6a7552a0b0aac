import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeStruct,
  encodeMessage,
  encodeStruct,
  int64Size,
  ProtoReader,
  ProtoWriter,
  stringFieldSize,
  utf8Length,
  varintSize,
} from './index.js';

function errorOf(fn: () => unknown): { code?: string; message: string; details?: Record<string, unknown> } {
  try {
    fn();
  } catch (err) {
    return err as { code?: string; message: string };
  }
  assert.fail('expected an error');
}

/** Write with a hand-computed size, check the writer filled it exactly. */
function written(size: number, fn: (w: ProtoWriter) => void): Uint8Array {
  const w = new ProtoWriter(size);
  fn(w);
  return w.finish();
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const reader = (h: string): ProtoReader => new ProtoReader(new Uint8Array(Buffer.from(h, 'hex')));

describe('ProtoWriter / ProtoReader scalars', () => {
  it('writes varints in the standard encoding and reads them back', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [1, '01'],
      [127, '7f'],
      [128, '8001'],
      [300, 'ac02'],
      [16383, 'ff7f'],
      [16384, '808001'],
      [2 ** 31, '8080808008'],
      [2 ** 32 - 1, 'ffffffff0f'],
    ];
    for (const [v, expected] of cases) {
      const bytes = written(varintSize(v), (w) => w.uint32(v));
      assert.equal(hex(bytes), expected, `varint ${v}`);
      const r = new ProtoReader(bytes);
      assert.equal(r.uint32(), v);
      assert.equal(r.pos, bytes.length);
    }
  });

  it('writes large and negative int64 values and reads them back', () => {
    for (const v of [2 ** 40 + 5, 2 ** 53 - 1, 0, 1]) {
      const bytes = written(int64Size(v), (w) => w.int64(v));
      assert.equal(new ProtoReader(bytes).int64(), v);
    }
    const minusOne = written(int64Size(-1), (w) => w.int64(-1));
    assert.equal(hex(minusOne), 'ffffffffffffffffff01');
    assert.equal(new ProtoReader(minusOne).int64(), -1);
    assert.equal(new ProtoReader(minusOne).int32(), -1);
    const big = written(10, (w) => w.int64(-(2 ** 40)));
    assert.equal(new ProtoReader(big).int64(), -(2 ** 40));
    // uint32 keeps the low 32 bits of a longer varint, as protobuf does
    assert.equal(new ProtoReader(written(varintSize(2 ** 33 + 7), (w) => w.uint32(2 ** 33 + 7))).uint32(), 7);
  });

  it('writes floats and doubles little-endian', () => {
    const bytes = written(12, (w) => {
      w.float(1.5);
      w.double(-0.1);
    });
    assert.equal(hex(bytes.subarray(0, 4)), '0000c03f');
    const r = new ProtoReader(bytes);
    assert.equal(r.float(), 1.5);
    assert.equal(r.double(), -0.1);
  });

  it('round-trips strings of every UTF-8 width, around the one-byte length boundary', () => {
    const strings = [
      '',
      'a',
      'héllo',
      '日本語',
      '🎉 party',
      'x'.repeat(42),
      'é'.repeat(42),
      '🎉'.repeat(21),
      'y'.repeat(43),
      'ü'.repeat(300),
    ];
    for (const s of strings) {
      const bytes = written(stringFieldSize(1, s), (w) => w.stringField(1, s));
      assert.equal(bytes.length, 1 + varintSize(utf8Length(s)) + Buffer.byteLength(s));
      const r = new ProtoReader(bytes);
      assert.equal(r.tag(), 0x0a);
      assert.equal(r.string(), s);
    }
  });

  it('returns bytes fields as views of the input, copied once on write', () => {
    const payload = new Uint8Array([1, 2, 3, 4, 5]);
    const bytes = written(7, (w) => w.bytesField(1, payload));
    assert.equal(hex(bytes), '0a050102030405');
    const r = new ProtoReader(bytes);
    r.tag();
    const view = r.bytes();
    assert.deepEqual([...view], [1, 2, 3, 4, 5]);
    assert.equal(view.buffer, bytes.buffer);
    assert.equal(view.byteOffset, bytes.byteOffset + 2);
  });

  it('refuses to finish when the sizing and write passes disagree', () => {
    const w = new ProtoWriter(3);
    w.uint32(1);
    assert.throws(() => w.finish(), /wrote 1 of 3 bytes/);
    const sized = (_: number, sizes: number[]): number => {
      sizes.push(1);
      return 0;
    };
    assert.throws(() => encodeMessage(0, sized, () => {}), /nested sizes/);
  });
});

describe('ProtoReader on malformed input', () => {
  const cases: [string, string, (r: ProtoReader) => unknown, RegExp][] = [
    ['truncated varint', '8080', (r) => r.uint32(), /truncated varint at byte 0/],
    ['varint over 10 bytes', 'ffffffffffffffffffff01', (r) => r.uint32(), /longer than 10 bytes/],
    ['int64 over 10 bytes', 'ffffffffffffffffffff01', (r) => r.int64(), /longer than 10 bytes/],
    [
      'length past the end',
      '0a05010203',
      (r) => {
        r.tag();
        return r.bytes();
      },
      /length 5 runs past the end .* at byte 1/,
    ],
    [
      'string past the end',
      '0a7f41',
      (r) => {
        r.tag();
        return r.string();
      },
      /runs past the end/,
    ],
    ['truncated fixed32', '0000', (r) => r.float(), /truncated 4-byte value at byte 0/],
    ['truncated fixed64', '00000000', (r) => r.double(), /truncated 8-byte value/],
    ['field number 0', '0001', (r) => r.tag(), /invalid field number 0/],
    ['wire type 6', '0e', (r) => r.skipTag(r.tag()), /invalid wire type 6/],
    ['wire type 7', '0f00', (r) => r.skipTag(r.tag()), /invalid wire type 7/],
    ['stray end-group', '0c', (r) => r.skipTag(r.tag()), /unexpected end-group/],
    ['unterminated group', '0b0801', (r) => r.skipTag(r.tag()), /unterminated group/],
    ['group closed by another field', '0b080114', (r) => r.skipTag(r.tag()), /ended by field 2/],
    ['varint skip truncated', '0880', (r) => r.skipTag(r.tag()), /truncated varint/],
  ];
  for (const [name, input, read, message] of cases) {
    it(`${name} throws WEFT_DECODE`, () => {
      const err = errorOf(() => read(reader(input)));
      assert.equal(err.code, 'WEFT_DECODE');
      assert.match(err.message, message);
      assert.equal(typeof err.details?.offset, 'number');
    });
  }

  it('rejects input that is not a Uint8Array', () => {
    assert.equal(errorOf(() => new ProtoReader('abc' as unknown as Uint8Array)).code, 'WEFT_DECODE');
  });

  it('skips every wire type, nested groups included', () => {
    // varint, fixed64, length-delimited, group(field 3){ varint, group(field 4){} }, fixed32, then field 9 varint
    const r = reader('08ac02' + '110102030405060708' + '1a03616263' + '1b08012324' + '1c' + '2d01020304' + '4807');
    const seen: number[] = [];
    while (r.pos < r.len) {
      const tag = r.tag();
      if (tag >>> 3 === 9) seen.push(r.uint32());
      else r.skipTag(tag);
    }
    assert.deepEqual(seen, [7]);
  });

  it('limits nesting depth', () => {
    const r = reader('00');
    for (let i = 0; i < 100; i++) r.enter();
    assert.equal(errorOf(() => r.enter()).code, 'WEFT_DECODE');
  });
});

describe('google.protobuf.Struct', () => {
  it('encodes the documented bytes for a tiny struct', () => {
    // fields entry { key: "a", value { null_value: 0 } }
    assert.equal(hex(encodeStruct({ a: null })), '0a070a0161120208' + '00');
    // fields entry { key: "n", value { number_value: 1 } }
    assert.equal(hex(encodeStruct({ n: 1 })), '0a0e0a016e1209' + '11000000000000f03f');
  });

  it('round-trips nested JSON, keeping key order and own __proto__ keys', () => {
    const value = {
      str: 'héllo 🎉',
      num: -12.5,
      int: 42,
      zero: 0,
      yes: true,
      no: false,
      nothing: null,
      list: [1, 'two', null, false, [3, [4]], { deep: { deeper: ['x'] } }],
      empty: {},
      emptyList: [],
      '': 'empty key',
      z: 1,
      a: 2,
    };
    const decoded = decodeStruct(encodeStruct(value));
    assert.deepEqual(decoded, value);
    assert.deepEqual(Object.keys(decoded), Object.keys(value));
    const proto = JSON.parse('{"__proto__": {"polluted": true}}');
    const back = decodeStruct(encodeStruct(proto));
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.deepEqual(Object.keys(back), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('names the path of a value JSON cannot hold', () => {
    const bad: [unknown, string][] = [
      [{ f: () => 1 }, 'tags.f'],
      [{ a: { b: [1, 2, 10n] } }, 'tags.a.b[2]'],
      [{ u: undefined }, 'tags.u'],
      [{ n: Number.NaN }, 'tags.n'],
      [{ i: [Number.POSITIVE_INFINITY] }, 'tags.i[0]'],
      [{ d: new Date(0) }, 'tags.d'],
      [{ m: new Map() }, 'tags.m'],
      [{ s: Symbol('s') }, 'tags.s'],
    ];
    for (const [value, path] of bad) {
      const err = errorOf(() => encodeStruct(value as never, 'tags'));
      assert.equal(err.code, 'WEFT_BAD_DOCUMENT', path);
      assert.equal(err.details?.field, path);
      assert.ok(err.message.startsWith(path), err.message);
    }
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const err = errorOf(() => encodeStruct(cyclic as never, 'tags'));
    assert.equal(err.code, 'WEFT_BAD_DOCUMENT');
    assert.match(err.message, /nested deeper/);
  });

  it('reads a Value without a kind as null and skips unknown fields', () => {
    // entry { key "k", value {} , unknown field 7 }, unknown struct field 5 (varint)
    assert.deepEqual(decodeStruct(Buffer.from('0a070a016b12003801' + '2801', 'hex')), { k: null });
    // value with unknown field 9 before number_value
    assert.deepEqual(decodeStruct(Buffer.from('0a100a016b120b' + '4801' + '11000000000000f03f', 'hex')), { k: 1 });
  });

  it('rejects wrong wire types and overruns in Struct messages', () => {
    // number_value sent as varint
    const wrong = errorOf(() => decodeStruct(Buffer.from('0a070a016b12021001', 'hex')));
    assert.equal(wrong.code, 'WEFT_DECODE');
    assert.match(wrong.message, /Value\.number_value \(field 2\) has wire type varint, expected fixed64/);
    // entry says 3 bytes but its key claims 5
    assert.equal(errorOf(() => decodeStruct(Buffer.from('0a030a056b6b6b', 'hex'))).code, 'WEFT_DECODE');
    // fields sent as varint
    assert.match(errorOf(() => decodeStruct(Buffer.from('0801', 'hex'))).message, /Struct\.fields/);
  });
});
