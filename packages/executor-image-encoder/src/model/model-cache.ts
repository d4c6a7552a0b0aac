/**
 * The converted-model cache: `<cacheDir>/<model>-<hash>.onnx`, where the hash covers the source weight files, the
 * converter version and the requested outputs, so a new nsfwjs release or converter change builds a new file.
 * Files are written atomically (temporary file + rename), so concurrent replicas never read half a model.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ExecutorLoadError } from '@weft-ai/weft';
import {
  CONVERTER_VERSION,
  type ConvertOutput,
  convertGraphModel,
  convertKerasModel,
  encodeOnnxModel,
  GRAPH_CONVERTER_VERSION,
  hashModelFiles,
  isGraphModel,
  loadTfjsModel,
  locateModelFiles,
} from '../convert/index.js';

/** The default cache directory: `$WEFT_MODEL_CACHE`, else `~/.cache/weft/models`. */
export function defaultCacheDir(): string {
  return process.env.WEFT_MODEL_CACHE || join(homedir(), '.cache', 'weft', 'models');
}

export interface CachedModelRequest {
  /** Model id, used in the file name. */
  id: string;
  /** Directory of the tfjs model (nsfwjs UMD bundle or model.json + shards). */
  sourceDir: string;
  outputs: readonly ConvertOutput[];
  cacheDir: string;
}

export interface CachedModel {
  path: string;
  /** Whether this call converted the model (false: it was cached). */
  converted: boolean;
  /** Conversion time in ms (0 when cached). */
  convertMs: number;
}

/** The cache path for a request (hashing the source files). */
export function cachePathFor(request: CachedModelRequest): string {
  const files = locateModelFiles(request.sourceDir);
  const key = createHash('sha256')
    .update(hashModelFiles(files))
    .update(`\0converter=${CONVERTER_VERSION}/${GRAPH_CONVERTER_VERSION}`)
    .update(`\0outputs=${JSON.stringify(request.outputs)}`)
    .digest('hex')
    .slice(0, 16);
  return join(request.cacheDir, `${request.id}-${key}.onnx`);
}

/** The converted model's path, converting and caching it first when needed. */
export function ensureConvertedModel(request: CachedModelRequest): CachedModel {
  const path = cachePathFor(request);
  if (existsSync(path)) return { path, converted: false, convertMs: 0 };
  const t0 = performance.now();
  const tfjs = loadTfjsModel(locateModelFiles(request.sourceDir));
  const model = (isGraphModel(tfjs) ? convertGraphModel : convertKerasModel)(tfjs, {
    outputs: request.outputs,
    name: request.id,
    metadata: { source: request.sourceDir },
  });
  writeAtomically(path, encodeOnnxModel(model.model));
  return { path, converted: true, convertMs: performance.now() - t0 };
}

/** Remove a cached model (e.g. one ONNX Runtime refused to load) so the next call rebuilds it. */
export function evictModel(path: string): void {
  rmSync(path, { force: true });
}

function writeAtomically(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new ExecutorLoadError(`cannot write the converted model to ${path}: ${(err as Error).message}`, {
      cause: err,
      details: { path },
    });
  }
}
