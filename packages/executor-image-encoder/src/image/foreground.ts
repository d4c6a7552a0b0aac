/**
 * Telling the product from what it stands on: the background colour is estimated from the image border (the
 * median of a thin frame of pixels), its spread sets the tolerance, and every pixel farther from it than that is
 * foreground. Works for white paper, a plain or tinted backdrop and a mildly textured surface; a busy scene whose
 * border is not background simply gets a loose mask (most pixels foreground), which degrades gracefully. A second,
 * inner estimate catches a flat backdrop inside another colour (a rotated photo's filled corners).
 */

export interface BackgroundEstimate {
  r: number;
  g: number;
  b: number;
  /** Per-pixel distance (max channel difference) above which a pixel is foreground. */
  tolerance: number;
}

/** Tolerance bounds: JPEG noise stays below the lower one; a background spread past the upper one is not flat. */
const MIN_TOLERANCE = 24;
const MAX_TOLERANCE = 72;

const median = (values: number[]): number => {
  values.sort((a, b) => a - b);
  return values[values.length >> 1] ?? 0;
};

/** Estimate the background from a frame of `max(2, 3 %)` pixels around a packed RGB image. */
export function estimateBackground(rgb: Uint8Array, width: number, height: number): BackgroundEstimate {
  const t = Math.max(2, Math.round(Math.min(width, height) * 0.03));
  const rs: number[] = [];
  const gs: number[] = [];
  const bs: number[] = [];
  const at: number[] = [];
  for (let y = 0; y < height; y++) {
    const edgeRow = y < t || y >= height - t;
    for (let x = 0; x < width; x++) {
      if (!edgeRow && x >= t && x < width - t) continue;
      const i = (y * width + x) * 3;
      rs.push(rgb[i] as number);
      gs.push(rgb[i + 1] as number);
      bs.push(rgb[i + 2] as number);
      at.push(i);
    }
  }
  const bg = { r: median([...rs]), g: median([...gs]), b: median([...bs]) };
  const dist = at.map((i) => distance(rgb, i, bg));
  dist.sort((a, b) => a - b);
  // 80th percentile of the border's distances: tolerant of textures, not fooled by product pixels on the border
  const spread = dist[Math.floor(dist.length * 0.8)] ?? 0;
  return { ...bg, tolerance: Math.min(MAX_TOLERANCE, Math.max(MIN_TOLERANCE, spread * 1.5 + 8)) };
}

function distance(rgb: Uint8Array, i: number, bg: { r: number; g: number; b: number }): number {
  return Math.max(
    Math.abs((rgb[i] as number) - bg.r),
    Math.abs((rgb[i + 1] as number) - bg.g),
    Math.abs((rgb[i + 2] as number) - bg.b),
  );
}

/**
 * A photo of a backdrop laid on another surface (or a rotated photo whose corners were filled with another colour):
 * the border shows the outer colour, and the backdrop itself stays "foreground" in `mask`, so nothing is trimmed.
 * When an inner ring (inset by 10 % of the shorter side) is mostly foreground under the first estimate and mostly one
 * flat colour, that colour is background too: returns the mask with those pixels cleared, else `mask` unchanged.
 */
export function refineLayeredBackground(
  rgb: Uint8Array,
  width: number,
  height: number,
  bg: BackgroundEstimate,
  mask: Uint8Array,
): Uint8Array {
  const inset = Math.round(Math.min(width, height) * 0.1);
  const t = Math.max(2, Math.round(Math.min(width, height) * 0.03));
  if (width - 2 * (inset + t) < 8 || height - 2 * (inset + t) < 8) return mask;
  const at: number[] = [];
  for (let y = inset; y < height - inset; y++) {
    const edgeRow = y < inset + t || y >= height - inset - t;
    for (let x = inset; x < width - inset; x++) {
      if (!edgeRow && x >= inset + t && x < width - inset - t) continue;
      at.push(y * width + x);
    }
  }
  const foreground = at.filter((p) => mask[p]).length;
  if (foreground < at.length * 0.75) return mask;
  const inner = {
    r: median(at.map((p) => rgb[p * 3] as number)),
    g: median(at.map((p) => rgb[p * 3 + 1] as number)),
    b: median(at.map((p) => rgb[p * 3 + 2] as number)),
  };
  const near = at.filter((p) => distance(rgb, p * 3, inner) <= MIN_TOLERANCE).length;
  if (near < at.length * 0.75 || distance(new Uint8Array([inner.r, inner.g, inner.b]), 0, bg) <= bg.tolerance)
    return mask;
  const out = new Uint8Array(mask);
  for (let p = 0, i = 0; p < out.length; p++, i += 3)
    if (out[p] && distance(rgb, i, inner) <= MIN_TOLERANCE) out[p] = 0;
  return out;
}

/** 255 where a pixel is foreground, 0 where it is background. */
export function foregroundMask(rgb: Uint8Array, width: number, height: number, bg: BackgroundEstimate): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let p = 0, i = 0; p < mask.length; p++, i += 3) mask[p] = distance(rgb, i, bg) > bg.tolerance ? 255 : 0;
  return mask;
}

/**
 * The box holding the foreground, ignoring rows and columns with under 1 % foreground pixels (texture speckle),
 * grown by a 3 % margin; undefined when there is no foreground or the box is the whole image.
 */
export function foregroundBox(
  mask: Uint8Array,
  width: number,
  height: number,
): { left: number; top: number; width: number; height: number } | undefined {
  const rows = new Uint32Array(height);
  const cols = new Uint32Array(width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x]) {
        rows[y] = (rows[y] as number) + 1;
        cols[x] = (cols[x] as number) + 1;
      }
    }
  }
  const span = (counts: Uint32Array, min: number): [number, number] | undefined => {
    let lo = 0;
    while (lo < counts.length && (counts[lo] as number) < min) lo++;
    let hi = counts.length - 1;
    while (hi > lo && (counts[hi] as number) < min) hi--;
    return lo < counts.length ? [lo, hi] : undefined;
  };
  const ys = span(rows, Math.max(1, width * 0.01));
  const xs = span(cols, Math.max(1, height * 0.01));
  if (!ys || !xs) return undefined;
  const m = Math.round(Math.max(width, height) * 0.03);
  const left = Math.max(0, xs[0] - m);
  const top = Math.max(0, ys[0] - m);
  const right = Math.min(width - 1, xs[1] + m);
  const bottom = Math.min(height - 1, ys[1] + m);
  const box = { left, top, width: right - left + 1, height: bottom - top + 1 };
  if (box.width < 4 || box.height < 4) return undefined;
  return box.width === width && box.height === height ? undefined : box;
}
