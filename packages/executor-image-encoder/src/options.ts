/**
 * ImageEncoder's `usesWith` options: their types, defaults and validation. Every option can be given in YAML
 * (`uses_with:`) or code; a wrong value fails construction with a `ConfigError` naming the option.
 */
import { availableParallelism } from 'node:os';
import { ConfigError, type DynamicBatchingConfig } from '@weft-ai/weft';
import { type Fit, parseColour } from './image/index.js';
import { defaultCacheDir, MODEL_NAMES, type ModelName } from './model/index.js';

/** A CNN layer pooled into (part of) the embedding (see the README's measurements). */
export interface CnnLayer {
  /** Keras layer name, e.g. `block_10_expand_relu`. */
  layer: string;
  /** Global pooling: `avg` (default), `max`, or `gem` (generalised mean, p = 3). */
  pool?: 'avg' | 'max' | 'gem';
  /** Weight of its unit-norm pooled features in the embedding. */
  weight: number;
}

export interface ImageEncoderOptions {
  /**
   * Backbone: `mobilenet_v2_mid` (TF-Hub MobileNetV2 1.4, ImageNet weights, default), `mobilenet_v2` (1.0, NSFW
   * fine-tuned after block 10; about half the work) or `inception_v3` (2048-d, ~10x slower).
   */
  model: ModelName;
  /** Where converted ONNX models are cached (default `$WEFT_MODEL_CACHE` or `~/.cache/weft/models`). */
  cacheDir: string;
  /** ONNX Runtime intra-op threads (default: the number of cores, at most 4). */
  intraOpThreads: number;
  /** How an image is fitted into the square input: `contain` (letterbox), `cover` (centre crop), `fill`. */
  fit: Fit;
  /** Crop borders of background colour before fitting (makes framing and margins irrelevant). */
  trim: boolean;
  /** Letterbox, transparency and trim colour, `#rrggbb` (default white). */
  background: string;
  /**
   * How the background is found: `border` (its colour estimated from the image border; colour features use the
   * foreground only) or `near-white` (a fixed near-white threshold).
   */
  foreground: 'border' | 'near-white';
  /** With `foreground: 'border'`, paint the background white before the CNN sees the image. */
  whitenBackground: boolean;
  /** Average each image's CNN features with those of its mirror image (costs a second forward pass). */
  mirrorAverage: boolean;
  /**
   * The CNN layers pooled into the embedding, concatenated with their weights. Empty: the model's own feature
   * vector (`flatten_1`, the pooled last layer). MobileNetV2's default pools two ImageNet-weight blocks.
   */
  layers: CnnLayer[];
  /** Append a colour descriptor of the foreground pixels to the CNN features. */
  colorHistogram: boolean;
  /** `hue-chroma` (hue × saturation bins plus grey levels, 27-d; survives lighting) or `rgb` (bins³ RGB bins). */
  colorDescriptor: 'hue-chroma' | 'rgb';
  /** RGB histogram bins per channel (`rgb` only; the histogram adds bins³ dimensions). */
  colorHistogramBins: number;
  /** Weight of the unit-norm colour descriptor against the unit-norm CNN features. */
  colorHistogramWeight: number;
  /** Images with (almost) no chromatic foreground get no colour part (`hue-chroma` only): greyscale photos. */
  greyscaleNeutral: boolean;
  /** Tag undecodable documents (`tags.__weft_error__`) and leave them without embedding instead of failing. */
  skipInvalid: boolean;
  /** Documents per ONNX Runtime call (with mirrorAverage the call holds twice as many images). */
  maxBatchSize: number;
  /** Dynamic batching of every endpoint (default `{ preferredBatchSize: 16, timeoutMs: 3 }`). */
  batching: DynamicBatchingConfig;
  /** Timeout for http(s) `uri` downloads, ms. */
  uriTimeoutMs: number;
  /** Largest accepted encoded image (blob or uri), bytes. */
  maxImageBytes: number;
}

/** The default layers of each backbone, chosen on the tuning split (README, "Shop-the-look evaluation"). */
export const DEFAULT_LAYERS: Record<ModelName, readonly CnnLayer[]> = {
  mobilenet_v2_mid: [
    { layer: 'expanded_conv_10/expand/Relu6', pool: 'max', weight: 1 },
    { layer: 'MobilenetV2/Conv_1/Relu6', pool: 'gem', weight: 0.5 },
  ],
  mobilenet_v2: [
    { layer: 'block_10_expand_relu', pool: 'max', weight: 1 },
    { layer: 'block_12_expand_relu', pool: 'gem', weight: 1 },
  ],
  inception_v3: [],
};

/** The embedding design chosen on the tuning split (README, "Shop-the-look evaluation"). */
export const DEFAULT_DESIGN = {
  model: 'mobilenet_v2_mid',
  trim: true,
  foreground: 'border',
  whitenBackground: true,
  layers: DEFAULT_LAYERS.mobilenet_v2_mid,
  colorDescriptor: 'hue-chroma',
  colorHistogramWeight: 0.1,
  greyscaleNeutral: true,
} as const;

export const DEFAULT_BATCHING: DynamicBatchingConfig = { preferredBatchSize: 16, timeoutMs: 3 };

export function defaultOptions(): ImageEncoderOptions {
  return {
    model: DEFAULT_DESIGN.model,
    cacheDir: defaultCacheDir(),
    intraOpThreads: Math.max(1, Math.min(4, availableParallelism())),
    fit: 'contain',
    trim: DEFAULT_DESIGN.trim,
    background: '#ffffff',
    foreground: DEFAULT_DESIGN.foreground,
    whitenBackground: DEFAULT_DESIGN.whitenBackground,
    mirrorAverage: true,
    layers: DEFAULT_DESIGN.layers.map((l) => ({ ...l })),
    colorHistogram: true,
    colorDescriptor: DEFAULT_DESIGN.colorDescriptor,
    colorHistogramBins: 4,
    colorHistogramWeight: DEFAULT_DESIGN.colorHistogramWeight,
    greyscaleNeutral: DEFAULT_DESIGN.greyscaleNeutral,
    skipInvalid: false,
    maxBatchSize: 16,
    batching: DEFAULT_BATCHING,
    uriTimeoutMs: 30_000,
    maxImageBytes: 64 * 1024 * 1024,
  };
}

const FITS: readonly Fit[] = ['contain', 'cover', 'fill'];

/**
 * Merge `usesWith` values over the defaults, checking each one. Keys may also be written in Jina's snake_case
 * (`skip_invalid`, `mirror_average`…).
 */
export function resolveOptions(given: Record<string, unknown>): ImageEncoderOptions {
  const o = defaultOptions();
  const input: Partial<Record<keyof ImageEncoderOptions, unknown>> = {};
  for (const [key, value] of Object.entries(given)) {
    const camel = key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()) as keyof ImageEncoderOptions;
    if (camel in o && (input[camel] === undefined || key === camel)) input[camel] = value;
  }
  const bad = (key: string, why: string, value: unknown): never => {
    throw new ConfigError(`ImageEncoder option '${key}' ${why}, got ${JSON.stringify(value)}`, {
      details: { option: key, value: String(value) },
    });
  };
  const pick = <K extends keyof ImageEncoderOptions>(key: K, check: (v: unknown) => string | undefined) => {
    const v = input[key];
    if (v === undefined || v === null) return;
    const why = check(v);
    if (why) bad(key, why, v);
    o[key] = v as ImageEncoderOptions[K];
  };
  const bool = (v: unknown) => (typeof v === 'boolean' ? undefined : 'must be true or false');
  const int = (min: number, max: number) => (v: unknown) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max
      ? undefined
      : `must be an integer from ${min} to ${max}`;
  pick('model', (v) => (MODEL_NAMES.includes(v as ModelName) ? undefined : `must be one of ${MODEL_NAMES.join(', ')}`));
  pick('cacheDir', (v) => (typeof v === 'string' && v !== '' ? undefined : 'must be a directory path'));
  pick('intraOpThreads', int(1, 256));
  pick('fit', (v) => (FITS.includes(v as Fit) ? undefined : `must be one of ${FITS.join(', ')}`));
  pick('trim', bool);
  pick('background', (v) => (typeof v === 'string' && parseColour(v) ? undefined : "must be a colour like '#ffffff'"));
  pick('foreground', (v) => (v === 'border' || v === 'near-white' ? undefined : "must be 'border' or 'near-white'"));
  pick('whitenBackground', bool);
  pick('mirrorAverage', bool);
  pick('layers', (v) =>
    Array.isArray(v) &&
    v.every(
      (l: Partial<CnnLayer>) =>
        typeof l === 'object' &&
        l !== null &&
        typeof l.layer === 'string' &&
        l.layer !== '' &&
        (l.pool === undefined || ['avg', 'max', 'gem'].includes(l.pool)) &&
        typeof l.weight === 'number' &&
        l.weight > 0,
    )
      ? undefined
      : "must be a list of { layer: '<keras layer>', pool?: 'avg' | 'max' | 'gem', weight: <positive number> }",
  );
  pick('colorHistogram', bool);
  pick('colorDescriptor', (v) => (v === 'hue-chroma' || v === 'rgb' ? undefined : "must be 'hue-chroma' or 'rgb'"));
  pick('greyscaleNeutral', bool);
  pick('colorHistogramBins', int(2, 16));
  pick('colorHistogramWeight', (v) =>
    typeof v === 'number' && Number.isFinite(v) && v > 0 ? undefined : 'must be a positive number',
  );
  pick('skipInvalid', bool);
  pick('maxBatchSize', int(1, 1024));
  pick('batching', (v) => {
    const b = v as Partial<DynamicBatchingConfig>;
    if (typeof v !== 'object' || !Number.isInteger(b.preferredBatchSize) || (b.preferredBatchSize as number) < 1) {
      return 'must be { preferredBatchSize: <positive integer>, timeoutMs?: <ms> }';
    }
    if (b.timeoutMs !== undefined && !(Number.isFinite(b.timeoutMs) && b.timeoutMs >= 0)) {
      return 'timeoutMs must be a non-negative number';
    }
    return undefined;
  });
  if (input.layers === undefined) o.layers = DEFAULT_LAYERS[o.model].map((l) => ({ ...l }));
  pick('uriTimeoutMs', int(1, 3_600_000));
  pick('maxImageBytes', int(1, 2 ** 31 - 1));
  return o;
}
