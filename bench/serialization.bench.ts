/**
 * Serialization: weft's hand-written docarray v1 codec against protobufjs reflection on the same
 * `DocumentArrayProto` (proto/docarray.proto): 100 documents, each a short text and a 512-d float32 embedding.
 * The baseline converts Float32Array <-> bytes the way a careful user would (a Buffer view to encode; an aligned
 * view or one copy to decode). Prints a table and `target serialization.time_ratio` (weft / protobufjs total).
 */

import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { Document } from '../packages/weft/src/document/document.js';
import { DocumentArray } from '../packages/weft/src/document/document-array.js';
import { median, table, target } from './lib.js';

const N_DOCS = 100;
const DIM = 512;

const root = protobuf.loadSync(fileURLToPath(new URL('../proto/docarray.proto', import.meta.url)));
const DocumentArrayProto = root.lookupType('docarray.DocumentArrayProto');

interface PlainDoc {
  id: string;
  text: string;
  embedding: Float32Array;
}

// the same data for both: plain records for protobufjs, Documents for weft
const plain: PlainDoc[] = [];
for (let i = 0; i < N_DOCS; i++) {
  const embedding = new Float32Array(DIM);
  for (let j = 0; j < DIM; j++) embedding[j] = Math.sin(i * DIM + j);
  plain.push({ id: `doc-${String(i).padStart(4, '0')}-${'x'.repeat(20)}`, text: `short text number ${i}`, embedding });
}
const da = new DocumentArray(plain.map((p) => new Document({ id: p.id, text: p.text, embedding: p.embedding })));

function baselineEncode(docs: PlainDoc[]): Uint8Array {
  const message = {
    docs: docs.map((d) => ({
      id: d.id,
      text: d.text,
      embedding: {
        dense: {
          buffer: Buffer.from(d.embedding.buffer, d.embedding.byteOffset, d.embedding.byteLength),
          shape: [d.embedding.length],
          dtype: '<f4',
        },
        clsName: 'numpy',
      },
    })),
  };
  return DocumentArrayProto.encode(message).finish();
}

interface DecodedProto {
  docs: { id: string; text: string; embedding?: { dense?: { buffer: Uint8Array; shape: number[]; dtype: string } } }[];
}

function baselineDecode(bytes: Uint8Array): PlainDoc[] {
  const msg = DocumentArrayProto.decode(bytes) as unknown as DecodedProto;
  return msg.docs.map((d) => {
    const buf = d.embedding?.dense?.buffer ?? new Uint8Array(0);
    const embedding =
      buf.byteOffset % 4 === 0
        ? new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4)
        : new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    return { id: d.id, text: d.text, embedding };
  });
}

let sink = 0;
function weftDecode(bytes: Uint8Array): DocumentArray {
  const out = DocumentArray.fromBytes(bytes);
  for (const d of out) sink += (d.embedding?.data[DIM - 1] as number) + (d.text?.length ?? 0);
  return out;
}
function touchBaseline(docs: PlainDoc[]): void {
  for (const d of docs) sink += (d.embedding[DIM - 1] as number) + d.text.length;
}

// -- agreement check (a disagreement means the comparison is meaningless: exit non-zero) --
const weftBytes = da.toBytes();
const baseBytes = baselineEncode(plain);
const identical = Buffer.compare(Buffer.from(weftBytes), Buffer.from(baseBytes)) === 0;
const fromBase = DocumentArray.fromBytes(baseBytes);
const fromWeft = baselineDecode(weftBytes);
const agree =
  fromBase.length === N_DOCS &&
  fromWeft.length === N_DOCS &&
  plain.every((p, i) => {
    const a = fromBase.at(i);
    const b = fromWeft[i];
    return (
      a?.id === p.id &&
      a.text === p.text &&
      b?.id === p.id &&
      b.text === p.text &&
      Buffer.compare(Buffer.from(a.embedding?.toBytes() ?? []), Buffer.from(p.embedding.buffer)) === 0 &&
      Buffer.compare(
        Buffer.from(b.embedding.buffer, b.embedding.byteOffset, b.embedding.byteLength),
        Buffer.from(p.embedding.buffer),
      ) === 0
    );
  });
if (!agree) {
  console.error('weft and protobufjs disagree on the DocumentArrayProto bytes; not benchmarking');
  process.exit(1);
}
console.log(
  `outputs ${identical ? 'are byte-identical' : 'differ in bytes but decode to the same documents'} (${weftBytes.length} bytes)`,
);

// -- timing: batches of calls, interleaved between the two implementations, median per-call time --
const BATCH = 20;
function batchMs(fn: () => unknown): number {
  const t0 = performance.now();
  for (let i = 0; i < BATCH; i++) fn();
  return (performance.now() - t0) / BATCH;
}
// both decoders read the very same input: a Node Buffer (protobufjs's fastest reader) with its own memory
const input = Buffer.from(weftBytes);
const cases = {
  weftEncode: () => da.toBytes(),
  weftDecode: () => weftDecode(input),
  baseEncode: () => baselineEncode(plain),
  baseDecode: () => touchBaseline(baselineDecode(input)),
};
const times: Record<keyof typeof cases, number[]> = { weftEncode: [], weftDecode: [], baseEncode: [], baseDecode: [] };
const names = Object.keys(cases) as (keyof typeof cases)[];
const warmupUntil = performance.now() + 1500;
while (performance.now() < warmupUntil) for (const n of names) batchMs(cases[n]);
const deadline = performance.now() + 8000;
for (let round = 0; round < 400 && performance.now() < deadline; round++) {
  for (const n of round % 2 ? names : [...names].reverse()) times[n].push(batchMs(cases[n]));
}

const weftEnc = median(times.weftEncode);
const weftDec = median(times.weftDecode);
const baseEnc = median(times.baseEncode);
const baseDec = median(times.baseDecode);
table(
  `serialization: ${N_DOCS} docs x (${DIM}-d float32 embedding + short text), median ms per call over ${times.weftEncode.length} batches of ${BATCH}`,
  [
    {
      impl: 'protobufjs (reflection)',
      'encode ms': baseEnc,
      'decode ms': baseDec,
      'total ms': baseEnc + baseDec,
      bytes: baseBytes.length,
    },
    {
      impl: 'weft',
      'encode ms': weftEnc,
      'decode ms': weftDec,
      'total ms': weftEnc + weftDec,
      bytes: weftBytes.length,
    },
  ],
);
if (sink === 42) console.log('');
target('serialization', 'time_ratio', (weftEnc + weftDec) / (baseEnc + baseDec), '<=', 1.0);
