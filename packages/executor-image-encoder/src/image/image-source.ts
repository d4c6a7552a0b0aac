/**
 * Where a Document's image comes from: its `tensor` (raw pixels), its `blob` (encoded bytes) or its `uri`
 * (file:, data:, http(s): through weft's `loadUri`), in that order. Documents with none of these carry nothing to
 * encode (e.g. a text query passing through the same Flow) and are left alone.
 */
import { BadDocumentError, type Document, loadUri } from '@weft-ai/weft';
import {
  mirror,
  type Prepared,
  type PreprocessOptions,
  prepareBytes,
  prepareTensor,
  type Rgb,
} from './decode-image.js';

export interface SourceOptions extends PreprocessOptions {
  uriTimeoutMs: number;
  maxImageBytes: number;
}

/** Whether the document has an image source at all. */
export function hasImageSource(doc: Document): boolean {
  return doc.tensor !== undefined || doc.blob !== undefined || (doc.uri !== undefined && doc.uri !== '');
}

/** Decode one document's image into model-input pixels; rejects with a reason a person can act on. */
export async function documentPixels(doc: Document, options: SourceOptions): Promise<Prepared> {
  if (doc.tensor !== undefined) return prepareTensor(doc.tensor, options);
  let bytes = doc.blob;
  let origin = 'blob';
  if (bytes === undefined) {
    const uri = doc.uri as string;
    bytes = (await loadUri(uri, { timeoutMs: options.uriTimeoutMs, maxBytes: options.maxImageBytes })).bytes;
    origin = `uri '${uri.length > 80 ? `${uri.slice(0, 77)}...` : uri}'`;
  }
  if (bytes.byteLength === 0) throw new BadDocumentError(`${origin} is empty`, { details: { field: origin } });
  if (bytes.byteLength > options.maxImageBytes) {
    throw new BadDocumentError(`${origin} is ${bytes.byteLength} bytes, over maxImageBytes ${options.maxImageBytes}`, {
      details: { field: origin, byteLength: bytes.byteLength },
    });
  }
  try {
    return await prepareBytes(bytes, options);
  } catch (err) {
    // sharp's own reason, as a coded error (a client's undecodable image is a bad document, not a crash)
    throw new BadDocumentError(
      `${origin} (${bytes.byteLength} bytes) is not a decodable image: ${(err as Error).message}`,
      { cause: err, details: { field: origin, byteLength: bytes.byteLength } },
    );
  }
}

/** The pixels plus, when asked, their mirror image. */
export function withMirror(rgb: Rgb, size: number, mirrored: boolean): Rgb[] {
  return mirrored ? [rgb, mirror(rgb, size)] : [rgb];
}
