/**
 * Pictures for the page of a catalogue of large photos: an image the browser would load slowly (over 300 KB) or
 * cannot show (HEIC, TIFF) is served as a 384 px WebP made with sharp, kept in memory (the most recent 1000).
 */
import { join } from 'node:path';
import sharp from 'sharp';

const SIDE = 384;
const MAX_BYTES = 300_000;
const KEEP = 1000;
const BROWSERS_SHOW = new Set(['image/webp', 'image/png', 'image/jpeg', 'image/gif', 'image/svg+xml', 'image/avif']);

export class Thumbnails {
  readonly #dir: string;
  readonly #made = new Map<string, Promise<Buffer>>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Whether a picture of this type and size is better served as a thumbnail. */
  static needed(type: string, bytes: number): boolean {
    return !BROWSERS_SHOW.has(type) || (bytes > MAX_BYTES && type !== 'image/svg+xml');
  }

  get(rel: string): Promise<Buffer> {
    let made = this.#made.get(rel);
    if (made) {
      this.#made.delete(rel); // most recent last
      this.#made.set(rel, made);
      return made;
    }
    made = sharp(join(this.#dir, rel))
      .rotate()
      .resize(SIDE, SIDE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
    made.catch(() => this.#made.delete(rel));
    this.#made.set(rel, made);
    if (this.#made.size > KEEP) this.#made.delete(this.#made.keys().next().value as string);
    return made;
  }
}
