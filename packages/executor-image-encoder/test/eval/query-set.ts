/**
 * The queries of the shop-the-look evaluation for one split: every catalogue drawing under every variation, and
 * every off-catalogue drawing photographed plainly. Renders are cached on disk (`$WEFT_EVAL_CACHE`, default
 * `<tmpdir>/weft-shop-the-look-cache`), keyed by the drawing's bytes, the variation and a version, so a second
 * run skips the slow SVG rendering.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Drawing } from '../fixtures/openclipart.js';
import type { Split } from './split.js';
import { plainPhoto, renderRgba, VARIATIONS } from './variations.js';

/** Bump when a variation changes: cached renders are then made again. */
const RENDER_VERSION = '2';

export interface Query {
  /** Index of the catalogue item it should find (-1: off-catalogue, nothing should match). */
  target: number;
  category: string;
  /** Variation name, or `off_catalogue`. */
  variation: string;
  file: string;
  bytes: Buffer;
}

export interface QuerySet {
  split: Split;
  /** The catalogue as indexed: the SVG files themselves. */
  gallery: Buffer[];
  nearDuplicates: Query[];
  offCatalogue: Query[];
}

export function cacheDir(): string {
  return process.env.WEFT_EVAL_CACHE || join(tmpdir(), 'weft-shop-the-look-cache');
}

async function cached(key: string, make: () => Promise<Buffer>): Promise<Buffer> {
  const dir = cacheDir();
  const file = join(dir, `${createHash('sha256').update(`${RENDER_VERSION}\0${key}`).digest('hex').slice(0, 32)}.bin`);
  try {
    return readFileSync(file);
  } catch {
    const bytes = await make();
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${file}.tmp`, bytes);
    renameSync(`${file}.tmp`, file);
    return bytes;
  }
}

const digest = (d: Drawing) => createHash('sha256').update(d.svg).digest('hex');

/** Build (or read from the cache) the query set of a split; `variations` narrows the suite. */
export async function querySet(split: Split, variations = VARIATIONS.map((v) => v.name)): Promise<QuerySet> {
  const suite = VARIATIONS.filter((v) => variations.includes(v.name));
  const nearDuplicates: Query[] = [];
  const rgbaOf = (d: Drawing) => cached(`rgba\0${digest(d)}`, () => renderRgba(d.svg));
  for (const [i, d] of split.catalogue.entries()) {
    let rgba: Buffer | undefined;
    for (const v of suite) {
      const bytes = await cached(`${v.name}\0${digest(d)}`, async () => v.apply((rgba ??= await rgbaOf(d)), i + 1));
      nearDuplicates.push({ target: i, category: d.category, variation: v.name, file: d.file, bytes });
    }
  }
  const offCatalogue: Query[] = [];
  for (const d of split.offCatalogue) {
    const bytes = await cached(`plain\0${digest(d)}`, async () => plainPhoto(await rgbaOf(d)));
    offCatalogue.push({ target: -1, category: d.category, variation: 'off_catalogue', file: d.file, bytes });
  }
  return { split, gallery: split.catalogue.map((d) => d.svg), nearDuplicates, offCatalogue };
}
