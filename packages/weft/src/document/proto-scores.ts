/**
 * docarray v1 `map<string, NamedScoreProto>` (Document `scores` and `evaluations`) <-> `Record<string, NamedScore>`,
 * for the Document codec (`proto-codec.ts`). Entries are written in insertion order, each with its key and value
 * (as protobuf writes map entries); the score value is a 32-bit float.
 */
import type { ProtoReader, ProtoWriter, SizeList } from '../wire/index.js';
import { delimitedSize, reserveSize, stringFieldSize } from '../wire/index.js';
import type { NamedScore } from './document.js';

/** The value of an entry, also when a caller stored a bare number despite the type. */
function scoreValue(s: NamedScore | number): number {
  return typeof s === 'number' ? s : s.value;
}

function namedScoreSize(s: NamedScore | number): number {
  let n = scoreValue(s) ? 5 : 0;
  if (typeof s === 'number') return n;
  if (s.opName) n += stringFieldSize(2, s.opName);
  if (s.description) n += stringFieldSize(3, s.description);
  if (s.refId) n += stringFieldSize(4, s.refId);
  return n;
}

/** Sizing pass for all entries of a scores map as field `field`: returns their total size, tags included. */
export function sizeScores(scores: Record<string, NamedScore>, field: number, sizes: SizeList): number {
  let n = 0;
  for (const key in scores) {
    if (!Object.hasOwn(scores, key)) continue;
    const entrySlot = reserveSize(sizes);
    const valueSlot = reserveSize(sizes);
    const value = namedScoreSize(scores[key] as NamedScore);
    sizes[valueSlot] = value;
    const entry = stringFieldSize(1, key) + delimitedSize(2, value);
    sizes[entrySlot] = entry;
    n += delimitedSize(field, entry);
  }
  return n;
}

/** Write pass for a scores map as field `field` (mirrors `sizeScores`). */
export function writeScores(w: ProtoWriter, scores: Record<string, NamedScore>, field: number): void {
  for (const key in scores) {
    if (!Object.hasOwn(scores, key)) continue;
    const s = scores[key] as NamedScore | number;
    w.messageHeader(field);
    w.stringField(1, key);
    w.messageHeader(2);
    const value = scoreValue(s);
    if (value) {
      w.buf[w.pos++] = 0x0d;
      w.float(value);
    }
    if (typeof s === 'number') continue;
    if (s.opName) w.stringField(2, s.opName);
    if (s.description) w.stringField(3, s.description);
    if (s.refId) w.stringField(4, s.refId);
  }
}

/** Read one map entry (body ending at `end`) into `into`; a later entry with the same key replaces it. */
export function readNamedScoreEntry(r: ProtoReader, end: number, into: Record<string, NamedScore>): void {
  let key = '';
  let score: NamedScore | undefined;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 0x0a) key = r.string();
    else if (tag === 0x12) score = readNamedScore(r, r.ldelim());
    else if (tag >>> 3 <= 2) r.wrongType('NamedScoreEntry', tag >>> 3 === 1 ? 'key' : 'value', tag, 2);
    else r.skipTag(tag);
  }
  r.expectEnd(end, 'NamedScoreEntry');
  const value = score ?? { value: 0 };
  if (key === '__proto__')
    Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
  else into[key] = value;
}

const SCORE_FIELDS = ['', 'value', 'op_name', 'description', 'ref_id'];

function readNamedScore(r: ProtoReader, end: number): NamedScore {
  const score: NamedScore = { value: 0 };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x0d:
        score.value = r.float();
        break;
      case 0x12:
        score.opName = r.string();
        break;
      case 0x1a:
        score.description = r.string();
        break;
      case 0x22:
        score.refId = r.string();
        break;
      default:
        if (tag >>> 3 <= 4)
          r.wrongType('NamedScoreProto', SCORE_FIELDS[tag >>> 3] as string, tag, tag >>> 3 === 1 ? 5 : 2);
        r.skipTag(tag);
    }
  }
  r.expectEnd(end, 'NamedScoreProto');
  return score;
}
