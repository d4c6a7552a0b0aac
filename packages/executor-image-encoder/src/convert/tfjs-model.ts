/**
 * Reads a tfjs Keras ("layers") model without tfjs: the model JSON (topology + weightsManifest) and its weight
 * shards, either as the base64 UMD modules nsfwjs ships (`model.min.js`, `group1-shard*.min.js`) or as a plain
 * tfjs export (`model.json` + binary shards). Quantized weights are dequantized to float32 (`min + scale * q`).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { ExecutorLoadError, halfToFloat } from '@weft-ai/weft';

/** One entry of a tfjs `weightsManifest` group. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { min?: number; scale?: number; dtype: string };
}

/** The tfjs model JSON: Keras topology plus the weights manifest. */
export interface TfjsModelJson {
  modelTopology: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
}

/** A dequantized weight: float32 values in Keras layout (row-major over `shape`). */
export interface Weight {
  shape: number[];
  data: Float32Array;
}

/** A loaded model: its JSON and its weights by name. */
export interface TfjsModel {
  json: TfjsModelJson;
  weights: Map<string, Weight>;
}

/** Where a model's files are on disk. */
export interface TfjsModelFiles {
  /** `model.min.js` (UMD, nsfwjs) or `model.json`. */
  modelFile: string;
  /** Shard files in manifest order. */
  shardFiles: string[];
  /** Whether the files are base64 UMD modules (nsfwjs) rather than JSON + binary. */
  umd: boolean;
}

/** The directory nsfwjs keeps its bundled models in (`node_modules/nsfwjs/dist/models`). */
export function nsfwjsModelsDir(): string {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('nsfwjs');
  } catch (err) {
    throw new ExecutorLoadError(
      "ImageEncoder needs the package 'nsfwjs' (it ships the pretrained weights): run `npm install nsfwjs`",
      { cause: err, details: { package: 'nsfwjs' } },
    );
  }
  let dir = dirname(entry);
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'dist', 'models'))) {
    const up = dirname(dir);
    if (up === dir) throw new ExecutorLoadError(`cannot find nsfwjs's dist/models next to ${entry}`);
    dir = up;
  }
  return join(dir, 'dist', 'models');
}

/** Locate the files of a model directory (nsfwjs UMD bundle or plain tfjs export). */
export function locateModelFiles(modelDir: string): TfjsModelFiles {
  const umdModel = join(modelDir, 'model.min.js');
  const jsonModel = join(modelDir, 'model.json');
  const umd = existsSync(umdModel);
  if (!umd && !existsSync(jsonModel)) {
    throw new ExecutorLoadError(`no tfjs model in ${modelDir}: expected model.min.js (nsfwjs) or model.json`, {
      details: { modelDir },
    });
  }
  const modelFile = umd ? umdModel : jsonModel;
  const json = parseModelFile(readFileSync(modelFile), umd, modelFile);
  const shardFiles = json.weightsManifest.flatMap((g) => g.paths.map((p) => join(modelDir, umd ? `${p}.min.js` : p)));
  for (const f of shardFiles) {
    if (!existsSync(f)) throw new ExecutorLoadError(`weight shard ${f} named by ${modelFile} is missing`);
  }
  return { modelFile, shardFiles, umd };
}

/** SHA-256 over the model file and every shard, in order: identifies the source weights. */
export function hashModelFiles(files: TfjsModelFiles): string {
  const h = createHash('sha256');
  for (const f of [files.modelFile, ...files.shardFiles]) {
    h.update(f.slice(f.lastIndexOf('/') + 1));
    h.update(readFileSync(f));
  }
  return h.digest('hex');
}

/** Load the model JSON and all weights, dequantized to float32. */
export function loadTfjsModel(files: TfjsModelFiles): TfjsModel {
  const json = parseModelFile(readFileSync(files.modelFile), files.umd, files.modelFile);
  const weights = new Map<string, Weight>();
  let shardIndex = 0;
  for (const group of json.weightsManifest) {
    const parts = group.paths.map(() => {
      const file = files.shardFiles[shardIndex++] as string;
      return files.umd ? decodeUmdShard(readFileSync(file, 'utf8'), file) : readFileSync(file);
    });
    const bytes = Buffer.concat(parts);
    let offset = 0;
    for (const spec of group.weights) {
      const { data, byteLength } = decodeWeight(bytes, offset, spec);
      offset += byteLength;
      weights.set(spec.name, { shape: spec.shape, data });
    }
    if (offset !== bytes.length) {
      throw new ExecutorLoadError(
        `weight shards of ${files.modelFile} hold ${bytes.length} bytes but the manifest describes ${offset}`,
      );
    }
  }
  return { json, weights };
}

function parseModelFile(bytes: Buffer, umd: boolean, file: string): TfjsModelJson {
  let value: unknown;
  try {
    value = umd ? runUmd(bytes.toString('utf8')) : JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ExecutorLoadError(`cannot read the tfjs model ${file}: ${(err as Error).message}`, { cause: err });
  }
  // objects built inside the sandbox belong to another realm: a JSON round trip makes them ordinary
  const json = JSON.parse(JSON.stringify(value)) as Partial<TfjsModelJson>;
  if (!json || typeof json.modelTopology !== 'object' || !Array.isArray(json.weightsManifest)) {
    throw new ExecutorLoadError(`${file} is not a tfjs layers model (no modelTopology/weightsManifest)`);
  }
  return json as TfjsModelJson;
}

/** Evaluate a browserify UMD bundle in an empty sandbox (no require, no globals) and return its export. */
function runUmd(code: string): unknown {
  const module = { exports: {} as unknown };
  runInNewContext(code, { module, exports: module.exports }, { timeout: 30_000 });
  return module.exports;
}

function decodeUmdShard(code: string, file: string): Buffer {
  const value = runUmd(code);
  if (typeof value !== 'string') throw new ExecutorLoadError(`${file} does not export a base64 weight shard`);
  return Buffer.from(value, 'base64');
}

const BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2, float32: 4, int32: 4 };

function decodeWeight(bytes: Buffer, offset: number, spec: WeightSpec): { data: Float32Array; byteLength: number } {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const stored = spec.quantization?.dtype ?? spec.dtype;
  const width = BYTES[stored];
  if (width === undefined || (spec.dtype !== 'float32' && spec.dtype !== 'int32')) {
    throw new ExecutorLoadError(`weight ${spec.name}: unsupported dtype ${spec.dtype} stored as ${stored}`);
  }
  const byteLength = n * width;
  if (offset + byteLength > bytes.length) {
    throw new ExecutorLoadError(`weight ${spec.name} runs past the end of its shards`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, byteLength);
  const data = new Float32Array(n);
  const q = spec.quantization;
  if (stored === 'uint8' || stored === 'uint16') {
    if (q?.min === undefined || q.scale === undefined) {
      throw new ExecutorLoadError(`weight ${spec.name}: ${stored} quantization without min/scale`);
    }
    for (let i = 0; i < n; i++) {
      const v = stored === 'uint8' ? view.getUint8(i) : view.getUint16(i * 2, true);
      data[i] = q.min + q.scale * v;
    }
  } else if (stored === 'float16') {
    for (let i = 0; i < n; i++) data[i] = halfToFloat(view.getUint16(i * 2, true));
  } else if (stored === 'int32') {
    for (let i = 0; i < n; i++) data[i] = view.getInt32(i * 4, true);
  } else {
    for (let i = 0; i < n; i++) data[i] = view.getFloat32(i * 4, true);
  }
  return { data, byteLength };
}
