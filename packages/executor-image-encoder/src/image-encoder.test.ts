import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  Document,
  DocumentArray,
  type DocumentInit,
  type EndpointArgs,
  ExecutorRunner,
  NdArray,
  resolveUses,
} from '@weft-ai/weft';
import sharp from 'sharp';
import { scenePng } from '../test/fixtures/scenes.js';
import { ERROR_TAG, ImageEncoder } from './image-encoder.js';
import { conversionCount } from './model/index.js';

const root = mkdtempSync(join(tmpdir(), 'weft-image-encoder-'));
const cacheDir = join(root, 'models');
after(() => rmSync(root, { recursive: true, force: true }));

function embeddingOf(doc: Document | undefined): Float32Array {
  const e = doc?.embedding;
  assert.ok(e, `document ${doc?.id} has no embedding`);
  assert.equal(e.dtype, '<f4');
  return e.data as Float32Array;
}

function norm(v: Float32Array): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - (b[i] as number))), 0);
}

async function encode(enc: ImageEncoder, docs: (Document | DocumentInit)[], endpoint = '/encode') {
  const r = await new ExecutorRunner(enc).invoke({ endpoint, docs: new DocumentArray(docs) });
  return r.docs;
}

describe('ImageEncoder', () => {
  let enc: ImageEncoder;
  let png: Buffer;
  before(async () => {
    enc = new ImageEncoder({ cacheDir });
    png = await scenePng(1);
    await enc.ready();
  });
  after(() => enc.close());

  it('writes unit-norm float32 embeddings of the advertised width, deterministically', async () => {
    const [a, b] = await encode(enc, [{ blob: png }, { blob: await scenePng(2) }]);
    const again = await encode(enc, [{ blob: png }]);
    const ea = embeddingOf(a);
    assert.equal(ea.length, enc.dim);
    assert.equal(
      enc.dim,
      528 + 1792 + 27,
      'two pooled blocks of MobileNetV2 1.4 (mobilenet_v2_mid) + the 27-d hue/chroma descriptor by default',
    );
    assert.ok(Math.abs(norm(ea) - 1) < 1e-5, `norm ${norm(ea)}`);
    assert.ok(Math.abs(norm(embeddingOf(b)) - 1) < 1e-5);
    // the same image alone or in a batch: the same embedding
    assert.ok(maxAbsDiff(ea, embeddingOf(again.at(0))) < 1e-6);
    assert.ok(maxAbsDiff(ea, embeddingOf(b)) > 1e-2, 'different images get different embeddings');
  });

  it('embeds on /encode, /index, /search and the default endpoint', async () => {
    const reference = embeddingOf((await encode(enc, [{ blob: png }])).at(0));
    for (const endpoint of ['/index', '/search', '/default', '/anything-else']) {
      const got = embeddingOf((await encode(enc, [{ blob: png }], endpoint)).at(0));
      assert.ok(maxAbsDiff(got, reference) < 1e-6, endpoint);
    }
  });

  it('loads uri inputs: a path, a file: URL and a data: URI', async () => {
    const file = join(root, 'scene.png');
    writeFileSync(file, png);
    const reference = embeddingOf((await encode(enc, [{ blob: png }])).at(0));
    const docs = await encode(enc, [
      { uri: file },
      { uri: pathToFileURL(file).href },
      { uri: `data:image/png;base64,${png.toString('base64')}` },
    ]);
    for (const d of docs) assert.ok(maxAbsDiff(embeddingOf(d), reference) < 1e-6, d.uri?.slice(0, 30));
  });

  it('accepts [H, W, 3] image tensors as uint8 and as floats in [0, 1]', async () => {
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const shape = [info.height, info.width, 3];
    const u8 = new NdArray(new Uint8Array(data), shape);
    const f32 = new NdArray(
      Float32Array.from(data, (v) => v / 255),
      shape,
    );
    const reference = embeddingOf((await encode(enc, [{ blob: png }])).at(0));
    const [a, b] = await encode(enc, [{ tensor: u8 }, { tensor: f32 }]);
    assert.ok(maxAbsDiff(embeddingOf(a), reference) < 1e-5);
    assert.ok(maxAbsDiff(embeddingOf(b), reference) < 1e-5);
  });

  it('fails the request with an error naming the document it cannot decode', async () => {
    const corrupt = Buffer.from(png.subarray(0, 64)); // a PNG header and nothing else
    const docs = [new Document({ blob: png }), new Document({ id: 'broken-one', blob: corrupt })];
    await assert.rejects(encode(enc, docs), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'WEFT_BAD_DOCUMENT');
      assert.match(err.message, /document 'broken-one' \(index 1 of 2\)/);
      assert.match(err.message, /not a decodable image/);
      return true;
    });
    await assert.rejects(
      encode(enc, [{ id: 'not-an-image', tensor: new Float32Array([1, 2, 3]) }]),
      /'not-an-image'.*not an image/,
    );
    await assert.rejects(encode(enc, [{ id: 'missing', uri: join(root, 'nope.png') }]), /'missing'.*no such file/);
  });

  it('with skipInvalid, tags undecodable documents, clears their embedding and embeds the rest', async () => {
    const lenient = new ImageEncoder({ cacheDir, skipInvalid: true });
    try {
      const bad = new Document({ id: 'bad', blob: new Uint8Array([0xff, 0xd8, 0xff, 0x00, 1, 2, 3]) });
      bad.embedding = new Float32Array([1, 2, 3]);
      const [good, tagged] = await encode(lenient, [{ blob: png }, bad]);
      assert.equal(embeddingOf(good).length, lenient.dim);
      assert.equal(tagged?.embedding, undefined);
      assert.match(String(tagged?.tags[ERROR_TAG]), /^ImageEncoder: blob \(7 bytes\) is not a decodable image/);
      assert.equal(good?.hasTags, false);
    } finally {
      await lenient.close();
    }
  });

  it('with parameters.dropImage, drops the blob and tensor it embedded (a search answer stays small)', async () => {
    const r = await new ExecutorRunner(enc).invoke({
      endpoint: '/search',
      docs: new DocumentArray([
        { id: 'q', blob: png },
        { id: 't', text: 'a text query' },
      ]),
      parameters: { dropImage: true },
    });
    const [q, t] = r.docs.toArray();
    assert.equal(q?.blob, undefined);
    assert.equal(embeddingOf(q).length, enc.dim);
    assert.equal(t?.text, 'a text query');
    const kept = await encode(enc, [{ blob: png }], '/search');
    assert.ok(kept.at(0)?.blob, 'without the parameter the blob stays, as in Jina');
  });

  it('passes documents without an image through untouched', async () => {
    const [text] = await encode(enc, [{ text: 'a red apple' }]);
    assert.equal(text?.text, 'a red apple');
    assert.equal(text?.embedding, undefined);
    assert.equal(text?.hasTags, false);
  });

  it('encodes concurrent single-image requests in one dynamic batch', async () => {
    const calls: number[] = [];
    class Counting extends ImageEncoder {
      override async encode(args: EndpointArgs): Promise<void> {
        calls.push(args.docs.length);
        return super.encode(args);
      }
    }
    const counting = new Counting({ cacheDir, batching: { preferredBatchSize: 16, timeoutMs: 1000 } });
    try {
      const runner = new ExecutorRunner(counting);
      const images = await Promise.all(Array.from({ length: 16 }, (_, i) => scenePng(i + 10)));
      const results = await Promise.all(
        images.map((blob) => runner.invoke({ endpoint: '/index', docs: new DocumentArray([{ blob }]) })),
      );
      assert.deepEqual(calls, [16], 'one call with all 16 documents');
      const single = embeddingOf((await encode(counting, [{ blob: images[5] as Buffer }])).at(0));
      assert.ok(maxAbsDiff(embeddingOf(results[5]?.docs.at(0)), single) < 1e-6, 'answers go back to their requests');
    } finally {
      await counting.close();
    }
  });

  it('validates its options', () => {
    assert.throws(() => new ImageEncoder({ cacheDir, fit: 'stretch' as never }), {
      code: 'WEFT_CONFIG',
      message: /'fit'/,
    });
    assert.throws(
      () => new ImageEncoder({ cacheDir, model: 'resnet' as never }),
      /mobilenet_v2, mobilenet_v2_mid, inception_v3/,
    );
    assert.throws(() => new ImageEncoder({ cacheDir, colorHistogramBins: 1 }), /'colorHistogramBins'/);
    assert.throws(() => new ImageEncoder({ cacheDir, foreground: 'auto' as never }), /'foreground'/);
    assert.throws(() => new ImageEncoder({ cacheDir, colorDescriptor: 'lab' as never }), /'colorDescriptor'/);
    assert.throws(() => new ImageEncoder({ cacheDir, layers: [{ layer: 'block_1', weight: 0 }] }), /'layers'/);
    assert.throws(
      () => new ImageEncoder({ cacheDir, layers: [{ layer: 'block_1', pool: 'median' as never, weight: 1 }] }),
      /'layers'/,
    );
  });

  it("accepts Jina's snake_case option names and a batching override for every endpoint", async () => {
    const e = new ImageEncoder({
      cacheDir,
      skip_invalid: true,
      mirror_average: false,
      batching: { preferredBatchSize: 4 },
    } as never);
    try {
      assert.equal(e.options.skipInvalid, true);
      assert.equal(e.options.mirrorAverage, false);
      for (const endpoint of ['/encode', '/index', '/search', '/default']) {
        assert.deepEqual(e.resolveEndpoint(endpoint)?.batching, { preferredBatchSize: 4 });
      }
      assert.deepEqual(enc.resolveEndpoint('/search')?.batching, { preferredBatchSize: 16, timeoutMs: 3 });
    } finally {
      await e.close();
    }
  });

  it('is what `uses: ImageEncoder` resolves to', async () => {
    assert.equal((await resolveUses('ImageEncoder')).cls, ImageEncoder);
  });
});

describe('ImageEncoder model cache', () => {
  it('converts once; a second construction reuses the cached file', async () => {
    const dir = join(root, 'fresh-cache');
    const before = conversionCount();
    const first = new ImageEncoder({ cacheDir: dir });
    const info = await first.ready();
    await first.close();
    assert.equal(info.converted, true);
    assert.equal(info.convertedIn, 'worker-thread', 'the conversion keeps the event loop free');
    assert.ok(info.path.startsWith(join(dir, 'mobilenet_v2_mid-')) && info.path.endsWith('.onnx'), info.path);
    assert.equal(conversionCount(), before + 1);
    const mtime = statSync(info.path).mtimeMs;
    const second = new ImageEncoder({ cacheDir: dir });
    const again = await second.ready();
    await second.close();
    assert.equal(again.converted, false);
    assert.equal(again.convertedIn, undefined);
    assert.equal(again.path, info.path);
    assert.equal(conversionCount(), before + 1, 'no second conversion');
    assert.equal(statSync(info.path).mtimeMs, mtime, 'the cached file was not rewritten');
  });

  it('takes its directory from WEFT_MODEL_CACHE when no cacheDir is given', async () => {
    const dir = join(root, 'env-cache');
    const saved = process.env.WEFT_MODEL_CACHE;
    process.env.WEFT_MODEL_CACHE = dir;
    try {
      const enc = new ImageEncoder();
      const info = await enc.ready();
      await enc.close();
      assert.ok(info.path.startsWith(join(dir, 'mobilenet_v2_mid-')), info.path);
    } finally {
      if (saved === undefined) delete process.env.WEFT_MODEL_CACHE;
      else process.env.WEFT_MODEL_CACHE = saved;
    }
  });

  it('rebuilds a damaged cache file', async () => {
    const dir = join(root, 'damaged-cache');
    const first = new ImageEncoder({ cacheDir: dir });
    const { path } = await first.ready();
    await first.close();
    writeFileSync(path, 'not an onnx model');
    const second = new ImageEncoder({ cacheDir: dir });
    const info = await second.ready();
    try {
      assert.equal(info.converted, true);
      const [doc] = await encode(second, [{ blob: await scenePng(3) }]);
      assert.equal(embeddingOf(doc).length, second.dim);
    } finally {
      await second.close();
    }
  });

  it('rejects requests after close', async () => {
    const enc = new ImageEncoder({ cacheDir });
    await enc.ready();
    await enc.close();
    await assert.rejects(encode(enc, [{ blob: await scenePng(1) }]), /closed/);
  });
});
