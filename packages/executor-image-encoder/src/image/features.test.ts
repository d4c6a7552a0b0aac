import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { prepareBytes } from './decode-image.js';
import { HUE_CHROMA_DIM, hueChromaHistogram } from './features.js';
import { estimateBackground, foregroundBox, foregroundMask, refineLayeredBackground } from './foreground.js';

/** A 200 x 160 image: a red square (60 px) at (40, 50) on a flat background colour. */
function scene(bg: [number, number, number], fg: [number, number, number] = [200, 30, 30]): Uint8Array {
  const w = 200;
  const h = 160;
  const px = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = x >= 40 && x < 100 && y >= 50 && y < 110;
      px.set(inside ? fg : bg, (y * w + x) * 3);
    }
  }
  return px;
}

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * (b[i] as number), 0);

describe('foreground from the image border', () => {
  it('finds a beige background, masks the product and boxes it', () => {
    const px = scene([233, 220, 195]);
    const bg = estimateBackground(px, 200, 160);
    assert.deepEqual([bg.r, bg.g, bg.b], [233, 220, 195]);
    const mask = foregroundMask(px, 200, 160, bg);
    assert.equal(
      mask.reduce((n, v) => n + (v ? 1 : 0), 0),
      60 * 60,
    );
    const box = foregroundBox(mask, 200, 160);
    assert.ok(box && box.left <= 40 && box.left >= 30 && box.width >= 60 && box.width <= 75, JSON.stringify(box));
  });

  it('finds a flat backdrop inside another colour (a rotated photo with filled corners), and only then', () => {
    // a 200 x 160 frame of light beige, a dimmed beige backdrop inside it from 12 px in, the red square on that
    const layered = scene([192, 182, 161]);
    for (let y = 0; y < 160; y++)
      for (let x = 0; x < 200; x++)
        if (x < 12 || x >= 188 || y < 12 || y >= 148) layered.set([226, 214, 190], (y * 200 + x) * 3);
    const bg = estimateBackground(layered, 200, 160);
    const first = foregroundMask(layered, 200, 160, bg);
    const count = (m: Uint8Array) => m.reduce((n, v) => n + (v ? 1 : 0), 0);
    assert.ok(count(first) > 100 * 100, 'the single estimate keeps the dimmed backdrop as foreground');
    const refined = refineLayeredBackground(layered, 200, 160, bg, first);
    assert.equal(count(refined), 60 * 60, 'the inner estimate leaves only the product');
    // a product that fills the frame is not a backdrop: a plain scene's mask is returned as it was
    const plain = scene([233, 220, 195]);
    const pbg = estimateBackground(plain, 200, 160);
    const pmask = foregroundMask(plain, 200, 160, pbg);
    assert.equal(refineLayeredBackground(plain, 200, 160, pbg, pmask), pmask);
  });

  it('prepares pixels with a mask that follows the product, whatever the backdrop', async () => {
    for (const bg of [
      [255, 255, 255],
      [233, 220, 195],
      [60, 90, 140],
    ] as [number, number, number][]) {
      const png = await sharp(scene(bg), { raw: { width: 200, height: 160, channels: 3 } })
        .png()
        .toBuffer();
      const p = await prepareBytes(png, {
        size: 64,
        fit: 'contain',
        trim: true,
        whiten: true,
        foreground: 'border',
        background: { r: 255, g: 255, b: 255 },
      });
      assert.equal(p.rgb.length, 64 * 64 * 3);
      const share = (p.mask as Uint8Array).reduce((n, v) => n + (v ? 1 : 0), 0) / (64 * 64);
      // trimmed to the square plus a small margin: the product fills most of the input
      assert.ok(share > 0.6 && share < 0.95, `foreground share ${share} on ${bg}`);
      assert.deepEqual([...p.rgb.subarray(0, 3)], [255, 255, 255], 'background whitened');
    }
  });
});

describe('hue/chroma colour descriptor', () => {
  const mask = (px: Uint8Array) => foregroundMask(px, 200, 160, estimateBackground(px, 200, 160));

  it('is a unit vector that survives dimming, and tells red from blue', () => {
    const red = scene([255, 255, 255]);
    const dimRed = Uint8Array.from(red, (v) => Math.round(v * 0.65));
    const blue = scene([255, 255, 255], [30, 40, 200]);
    const h = (px: Uint8Array) => hueChromaHistogram(px, mask(px), true);
    assert.equal(h(red).length, HUE_CHROMA_DIM);
    assert.ok(Math.abs(dot(h(red), h(red)) - 1) < 1e-9);
    assert.ok(dot(h(red), h(dimRed)) > 0.99, 'dimmed red is still red');
    assert.ok(dot(h(red), h(blue)) < 0.1, 'red is not blue');
  });

  it('gives a greyscale image no colour part when greyscaleNeutral is on', () => {
    const grey = scene([255, 255, 255], [90, 90, 90]);
    assert.ok(hueChromaHistogram(grey, mask(grey), true).every((v) => v === 0));
    assert.ok(
      Math.abs(dot(hueChromaHistogram(grey, mask(grey), false), hueChromaHistogram(grey, mask(grey), false)) - 1) <
        1e-9,
    );
  });
});
