/**
 * The product catalogue: `products.json` (id, title, category, price, image path) in a folder beside the images
 * it names, read and checked once, and turned into the Documents the Flow indexes.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { Document } from '@weft-ai/weft';
import { ShopError } from './config.js';

export interface Product {
  id: string;
  title: string;
  category: string;
  /** Price in euros. */
  price: number;
  /** Image path relative to the catalogue folder (`images/red-fedora.webp`). */
  image: string;
}

export interface Catalogue {
  dir: string;
  products: Product[];
  /** Categories in order of first appearance. */
  categories: string[];
}

const IMAGE_TYPES: Record<string, string> = {
  '.webp': 'image/webp',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.avif': 'image/avif',
};

/** The MIME type of an image file name, or undefined for other files. */
export function imageMimeType(file: string): string | undefined {
  return IMAGE_TYPES[extname(file).toLowerCase()];
}

/** Read `<dir>/products.json` (`{ products: [...] }` or a bare list); errors name the file and the entry. */
export async function loadCatalogue(dir: string): Promise<Catalogue> {
  const file = join(dir, 'products.json');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ShopError(`cannot read the catalogue ${file}: ${(err as Error).message}`);
  }
  const list = Array.isArray(json) ? json : (json as { products?: unknown })?.products;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ShopError(`${file} must hold a non-empty list of products (or { "products": [...] })`);
  }
  const ids = new Set<string>();
  const products = list.map((entry, i): Product => {
    const p = entry as Partial<Product>;
    const where = `${file}: products[${i}]`;
    for (const key of ['id', 'title', 'category', 'image'] as const) {
      if (typeof p[key] !== 'string' || p[key] === '')
        throw new ShopError(`${where}.${key} must be a non-empty string`);
    }
    if (typeof p.price !== 'number' || !Number.isFinite(p.price))
      throw new ShopError(`${where}.price must be a number`);
    if (ids.has(p.id as string)) throw new ShopError(`${where}.id '${p.id}' appears twice`);
    ids.add(p.id as string);
    if (!imageMimeType(p.image as string)) throw new ShopError(`${where}.image '${p.image}' is not a known image type`);
    if (!isInside(dir, p.image as string)) throw new ShopError(`${where}.image '${p.image}' is outside ${dir}`);
    return { id: p.id, title: p.title, category: p.category, price: p.price, image: p.image } as Product;
  });
  return { dir, products, categories: [...new Set(products.map((p) => p.category))] };
}

/** Whether `relative` stays inside `dir` once resolved. */
export function isInside(dir: string, relative: string): boolean {
  const base = resolve(dir);
  const full = resolve(base, relative);
  return full.startsWith(base + sep);
}

/** The Document indexed for a product: its image bytes, and what the page shows as tags. */
export async function productDocument(catalogue: Catalogue, p: Product): Promise<Document> {
  const blob = await readFile(join(catalogue.dir, p.image));
  return new Document({
    id: p.id,
    blob: new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength),
    mimeType: imageMimeType(p.image) as string,
    tags: { title: p.title, category: p.category, price: p.price, image: p.image },
  });
}
