/**
 * A minimal decoder of OTLP/HTTP protobuf trace exports (`ExportTraceServiceRequest`), for the test receiver:
 * resource → scope → span, with the fields the tests check. Written against opentelemetry-proto's
 * `trace/v1/trace.proto` and `common/v1/common.proto`; unknown fields are skipped.
 */

/** An `AnyValue` and a `KeyValue` as OTLP's JSON encoding spells them. */
type AnyValue = { stringValue?: string; intValue?: number; boolValue?: boolean; doubleValue?: number };
type KeyValue = { key: string; value: AnyValue };

/** One span as the JSON encoding spells it (ids in hex, times as decimal strings). */
export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: KeyValue[];
}

/** The export in the JSON encoding's shape, so one reader serves both encodings. */
export interface DecodedTraceExport {
  resourceSpans: { resource: { attributes: KeyValue[] }; scopeSpans: { spans: DecodedSpan[] }[] }[];
}

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new Error('truncated varint');
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
      shift += 7n;
    }
  }
  /** A field's tag: [field number, wire type]. */
  tag(): [number, number] {
    const t = Number(this.varint());
    return [t >>> 3, t & 7];
  }
  bytes(): Buffer {
    const n = Number(this.varint());
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  fixed64(): bigint {
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
  double(): number {
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

/** Each field of a message: `fn(field, wireType, reader)`; `fn` returns false to have the field skipped. */
function fields(buf: Buffer, fn: (field: number, wire: number, r: Reader) => boolean): void {
  const r = new Reader(buf);
  while (!r.done) {
    const [field, wire] = r.tag();
    if (!fn(field, wire, r)) r.skip(wire);
  }
}

function anyValue(buf: Buffer): AnyValue {
  let v: AnyValue = {};
  fields(buf, (f, _w, r) => {
    if (f === 1) v = { stringValue: r.bytes().toString('utf8') };
    else if (f === 2) v = { boolValue: r.varint() !== 0n };
    else if (f === 3) v = { intValue: Number(BigInt.asIntN(64, r.varint())) };
    else if (f === 4) v = { doubleValue: r.double() };
    else return false;
    return true;
  });
  return v;
}

function keyValue(buf: Buffer): KeyValue {
  const kv: KeyValue = { key: '', value: {} };
  fields(buf, (f, _w, r) => {
    if (f === 1) kv.key = r.bytes().toString('utf8');
    else if (f === 2) kv.value = anyValue(r.bytes());
    else return false;
    return true;
  });
  return kv;
}

function span(buf: Buffer): DecodedSpan {
  const s: DecodedSpan = {
    traceId: '',
    spanId: '',
    parentSpanId: '',
    name: '',
    kind: 0,
    startTimeUnixNano: '0',
    endTimeUnixNano: '0',
    attributes: [],
  };
  fields(buf, (f, _w, r) => {
    if (f === 1) s.traceId = r.bytes().toString('hex');
    else if (f === 2) s.spanId = r.bytes().toString('hex');
    else if (f === 4) s.parentSpanId = r.bytes().toString('hex');
    else if (f === 5) s.name = r.bytes().toString('utf8');
    else if (f === 6) s.kind = Number(r.varint());
    else if (f === 7) s.startTimeUnixNano = String(r.fixed64());
    else if (f === 8) s.endTimeUnixNano = String(r.fixed64());
    else if (f === 9) s.attributes.push(keyValue(r.bytes()));
    else return false;
    return true;
  });
  return s;
}

/** An `ExportTraceServiceRequest` body in the JSON encoding's shape. */
export function decodeTraceExport(body: Buffer): DecodedTraceExport {
  const out: DecodedTraceExport = { resourceSpans: [] };
  fields(body, (f, _w, r) => {
    if (f !== 1) return false;
    const attributes: KeyValue[] = [];
    const spans: DecodedSpan[] = [];
    fields(r.bytes(), (f2, _w2, r2) => {
      if (f2 === 1) {
        fields(r2.bytes(), (f3, _w3, r3) => {
          if (f3 !== 1) return false;
          attributes.push(keyValue(r3.bytes()));
          return true;
        });
      } else if (f2 === 2) {
        fields(r2.bytes(), (f3, _w3, r3) => {
          if (f3 !== 2) return false;
          spans.push(span(r3.bytes()));
          return true;
        });
      } else return false;
      return true;
    });
    out.resourceSpans.push({ resource: { attributes }, scopeSpans: [{ spans }] });
    return true;
  });
  return out;
}
