/**
 * Regenerates the shop-the-look catalogue (`examples/shop-the-look/catalogue/`) from Debian's public-domain
 * `openclipart-svg`: every drawing picked in `catalogue-picks.ts` is rendered with sharp, trimmed, centred on a
 * white 256 × 256 square and written as WebP to `catalogue/images/<id>.webp`; `catalogue/products.json` lists the
 * products (id, title, category, made-up price, image, source drawing).
 *
 * Fetch the drawings once (into ~/.cache/weft/test-images), then run from the repository root:
 *
 *   bash packages/executor-image-encoder/scripts/fetch-test-images.sh
 *   node --import tsx examples/shop-the-look/scripts/build-catalogue.ts [--source <svg dir>] [--out <dir>]
 *
 * The output depends only on the picks, the drawings and sharp's version, so a rerun rewrites the same files.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { CATALOGUE_PICKS } from './catalogue-picks.js';

/** Side of the square thumbnails, and of the box the trimmed drawing is fitted into. */
const SIZE = 256;
const INNER = 232;
/** The licence line written into the manifest. */
const LICENCE =
  "Drawings from Debian's openclipart-svg package (Open Clip Art Library), released into the public domain; " +
  'titles, categories and prices are made up for this example.';

export interface Product {
  id: string;
  title: string;
  category: string;
  /** Made-up price in euros. */
  price: number;
  /** Path of the thumbnail, relative to the catalogue folder. */
  image: string;
  /** The drawing it was rendered from, under usr/share/openclipart/svg. */
  source: string;
}

function defaultSource(): string {
  const base = process.env.WEFT_TEST_IMAGES ?? join(homedir(), '.cache', 'weft', 'test-images');
  return join(base, 'openclipart-svg', 'usr', 'share', 'openclipart', 'svg');
}

/** `Black T-shirt` → `black-t-shirt`. */
export function slug(title: string): string {
  return title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** A price between min and max (log-uniform, from a hash of the id), ending in .99 below 100 and in 9 above. */
export function madeUpPrice(id: string, [min, max]: readonly [number, number]): number {
  const h = createHash('sha256').update(id).digest().readUInt32BE(0) / 0x1_0000_0000;
  const raw = Math.exp(Math.log(min) + h * (Math.log(max) - Math.log(min)));
  if (raw < 100) return Math.max(1, Math.floor(raw)) - 0.01;
  const step = raw < 1000 ? 10 : 100;
  return Math.max(step, Math.round(raw / step) * step) - 1;
}

const UNIT_PX: Record<string, number> = { '': 1, px: 1, pt: 4 / 3, pc: 16, mm: 96 / 25.4, cm: 96 / 2.54, in: 96 };

function lengthPx(value: string | undefined): number | undefined {
  const m = value === undefined ? null : /^\s*([0-9.]+)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? UNIT_PX[(m[2] as string).toLowerCase()] : undefined;
  return m && unit !== undefined ? Number(m[1]) * unit : undefined;
}

/**
 * The SVG with its canvas grown by half a page on every side: many openclipart drawings reach past the page they
 * were saved with, and renderers clip at the page. The white margin is trimmed away after rendering.
 */
export function withRoomAround(svg: string): string {
  const open = /<svg\b[^>]*>/i.exec(svg);
  if (!open) return svg;
  const tag = open[0];
  const attr = (name: string) => new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`, 'i').exec(tag)?.[1];
  let box = attr('viewBox')
    ?.trim()
    .split(/[\s,]+/)
    .map(Number);
  const w = lengthPx(attr('width'));
  const h = lengthPx(attr('height'));
  if (box?.length !== 4 || box.some((n) => !Number.isFinite(n))) {
    if (w === undefined || h === undefined) return svg; // no size to grow from (e.g. percentages)
    box = [0, 0, w, h];
  }
  const [x, y, bw, bh] = box as [number, number, number, number];
  if (!(bw > 0 && bh > 0)) return svg;
  const outW = (w ?? bw) * 2;
  const outH = (h ?? bh) * 2;
  const grown = tag
    .replace(/\s(viewBox|width|height|preserveAspectRatio)\s*=\s*["'][^"']*["']/gi, '')
    .replace(
      /^<svg\b/i,
      `<svg viewBox="${x - bw / 2} ${y - bh / 2} ${bw * 2} ${bh * 2}" width="${outW}" height="${outH}" preserveAspectRatio="xMidYMid meet"`,
    );
  return svg.slice(0, open.index) + grown + svg.slice(open.index + tag.length);
}

interface Rendered {
  data: Buffer;
  width: number;
  height: number;
  /** Whether the drawing reaches the edge of the canvas it was rendered on (it may go on past it). */
  touchesEdge: boolean;
}

/** Render at `density`, flatten on white and trim the white margin away. */
async function renderTrimmed(svg: Buffer, density: number): Promise<Rendered> {
  const flat = await sharp(svg, { density, limitInputPixels: 1e8 })
    .flatten({ background: '#ffffff' })
    .png()
    .toBuffer({ resolveWithObject: true });
  const { data, info } = await sharp(flat.data)
    .trim({ background: '#ffffff', threshold: 12 })
    .png()
    .toBuffer({ resolveWithObject: true });
  const left = -(info.trimOffsetLeft ?? 0);
  const top = -(info.trimOffsetTop ?? 0);
  const touchesEdge =
    left <= 0 || top <= 0 || left + info.width >= flat.info.width || top + info.height >= flat.info.height;
  return { data, width: info.width, height: info.height, touchesEdge };
}

/** Render at a density that gives the drawing at least 1.5 × INNER pixels on its longer side. */
async function renderSharp(svg: Buffer, at72?: Rendered): Promise<Rendered> {
  const first = at72 ?? (await renderTrimmed(svg, 72));
  const longest = Math.max(first.width, first.height);
  if (longest >= INNER * 1.5) return first;
  return renderTrimmed(svg, Math.min(1200, Math.ceil((72 * INNER * 1.5) / Math.max(1, longest))));
}

/**
 * Render one drawing to a white-backed square WebP thumbnail: as saved, or, when the drawing reaches the page's
 * edge (it may be clipped there), on the page grown by half a page on every side.
 */
export async function renderThumbnail(svg: Buffer): Promise<Buffer> {
  const onPage = await renderTrimmed(svg, 72);
  const { data } = onPage.touchesEdge
    ? await renderSharp(Buffer.from(withRoomAround(svg.toString('utf8'))))
    : await renderSharp(svg, onPage);
  const fitted = await sharp(data)
    .resize(INNER, INNER, { fit: 'inside', kernel: 'lanczos3' })
    .toBuffer({ resolveWithObject: true });
  const padX = SIZE - fitted.info.width;
  const padY = SIZE - fitted.info.height;
  return sharp(fitted.data)
    .extend({
      left: Math.floor(padX / 2),
      right: Math.ceil(padX / 2),
      top: Math.floor(padY / 2),
      bottom: Math.ceil(padY / 2),
      background: '#ffffff',
    })
    .flatten({ background: '#ffffff' })
    .webp({ quality: 80, effort: 6 })
    .toBuffer();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      source: { type: 'string' },
      out: { type: 'string' },
      concurrency: { type: 'string', default: '2' },
    },
  });
  const source = resolve(values.source ?? defaultSource());
  const out = resolve(values.out ?? join(import.meta.dirname, '..', 'catalogue'));
  if (!existsSync(source)) {
    console.error(
      `build-catalogue: no openclipart drawings in ${source}\n` +
        'fetch them with: bash packages/executor-image-encoder/scripts/fetch-test-images.sh (or pass --source)',
    );
    process.exit(1);
  }
  const products: Product[] = [];
  const seen = new Set<string>();
  for (const { category, price, items } of CATALOGUE_PICKS) {
    for (const [src, title] of items) {
      const id = slug(title);
      if (seen.has(id)) throw new Error(`two products would have the id '${id}' (${src}); change a title`);
      seen.add(id);
      products.push({ id, title, category, price: madeUpPrice(id, price), image: `images/${id}.webp`, source: src });
    }
  }
  await rm(join(out, 'images'), { recursive: true, force: true });
  await mkdir(join(out, 'images'), { recursive: true });
  const t0 = performance.now();
  let next = 0;
  let done = 0;
  let bytes = 0;
  const worker = async () => {
    while (next < products.length) {
      const p = products[next++] as Product;
      const webp = await renderThumbnail(await readFile(join(source, p.source))).catch((err: Error) => {
        throw new Error(`cannot render ${p.source}: ${err.message}`);
      });
      await writeFile(join(out, p.image), webp);
      bytes += webp.byteLength;
      done++;
      if (done % 25 === 0 || done === products.length) {
        console.log(`rendered ${done}/${products.length} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Number(values.concurrency)) }, worker));
  const manifest = { licence: LICENCE, products };
  await writeFile(join(out, 'products.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const categories = new Set(products.map((p) => p.category)).size;
  console.log(
    `wrote ${products.length} products in ${categories} categories to ${out} (${(bytes / 1024 / 1024).toFixed(2)} MB of thumbnails)`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) await main();
