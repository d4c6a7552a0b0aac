/**
 * Loading a backbone: find or build the cached ONNX file (converting in a worker thread when possible) and open an
 * ONNX Runtime CPU session on it. A cached file ONNX Runtime refuses is evicted and rebuilt once.
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { ExecutorLoadError } from '@weft-ai/weft';
import * as ort from 'onnxruntime-node';
import {
  type CachedModel,
  type CachedModelRequest,
  cachePathFor,
  ensureConvertedModel,
  evictModel,
} from './model-cache.js';
import { FEATURES_OUTPUT, MODELS, type ModelName, modelSourceDir } from './models.js';

export interface LoadedModel {
  session: ort.InferenceSession;
  name: ModelName;
  path: string;
  /** Whether this load converted the model (false: it came from the cache). */
  converted: boolean;
  /** Where the conversion ran ('worker-thread' normally; 'main-thread' when no worker could start). */
  convertedIn?: 'worker-thread' | 'main-thread';
  convertMs: number;
  loadMs: number;
}

export interface LoadModelOptions {
  name: ModelName;
  cacheDir: string;
  intraOpThreads: number;
  /**
   * The pooled layers to expose: the first as `features` (instead of the model's feature layer), the others as
   * `extra_0`, `extra_1`… Absent or empty: the model's feature layer only.
   */
  layers?: readonly ExtraOutput[];
}

/** A CNN layer to pool into a feature vector. */
export interface ExtraOutput {
  /** Keras layer name, e.g. `block_10_expand_relu` (MobileNetV2 blocks 0–10 kept their ImageNet weights). */
  layer: string;
  pool?: 'avg' | 'max' | 'gem';
}

/** The ONNX output name of extra output `i`. */
export const extraOutputName = (i: number): string => `extra_${i}`;

let conversions = 0;

/** How many model conversions this process has run (cache misses), for tests and diagnostics. */
export function conversionCount(): number {
  return conversions;
}

/** Find or build the model file and open a session on it. */
export async function loadModel(options: LoadModelOptions): Promise<LoadedModel> {
  const t0 = performance.now();
  const spec = MODELS[options.name];
  const request: CachedModelRequest = {
    id: options.name,
    sourceDir: modelSourceDir(options.name),
    outputs: options.layers?.length
      ? options.layers.map((o, i) => ({
          layer: o.layer,
          name: i === 0 ? FEATURES_OUTPUT : extraOutputName(i - 1),
          ...(o.pool && o.pool !== 'avg' ? { pool: o.pool } : {}),
        }))
      : [{ layer: spec.featureLayer, name: FEATURES_OUTPUT }],
    cacheDir: options.cacheDir,
  };
  let cached = await prepareModel(request);
  let session: ort.InferenceSession;
  try {
    session = await openSession(cached.path, options.intraOpThreads);
  } catch (err) {
    if (cached.converted) throw loadError(cached.path, err);
    evictModel(cached.path); // a damaged cache file: rebuild once
    cached = await prepareModel(request);
    session = await openSession(cached.path, options.intraOpThreads).catch((e: unknown) => {
      throw loadError(cached.path, e);
    });
  }
  const wanted = request.outputs.map((o) => o.name);
  if (!session.inputNames.includes('input') || wanted.some((name) => !session.outputNames.includes(name))) {
    await session.release();
    throw new ExecutorLoadError(`${cached.path} does not have the 'input' -> '${FEATURES_OUTPUT}' signature`);
  }
  return {
    session,
    name: options.name,
    path: cached.path,
    converted: cached.converted,
    ...(cached.converted ? { convertedIn: cached.convertedIn ?? 'main-thread' } : {}),
    convertMs: cached.convertMs,
    loadMs: performance.now() - t0,
  };
}

type PreparedModel = CachedModel & { convertedIn?: 'worker-thread' | 'main-thread' };

/**
 * The cached model file, converted first when missing: in a worker thread, so the event loop stays free; if the
 * worker fails for any reason (a loader it cannot start with, or the conversion itself), the conversion runs again
 * here, which either succeeds or throws the real, typed error.
 */
async function prepareModel(request: CachedModelRequest): Promise<PreparedModel> {
  const path = cachePathFor(request);
  if (isFile(path)) return { path, converted: false, convertMs: 0 };
  let result: PreparedModel;
  try {
    result = { ...(await convertInWorker(request)), convertedIn: 'worker-thread' };
  } catch (err) {
    process.emitWarning(
      `ImageEncoder: converting in a worker thread failed (${(err as Error).message}); converting on the main thread`,
    );
    result = { ...ensureConvertedModel(request), convertedIn: 'main-thread' };
  }
  if (result.path !== path) throw new ExecutorLoadError(`internal: cache path mismatch ${result.path} != ${path}`);
  if (result.converted) conversions++;
  else delete result.convertedIn; // another process wrote it meanwhile
  return result;
}

function convertInWorker(request: CachedModelRequest): Promise<CachedModel> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerEntry(), { workerData: request });
    let settled = false;
    worker.once('message', (m: CachedModel) => {
      settled = true;
      resolve(m);
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the model conversion worker exited with code ${code}`));
    });
  });
}

/**
 * The worker's entry module. Built (`dist/`) it is the compiled `convert-worker.js`; run from TypeScript sources
 * (weft's `weft-source` condition through tsx) a worker thread does not inherit tsx's loader hooks on Node 20, so a
 * tiny bootstrap registers them in the worker before importing `convert-worker.ts`.
 */
function workerEntry(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./convert-worker.js', import.meta.url);
  const entry = new URL('./convert-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api'); // throws without tsx: the caller converts in this thread then
  const code = `import { register } from ${JSON.stringify(tsx)};\nregister();\nawait import(${JSON.stringify(entry)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function openSession(path: string, threads: number): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(path, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
}

function loadError(path: string, err: unknown): ExecutorLoadError {
  return new ExecutorLoadError(`ONNX Runtime cannot load ${path}: ${(err as Error).message}`, {
    cause: err,
    details: { path },
  });
}
