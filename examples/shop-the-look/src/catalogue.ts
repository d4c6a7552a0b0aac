/**
 * The product catalogue: every image in a folder is a product; sub-folders are categories (`hats/red-fedora.jpg`:
 * category "Hats", title "Red fedora", id `hats/red-fedora`). An optional `products.json` beside them — a list, or
 * `{ "products": [...] }` — names products better: its entries (`image` is required, `id`, `title`, `category`,
 * `price` optional) replace what the file name says, and images it does not list are still products.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { Document } from '@weft-ai/weft';
import { ShopError } from './config.js';

export interface Product {
  id: string;
  title: string;
  category: string;
  /** Price in euros, when known. */
  price?: number;
  /** Image path relative to the catalogue folder, `/` separated (`images/red-fedora.webp`). */
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
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.heic': 'image/heic',
  '.heif': 'image/heif',
};

/** The MIME type of an image file name, or undefined for other files. */
export function imageMimeType(file: string): string | undefined {
  return IMAGE_TYPES[extname(file).toLowerCase()];
}

/** "red_fedora-01" -> "Red fedora 01". */
export function titleFromName(name: string): string {
  const words = name
    .replace(/[_\-.]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Read the catalogue in `dir`; errors name the file and the entry a user has to fix. */
export async function loadCatalogue(dir: string): Promise<Catalogue> {
  const root = resolve(dir);
  const images = await listImages(root).catch((err: NodeJS.ErrnoException) => {
    throw new ShopError(`cannot read the catalogue folder ${root}: ${err.message}`);
  });
  const listed = await readProductsJson(root, new Set(images));
  const byImage = new Map(listed.map((p) => [p.image, p]));
  const products: Product[] = [...listed];
  for (const image of images) if (!byImage.has(image)) products.push(productFromPath(image));
  if (products.length === 0) throw new ShopError(`no images in ${root} (JPEG, PNG, WebP, GIF, AVIF, SVG, TIFF, HEIC)`);
  const ids = new Set<string>();
  for (const p of products) {
    if (ids.has(p.id)) throw new ShopError(`${root}: two products have the id '${p.id}' (rename one image)`);
    ids.add(p.id);
  }
  return { dir: root, products, categories: [...new Set(products.map((p) => p.category))] };
}

/** Image files under `root`, relative and `/`-separated, sorted; hidden files and folders are skipped. */
async function listImages(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter(
      (e) =>
        e.isFile() &&
        imageMimeType(e.name) &&
        !relative(root, join(e.parentPath, e.name))
          .split(sep)
          .some((s) => s.startsWith('.')),
    )
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

function productFromPath(image: string): Product {
  const folder = dirname(image);
  const name = basename(image, extname(image));
  return {
    id: image
      .slice(0, -extname(image).length)
      .toLowerCase()
      .replace(/[^a-z0-9/]+/g, '-'),
    title: titleFromName(name),
    category: folder === '.' ? 'Products' : folder.split('/').map(titleFromName).join(' / '),
    image,
  };
}

async function readProductsJson(root: string, images: Set<string>): Promise<Product[]> {
  const file = join(root, 'products.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ShopError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ShopError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const list = Array.isArray(json) ? json : (json as { products?: unknown })?.products;
  if (!Array.isArray(list)) throw new ShopError(`${file} must hold a list of products (or { "products": [...] })`);
  return list.map((entry, i): Product => {
    const p = (entry ?? {}) as Partial<Record<keyof Product, unknown>>;
    const where = `${file}: products[${i}]`;
    if (typeof p.image !== 'string' || p.image === '') throw new ShopError(`${where}.image must name an image file`);
    const image = p.image.split(sep).join('/');
    if (!isInside(root, image)) throw new ShopError(`${where}.image '${image}' is outside ${root}`);
    if (!images.has(image)) throw new ShopError(`${where}.image '${image}': no such image in ${root}`);
    for (const key of ['id', 'title', 'category'] as const) {
      if (p[key] !== undefined && (typeof p[key] !== 'string' || p[key] === ''))
        throw new ShopError(`${where}.${key} must be a non-empty string`);
    }
    if (p.price !== undefined && (typeof p.price !== 'number' || !Number.isFinite(p.price)))
      throw new ShopError(`${where}.price must be a number`);
    const fromPath = productFromPath(image);
    return {
      id: (p.id as string | undefined) ?? fromPath.id,
      title: (p.title as string | undefined) ?? fromPath.title,
      category: (p.category as string | undefined) ?? fromPath.category,
      ...(typeof p.price === 'number' ? { price: p.price } : {}),
      image,
    };
  });
}

/** Whether `relative` stays inside `dir` once resolved. */
export function isInside(dir: string, rel: string): boolean {
  const base = resolve(dir);
  const full = resolve(base, rel);
  return full.startsWith(base + sep);
}

/** The Document indexed for a product: its image bytes, and what the page shows as tags. */
export async function productDocument(catalogue: Catalogue, p: Product): Promise<Document> {
  const blob = await readFile(join(catalogue.dir, p.image));
  return new Document({
    id: p.id,
    blob: new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength),
    mimeType: imageMimeType(p.image) as string,
    tags: {
      title: p.title,
      category: p.category,
      image: p.image,
      ...(p.price !== undefined ? { price: p.price } : {}),
    },
  });
}
