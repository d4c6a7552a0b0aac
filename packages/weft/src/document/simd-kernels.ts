/**
 * WebAssembly SIMD kernels for vector matching, assembled at first use by `simd-assembly.ts` (2 KB
 * of bytecode; no toolchain, no dependency). Index rows are stored as float32 and widened exactly to float64,
 * queries as float64; products and sums use f64x2 lanes, so scores equal the plain-JS kernels' up to summation
 * order, about 4x faster. `simdWorkspace()` returns `undefined` when the runtime lacks WebAssembly SIMD or the
 * data would not fit in a 32-bit memory; callers then use the JS kernels of `metrics.ts`.
 */
import { assembleKernels } from './simd-assembly.js';
import type { TopK } from './top-k.js';

/** Kernel exports: (queries ptr, rows ptr, stride, out ptr), results as 8 float64 at out. */
type Kernel = (q: number, x: number, stride: number, out: number) => void;
interface Kernels {
  dot4x2: Kernel;
  sq4x2: Kernel;
  dot1x8: Kernel;
  sq1x8: Kernel;
}

const PAGE = 65536;
const OUT_BYTES = 64;
/** Above this the memory is released after the call instead of being kept for the next one. */
const KEEP_BYTES = 64 * 1024 * 1024;
const MAX_BYTES = 2 ** 31;
const TILE_BYTES = 128 * 1024;

/** The slice of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;
let cached: { memory: WasmMemory; kernels: Kernels } | undefined;

/**
 * A workspace for `m` queries and `n` index rows of `d` values, or `undefined` without WebAssembly SIMD (or
 * when a wasm memory that large cannot be had).
 * @example const ws = simdWorkspace(100, 10_000, 512); // fill ws.Q and ws.X, then ws.scan('dot', scale, top)
 */
export function simdWorkspace(m: number, n: number, d: number): SimdWorkspace | undefined {
  const module = simdModule();
  if (!module || !wasm) return undefined;
  const stride = d + (d & 1);
  const rows = Math.ceil(n / 8) * 8;
  const bytes = OUT_BYTES + (m + 1) * stride * 8 + rows * stride * 4;
  if (bytes > MAX_BYTES) return undefined;
  let state = cached;
  try {
    if (!state) {
      const memory = new wasm.Memory({ initial: Math.ceil(bytes / PAGE) });
      const instance = new wasm.Instance(module, { env: { mem: memory } });
      state = { memory, kernels: instance.exports as Kernels };
    } else if (state.memory.buffer.byteLength < bytes) {
      state.memory.grow(Math.ceil((bytes - state.memory.buffer.byteLength) / PAGE));
    }
  } catch {
    return undefined; // no room for a wasm heap: the JS kernels need none
  }
  cached = state.memory.buffer.byteLength <= KEEP_BYTES ? state : undefined;
  return new SimdWorkspace(state.memory.buffer, state.kernels, m, n, stride, rows);
}

/**
 * Packed buffers inside WebAssembly memory: the caller fills `Q` and `X`, then scans. Memory layout (bytes):
 * 8 float64 results | one zero query row | `m` query rows (float64) | `rows` index rows (float32).
 */
export class SimdWorkspace {
  /** Query rows, `stride` float64 values apart (values past `d` must be 0). */
  readonly Q: Float64Array;
  /**
   * Index rows, `stride` float32 values apart (values past `d` must be 0). Rows `n` up to the next multiple of 8
   * are padding that the kernels read and the scan ignores.
   */
  readonly X: Float32Array;
  /** Row stride in values: `d` rounded up to even. */
  readonly stride: number;
  readonly #k: Kernels;
  readonly #out: Float64Array;
  readonly #m: number;
  readonly #n: number;
  readonly #rows: number;
  readonly #zeroAt: number;
  readonly #qAt: number;
  readonly #xAt: number;

  constructor(buffer: ArrayBuffer, kernels: Kernels, m: number, n: number, stride: number, rows: number) {
    this.#k = kernels;
    this.#m = m;
    this.#n = n;
    this.#rows = rows;
    this.stride = stride;
    this.#zeroAt = OUT_BYTES;
    this.#qAt = this.#zeroAt + stride * 8;
    this.#xAt = this.#qAt + m * stride * 8;
    this.#out = new Float64Array(buffer, 0, 8);
    new Float64Array(buffer, this.#zeroAt, stride).fill(0); // the memory may hold an earlier call's data
    this.Q = new Float64Array(buffer, this.#qAt, m * stride);
    this.X = new Float32Array(buffer, this.#xAt, rows * stride);
  }

  /** `1 / |x|` for every index row (0 for a zero row). */
  inverseRowNorms(): Float64Array {
    const n = this.#n;
    const inv = new Float64Array(n);
    const out = this.#out;
    const xRow = this.stride * 4;
    for (let r = 0; r < n; r += 8) {
      this.#k.sq1x8(this.#zeroAt, this.#xAt + r * xRow, this.stride, 0); // |0 - x|^2
      for (let u = 0; u < 8 && r + u < n; u++) {
        const norm = Math.sqrt(out[u] as number);
        inv[r + u] = norm > 0 ? 1 / norm : 0;
      }
    }
    return inv;
  }

  /**
   * Offer every (query, row) key to list q of `top`: `-(q . x) * scale[r]` (`scale` defaults to 1) for
   * `'dot'`, `|q - x|^2` for `'sqdist'`. Rows of one list are offered in ascending order.
   */
  scan(kind: 'dot' | 'sqdist', scale: Float64Array | undefined, top: TopK): void {
    const { stride } = this;
    const m = this.#m;
    const n = this.#n;
    const out = this.#out;
    const worst = top.worst;
    const quad = kind === 'dot' ? this.#k.dot4x2 : this.#k.sq4x2;
    const single = kind === 'dot' ? this.#k.dot1x8 : this.#k.sq1x8;
    // key = raw score * factor[r]; NaN for padding rows, which therefore never enter a list
    const factor = new Float64Array(this.#rows).fill(Number.NaN);
    for (let r = 0; r < n; r++) factor[r] = kind === 'sqdist' ? 1 : scale ? -(scale[r] as number) : -1;
    const qRow = stride * 8;
    const xRow = stride * 4;
    const qAt = this.#qAt;
    const xAt = this.#xAt;
    const step = Math.max(8, Math.floor(TILE_BYTES / xRow / 8) * 8);
    const m4 = m - (m % 4);
    for (let r0 = 0; r0 < n; r0 += step) {
      const r1 = Math.min(n, r0 + step);
      for (let q = 0; q < m4; q += 4) {
        const qp = qAt + q * qRow;
        for (let r = r0; r < r1; r += 2) {
          quad(qp, xAt + r * xRow, stride, 0);
          const c = factor[r] as number;
          const e = factor[r + 1] as number;
          let key = (out[0] as number) * c;
          if (key < (worst[q] as number)) top.insert(q, key, r);
          key = (out[4] as number) * e;
          if (key < (worst[q] as number)) top.insert(q, key, r + 1);
          key = (out[1] as number) * c;
          if (key < (worst[q + 1] as number)) top.insert(q + 1, key, r);
          key = (out[5] as number) * e;
          if (key < (worst[q + 1] as number)) top.insert(q + 1, key, r + 1);
          key = (out[2] as number) * c;
          if (key < (worst[q + 2] as number)) top.insert(q + 2, key, r);
          key = (out[6] as number) * e;
          if (key < (worst[q + 2] as number)) top.insert(q + 2, key, r + 1);
          key = (out[3] as number) * c;
          if (key < (worst[q + 3] as number)) top.insert(q + 3, key, r);
          key = (out[7] as number) * e;
          if (key < (worst[q + 3] as number)) top.insert(q + 3, key, r + 1);
        }
      }
      for (let q = m4; q < m; q++) {
        for (let r = r0; r < r1; r += 8) {
          single(qAt + q * qRow, xAt + r * xRow, stride, 0);
          for (let u = 0; u < 8; u++) {
            const key = (out[u] as number) * (factor[r + u] as number);
            if (key < (worst[q] as number)) top.insert(q, key, r + u);
          }
        }
      }
    }
  }
}

/** The compiled kernel module, or `null` when WebAssembly SIMD is unavailable. */
function simdModule(): object | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = assembleKernels();
    compiled = wasm?.validate(bytes) ? new wasm.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}
