/**
 * ImageEncoder: weft's built-in image embedding executor (`uses: ImageEncoder`). It decodes each document's image
 * (tensor, blob or uri) with sharp, runs a pretrained CNN from nsfwjs — converted once to ONNX and cached — on
 * ONNX Runtime's CPU provider, and writes an L2-normalised float32 `embedding` (CNN features, mirror-averaged,
 * plus a foreground colour histogram by default). Concurrent requests are batched dynamically.
 */
import * as ort from 'onnxruntime-node';
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
} from 'weft';
import {
  buildEmbedding,
  documentPixels,
  type EmbeddingDesign,
  embeddingDim,
  hasImageSource,
  parseColour,
  type Rgb,
  type SourceOptions,
  withMirror,
} from './image/index.js';
import { FEATURES_OUTPUT, type LoadedModel, loadModel, MODELS } from './model/index.js';
import { DEFAULT_BATCHING, type ImageEncoderOptions, resolveOptions } from './options.js';

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
  error?: string;
}

export class ImageEncoder extends Executor {
  readonly options: ImageEncoderOptions;
  readonly #design: EmbeddingDesign;
  readonly #source: SourceOptions;
  readonly #loading: Promise<LoadedModel>;
  #closed = false;

  /**
   * @example new ImageEncoder({ model: 'mobilenet_v2', skipInvalid: true })
   */
  constructor(args: ExecutorArgs<ImageEncoderOptions> = {}) {
    const options = resolveOptions(args as Record<string, unknown>);
    super(withBatching(args, args.batching === undefined ? undefined : options.batching));
    this.options = options;
    const o = this.options;
    this.#design = {
      mirrorAverage: o.mirrorAverage,
      colorHistogramBins: o.colorHistogram ? o.colorHistogramBins : 0,
      colorHistogramWeight: o.colorHistogramWeight,
    };
    this.#source = {
      size: MODELS[o.model].inputSize,
      fit: o.fit,
      trim: o.trim,
      background: parseColour(o.background) as NonNullable<ReturnType<typeof parseColour>>,
      uriTimeoutMs: o.uriTimeoutMs,
      maxImageBytes: o.maxImageBytes,
    };
    // start loading now (conversion runs in a worker thread); requests await it, readiness is not blocked
    this.#loading = loadModel({ name: o.model, cacheDir: o.cacheDir, intraOpThreads: o.intraOpThreads });
    this.#loading.catch(() => {}); // reported by ready() and by every request
  }

  /** Width of the embeddings this configuration writes (CNN features + histogram bins). */
  get dim(): number {
    return embeddingDim(MODELS[this.options.model].featureDim, this.#design);
  }

  /** Resolves once the model is loaded; rejects with the load error. */
  async ready(): Promise<ImageEncoderModelInfo> {
    const m = await this.#loading;
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

  /** Embed every document that has an image (`tensor`, `blob` or `uri`); others pass through unchanged. */
  @requests({ on: ENCODER_ENDPOINTS })
  @dynamicBatching(DEFAULT_BATCHING)
  async encode({ docs }: EndpointArgs): Promise<void> {
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
          d.pixels = withMirror(await documentPixels(d.doc, this.#source), this.#source.size, mirrored);
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
    const features = out[FEATURES_OUTPUT]?.data as Float32Array;
    const dim = MODELS[this.options.model].featureDim;
    items.forEach((d, k) => {
      const base = k * per * dim;
      const pixels = d.pixels as Rgb[];
      d.doc.embedding = buildEmbedding(
        {
          cnn: features.subarray(base, base + dim),
          ...(per === 2 ? { cnnMirror: features.subarray(base + dim, base + 2 * dim) } : {}),
          rgb: pixels[0] as Rgb,
        },
        this.#design,
      );
      d.pixels = undefined;
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
