/**
 * ImageEncoder: weft's built-in image embedding executor (`uses: ImageEncoder`). It decodes each document's image
 * (tensor, blob or uri) with sharp, runs a pretrained CNN from nsfwjs — converted once to ONNX and cached — on
 * ONNX Runtime's CPU provider, and writes an L2-normalised float32 `embedding` (CNN features, mirror-averaged,
 * plus a foreground colour histogram by default). Concurrent requests are batched dynamically.
 */

import {
  BadDocumentError,
  DEFAULT_ENDPOINT,
  type Document,
  type DynamicBatchingConfig,
  dynamicBatching,
  type EndpointArgs,
  Executor,
  type ExecutorArgs,
  ExecutorLoadError,
  requests,
} from '@weft-ai/weft';
import * as ort from 'onnxruntime-node';
import { imageEncoderDesign } from './design.js';
import {
  buildEmbedding,
  documentPixels,
  type EmbeddingDesign,
  embeddingDim,
  hasImageSource,
  type Prepared,
  type Rgb,
  type SourceOptions,
  withMirror,
} from './image/index.js';
import { extraOutputName, FEATURES_OUTPUT, type LoadedModel, loadModel, MODELS } from './model/index.js';
import { DEFAULT_BATCHING, type ImageEncoderOptions, resolveOptions } from './options.js';

/** Channels of MobileNetV2 layers, so `dim` is known before the model loads. */
const KNOWN_LAYER_DIMS: Record<string, number> = {
  // mobilenet_v2_mid (width 1.4)
  'expanded_conv_10/expand/Relu6': 528,
  'expanded_conv_12/expand/Relu6': 816,
  'MobilenetV2/Conv_1/Relu6': 1792,
  flatten_1: 1280,
  out_relu: 1280,
  block_6_expand_relu: 192,
  block_8_expand_relu: 384,
  block_10_expand_relu: 384,
  block_12_expand_relu: 576,
  block_13_expand_relu: 576,
};

/** The tag a document that could not be decoded carries when `skipInvalid` is on. */
export const ERROR_TAG = '__weft_error__';

/** The endpoints ImageEncoder serves (all of them embed). */
export const ENCODER_ENDPOINTS = ['/encode', '/index', '/search', DEFAULT_ENDPOINT] as const;

/** What `ready()` reports once the model is loaded. */
export interface ImageEncoderModelInfo {
  model: string;
  /** The cached ONNX file. */
  path: string;
  /** Whether this start converted the model (false: it was cached). */
  converted: boolean;
  /** Where the conversion ran, when it did ('worker-thread' keeps the event loop free). */
  convertedIn?: 'worker-thread' | 'main-thread';
  convertMs: number;
  loadMs: number;
  /** Width of the embeddings this configuration writes. */
  dim: number;
}

interface Decoded {
  doc: Document;
  index: number;
  pixels?: Rgb[];
  mask?: Uint8Array;
  error?: string;
}

export class ImageEncoder extends Executor {
  readonly options: ImageEncoderOptions;
  readonly #design: EmbeddingDesign;
  readonly #source: SourceOptions;
  readonly #loading: Promise<LoadedModel>;
  /** Widths of the layers' pooled outputs, known once the model is loaded (or from the table of known layers). */
  #layerDims: number[] | undefined;
  #closed = false;

  /**
   * @example new ImageEncoder({ model: 'mobilenet_v2_mid', skipInvalid: true })
   */
  constructor(args: ExecutorArgs<ImageEncoderOptions> = {}) {
    const options = resolveOptions(args as Record<string, unknown>);
    super(withBatching(args, args.batching === undefined ? undefined : options.batching));
    this.options = options;
    const o = this.options;
    const { design, preprocess } = imageEncoderDesign(o);
    this.#design = design;
    this.#source = { ...preprocess, uriTimeoutMs: o.uriTimeoutMs, maxImageBytes: o.maxImageBytes };
    // start loading now (conversion runs in a worker thread); requests await it, readiness is not blocked
    this.#loading = loadModel({
      name: o.model,
      cacheDir: o.cacheDir,
      intraOpThreads: o.intraOpThreads,
      layers: o.layers.map(({ layer, pool }) => ({ layer, ...(pool ? { pool } : {}) })),
    });
    this.#loading.catch(() => {}); // reported by ready() and by every request
  }

  /**
   * Width of the embeddings this configuration writes (pooled CNN layers + colour descriptor). For layers other
   * than the defaults it is known once the model is loaded (`await encoder.ready()`).
   */
  get dim(): number {
    const layers = this.options.layers;
    const dims =
      layers.length === 0
        ? [MODELS[this.options.model].featureDim]
        : (this.#layerDims ?? layers.map((l) => KNOWN_LAYER_DIMS[l.layer] ?? Number.NaN));
    if (dims.some((d) => Number.isNaN(d)))
      throw new ExecutorLoadError('ImageEncoder.dim of these layers is known after ready()');
    return embeddingDim(dims, this.#design);
  }

  /** Resolves once the model is loaded; rejects with the load error. */
  async ready(): Promise<ImageEncoderModelInfo> {
    const m = await this.#loading;
    await this.#measureExtraDims(m);
    return {
      model: m.name,
      path: m.path,
      converted: m.converted,
      ...(m.convertedIn ? { convertedIn: m.convertedIn } : {}),
      convertMs: m.convertMs,
      loadMs: m.loadMs,
      dim: this.dim,
    };
  }

  /**
   * Embed every document that has an image (`tensor`, `blob` or `uri`); others pass through unchanged. With
   * `parameters.dropImage: true` the encoded documents lose their `blob` and `tensor` once embedded, so a search
   * answer does not carry the uploaded photo back.
   */
  @requests({ on: ENCODER_ENDPOINTS })
  @dynamicBatching(DEFAULT_BATCHING)
  async encode({ docs, parameters }: EndpointArgs): Promise<void> {
    if (this.#closed) throw new ExecutorLoadError('ImageEncoder is closed');
    const model = await this.#loading.catch((err: unknown) => {
      throw new ExecutorLoadError(`ImageEncoder could not load its model: ${(err as Error).message}`, { cause: err });
    });
    const work: Decoded[] = [];
    docs.toArray().forEach((doc, index) => {
      if (hasImageSource(doc)) work.push({ doc, index });
    });
    const size = this.options.maxBatchSize;
    // decode chunk i + 1 while the model runs on chunk i
    let next = this.#decode(work.slice(0, size));
    for (let at = 0; at < work.length; at += size) {
      const chunk = await next;
      if (at + size < work.length) next = this.#decode(work.slice(at + size, at + 2 * size));
      this.#checkDecoded(chunk, docs.length);
      await this.#embed(
        model,
        chunk.filter((d) => d.pixels !== undefined),
      );
    }
    if (parameters.dropImage === true) {
      for (const { doc } of work) {
        doc.blob = undefined;
        doc.tensor = undefined;
      }
    }
  }

  /** Run the model once on a blank image to learn the widths of the layers' outputs. */
  async #measureExtraDims(model: LoadedModel): Promise<void> {
    if (this.#layerDims || this.options.layers.length === 0) return;
    const s = this.#source.size;
    const out = await model.session.run({
      input: new ort.Tensor('float32', new Float32Array(s * s * 3), [1, s, s, 3]),
    });
    this.#layerDims = this.options.layers.map(
      (_, i) => out[i === 0 ? FEATURES_OUTPUT : extraOutputName(i - 1)]?.data.length ?? 0,
    );
    for (const t of Object.values(out)) t.dispose();
  }

  /** Release the ONNX Runtime session. */
  override async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const model = await this.#loading.catch(() => undefined);
    await model?.session.release();
  }

  async #decode(chunk: Decoded[]): Promise<Decoded[]> {
    const mirrored = this.#design.mirrorAverage;
    await Promise.all(
      chunk.map(async (d) => {
        try {
          const prepared: Prepared = await documentPixels(d.doc, this.#source);
          d.pixels = withMirror(prepared.rgb, this.#source.size, mirrored);
          d.mask = prepared.mask;
        } catch (err) {
          d.error = (err as Error).message;
        }
      }),
    );
    return chunk;
  }

  #checkDecoded(chunk: Decoded[], total: number): void {
    const failed = chunk.filter((d) => d.error !== undefined);
    if (failed.length === 0) return;
    if (!this.options.skipInvalid) {
      const first = failed[0] as Decoded;
      const more = failed.length > 1 ? ` (and ${failed.length - 1} more in this batch)` : '';
      throw new BadDocumentError(
        `ImageEncoder cannot encode document '${first.doc.id}' (index ${first.index} of ${total}): ${first.error}${more}; set skipInvalid: true to tag such documents and go on`,
        { details: { id: first.doc.id, index: first.index, reason: first.error, failed: failed.length } },
      );
    }
    for (const d of failed) {
      d.doc.tags[ERROR_TAG] = `ImageEncoder: ${d.error}`;
      d.doc.embedding = undefined;
    }
  }

  async #embed(model: LoadedModel, items: Decoded[]): Promise<void> {
    if (items.length === 0) return;
    const s = this.#source.size;
    const per = this.#design.mirrorAverage ? 2 : 1;
    const n = items.length * per;
    const plane = s * s * 3;
    const input = new Float32Array(n * plane);
    let at = 0;
    for (const d of items) {
      for (const rgb of d.pixels as Rgb[]) {
        for (let i = 0; i < plane; i++) input[at + i] = (rgb[i] as number) / 255;
        at += plane;
      }
    }
    const out = await model.session.run({ input: new ort.Tensor('float32', input, [n, s, s, 3]) });
    const outputs = [FEATURES_OUTPUT, ...this.options.layers.slice(1).map((_, i) => extraOutputName(i))].map(
      (name) => out[name]?.data as Float32Array,
    );
    items.forEach((d, k) => {
      const pixels = d.pixels as Rgb[];
      const slice = (data: Float32Array, image: number) => {
        const dim = data.length / n;
        return data.subarray(image * dim, (image + 1) * dim);
      };
      d.doc.embedding = buildEmbedding(
        {
          cnn: outputs.map((o) => slice(o, k * per)),
          ...(per === 2 ? { cnnMirror: outputs.map((o) => slice(o, k * per + 1)) } : {}),
          rgb: pixels[0] as Rgb,
          ...(d.mask ? { mask: d.mask } : {}),
        },
        this.#design,
      );
      d.pixels = undefined;
      d.mask = undefined;
    });
    for (const t of Object.values(out)) t.dispose();
  }
}

/** Apply the `batching` option to every endpoint unless the caller configured that endpoint explicitly. */
function withBatching(
  args: ExecutorArgs<ImageEncoderOptions>,
  batching: DynamicBatchingConfig | undefined,
): ExecutorArgs<ImageEncoderOptions> {
  if (!batching) return args;
  const perEndpoint = Object.fromEntries(ENCODER_ENDPOINTS.map((e) => [e, batching]));
  return { ...args, dynamicBatching: { ...perEndpoint, ...args.dynamicBatching } };
}
