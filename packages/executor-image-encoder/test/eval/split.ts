/**
 * A deterministic split of the openclipart drawings into a *tuning* set (the only one design choices may look at)
 * and a *held-out* set (reported, never tuned on). A drawing's split is decided by a hash of its path (category
 * and name stem, so colour variants `apple_01`/`apple_02` stay together) with a fixed seed; within a split each
 * category's drawings are ordered by the same hash and divided into catalogue items and off-catalogue queries
 * ("similar, not identical": same category, not in the catalogue).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { CATEGORIES_WIDE, type Drawing } from '../fixtures/openclipart.js';

export type SplitName = 'tuning' | 'heldout';

/** The seed of the split. Changing it makes a new split: never change it to make numbers look better. */
export const SPLIT_SEED = 'weft-shop-the-look-2026';

export interface SplitOptions {
  /** Catalogue items per category. */
  catalogue: number;
  /** Off-catalogue query drawings per category. */
  offCatalogue: number;
  categories?: readonly string[];
  seed?: string;
}

export interface Split {
  name: SplitName;
  seed: string;
  catalogue: Drawing[];
  offCatalogue: Drawing[];
}

/** A number in [0, 1) from the seeded hash of a key. */
export function unitHash(seed: string, key: string): number {
  return createHash('sha256').update(`${seed}\0${key}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** Which split a drawing (`category/stem`) belongs to. */
export function splitOf(key: string, seed = SPLIT_SEED): SplitName {
  return unitHash(seed, key) < 0.5 ? 'tuning' : 'heldout';
}

const stemOf = (file: string) => file.replace(/\.svg$/, '').replace(/[_-]?\d+$/, '');

/** Whether librsvg renders the drawing to something that is not blank. */
async function renders(svg: Buffer): Promise<boolean> {
  try {
    const small = await sharp(svg).flatten({ background: '#ffffff' }).resize(96, 96, { fit: 'inside' }).toBuffer();
    const stats = await sharp(small).stats();
    return !stats.channels.every((c) => c.stdev < 2);
  } catch {
    return false;
  }
}

/** Both splits. A name stem is used once across all categories (openclipart files some drawings twice). */
export async function splitDrawings(root: string, options: SplitOptions): Promise<Record<SplitName, Split>> {
  const seed = options.seed ?? SPLIT_SEED;
  const out: Record<SplitName, Split> = {
    tuning: { name: 'tuning', seed, catalogue: [], offCatalogue: [] },
    heldout: { name: 'heldout', seed, catalogue: [], offCatalogue: [] },
  };
  const seen = new Set<string>();
  for (const category of options.categories ?? CATEGORIES_WIDE) {
    const dir = join(root, category);
    const files: { file: string; key: string; stem: string }[] = [];
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('.svg') || !statSync(join(dir, f)).isFile()) continue;
      const stem = stemOf(f);
      if (seen.has(stem)) continue;
      seen.add(stem);
      files.push({ file: f, key: `${category}/${stem}`, stem });
    }
    for (const split of ['tuning', 'heldout'] as const) {
      const mine = files
        .filter((f) => splitOf(f.key, seed) === split)
        .sort((a, b) => unitHash(seed, `order:${a.key}`) - unitHash(seed, `order:${b.key}`));
      const want = options.catalogue + options.offCatalogue;
      let taken = 0;
      for (const f of mine) {
        if (taken === want) break;
        const svg = readFileSync(join(dir, f.file));
        if (!(await renders(svg))) continue;
        const drawing: Drawing = { file: join(category, f.file), category, svg };
        (taken < options.catalogue ? out[split].catalogue : out[split].offCatalogue).push(drawing);
        taken++;
      }
    }
  }
  return out;
}
