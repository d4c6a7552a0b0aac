/**
 * Loaders: fetch the bytes a URI points at (`file:` or a plain path, `data:`, `http(s):`, within the URI policy of
 * `uri-policy.ts`) and decode images into
 * `[H, W, 3]` uint8 tensors. Image decoding uses the optional peer `sharp`; without it a
 * `MissingDependencyError` names the install command.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LoadUriError, MissingDependencyError } from '../errors/index.js';
import { loadHttp, tooBig } from './load-http.js';
import { NdArray } from './ndarray.js';
import { checkFilePath, short, type UriPolicy, uriPolicy } from './uri-policy.js';

export interface LoadUriOptions {
  /** Abort http(s) downloads after this many ms (default 30 000). */
  timeoutMs?: number;
  /** Refuse payloads larger than this many bytes (default 256 MiB). */
  maxBytes?: number;
  /** What may be read, instead of the process's policy (`uri-policy.ts`; open in a script, restricted in executors). */
  policy?: UriPolicy;
}

export interface LoadedUri {
  bytes: Uint8Array;
  /** The MIME type the source declared (data: prefix, HTTP Content-Type) or guessed from the file extension. */
  mimeType?: string;
}

export interface ImageTensorOptions {
  /** Resize to this width (with `height`; one alone keeps the aspect ratio). */
  width?: number;
  height?: number;
  /** How to fit both dimensions (sharp's `fit`): cover (crop, default), contain (letterbox), fill (stretch). */
  fit?: 'cover' | 'contain' | 'fill' | 'inside' | 'outside';
  /** Letterbox colour for `contain` (default white). */
  background?: string;
}

const MIME_BY_EXT: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain',
  '.json': 'application/json',
  '.html': 'text/html',
};

/**
 * Read the bytes behind a URI.
 * @example const { bytes, mimeType } = await loadUri('file:///tmp/cat.jpg');
 */
export async function loadUri(uri: string, options: LoadUriOptions = {}): Promise<LoadedUri> {
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  if (uri.startsWith('data:')) return checkSize(parseDataUri(uri), maxBytes, uri);
  const policy = options.policy ?? uriPolicy();
  if (uri.startsWith('http://') || uri.startsWith('https://'))
    return loadHttp(uri, options.timeoutMs ?? 30_000, maxBytes, policy);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith('file:')) {
    throw new LoadUriError(`URI scheme of '${short(uri)}' is not supported; use file:, data:, http: or https:`, {
      details: { uri: short(uri) },
    });
  }
  let path: string;
  try {
    path = uri.startsWith('file:') ? fileURLToPath(uri) : uri;
  } catch (err) {
    throw new LoadUriError(`'${short(uri)}' is not a valid file: URL: ${(err as Error).message}`, {
      cause: err,
      details: { uri: short(uri) },
    });
  }
  checkFilePath(path, uri, policy);
  try {
    const buf = await readFile(path);
    const mimeType = MIME_BY_EXT[extname(path).toLowerCase()];
    return checkSize(
      { bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), ...(mimeType ? { mimeType } : {}) },
      maxBytes,
      uri,
    );
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file: check the path'
        : code === 'EISDIR'
          ? 'it is a directory'
          : (err as Error).message;
    throw new LoadUriError(`cannot read '${path}': ${why}`, { cause: err, details: { uri: short(uri), path } });
  }
}

/**
 * Decode image bytes (JPEG, PNG, WebP, GIF, SVG, …) into an `[H, W, 3]` uint8 NdArray, honouring EXIF orientation.
 * @example const t = await loadImageTensor(bytes, { width: 224, height: 224 });
 */
export async function loadImageTensor(input: Uint8Array | string, options: ImageTensorOptions = {}): Promise<NdArray> {
  const bytes = typeof input === 'string' ? (await loadUri(input)).bytes : input;
  const sharp = await importSharp();
  let pipeline = sharp(bytes, { failOn: 'error' }).rotate();
  if (options.width !== undefined || options.height !== undefined) {
    pipeline = pipeline.resize({
      ...(options.width !== undefined ? { width: options.width } : {}),
      ...(options.height !== undefined ? { height: options.height } : {}),
      fit: options.fit ?? 'cover',
      background: options.background ?? '#ffffff',
    });
  }
  let out: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    out = await pipeline
      .flatten({ background: options.background ?? '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new LoadUriError(`cannot decode image (${bytes.byteLength} bytes): ${(err as Error).message}`, {
      cause: err,
      details: { byteLength: bytes.byteLength },
    });
  }
  const { data, info } = out;
  let rgb = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (info.channels !== 3) {
    const n = info.width * info.height;
    const conv = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 3; c++) conv[i * 3 + c] = rgb[i * info.channels + Math.min(c, info.channels - 1)] as number;
    }
    rgb = conv;
  }
  return new NdArray(rgb, [info.height, info.width, 3], '|u1');
}

type SharpFactory = (input?: Uint8Array, options?: Record<string, unknown>) => SharpPipeline;
interface SharpPipeline {
  rotate(): SharpPipeline;
  resize(o: Record<string, unknown>): SharpPipeline;
  flatten(o: Record<string, unknown>): SharpPipeline;
  toColourspace(c: string): SharpPipeline;
  raw(): SharpPipeline;
  toBuffer(o: {
    resolveWithObject: true;
  }): Promise<{ data: Buffer; info: { width: number; height: number; channels: number } }>;
}

let sharpPromise: Promise<SharpFactory> | undefined;

/** Import the optional peer `sharp` once; throws `MissingDependencyError` naming `npm install sharp`. */
export function importSharp(): Promise<SharpFactory> {
  sharpPromise ??= import('sharp').then(
    (m) => ((m as { default?: unknown }).default ?? m) as SharpFactory,
    (err: unknown) => {
      sharpPromise = undefined;
      throw new MissingDependencyError('sharp', 'Image decoding', { cause: err });
    },
  );
  return sharpPromise;
}

function parseDataUri(uri: string): LoadedUri {
  const comma = uri.indexOf(',');
  if (comma < 0) {
    throw new LoadUriError(`malformed data: URI '${short(uri)}': expected data:[<mime>][;base64],<data>`, {
      details: { uri: short(uri) },
    });
  }
  const meta = uri.slice(5, comma);
  const payload = uri.slice(comma + 1);
  const parts = meta.split(';');
  const isBase64 = parts.includes('base64');
  const mimeType = parts[0] || 'text/plain';
  let buf: Buffer;
  if (isBase64) {
    if (!/^[A-Za-z0-9+/=\s]*$/.test(payload)) {
      throw new LoadUriError(`malformed data: URI '${short(uri)}': payload is not base64`, {
        details: { uri: short(uri) },
      });
    }
    buf = Buffer.from(payload, 'base64');
  } else {
    try {
      buf = Buffer.from(decodeURIComponent(payload), 'utf8');
    } catch (err) {
      throw new LoadUriError(`malformed data: URI '${short(uri)}': bad percent-encoding`, {
        cause: err,
        details: { uri: short(uri) },
      });
    }
  }
  return { bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), mimeType };
}

function checkSize(loaded: LoadedUri, maxBytes: number, uri: string): LoadedUri {
  if (loaded.bytes.byteLength > maxBytes) throw tooBig(uri, loaded.bytes.byteLength, maxBytes);
  return loaded;
}
