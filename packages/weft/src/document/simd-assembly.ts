/**
 * A minimal WebAssembly assembler for the matching kernels of `simd-kernels.ts`: LEB128 numbers, the handful of
 * opcodes used, and a generator for "nq query rows x nr index rows" kernels that keep nq * nr f64x2
 * accumulators, widen 2 float32 index values per step and read 2 float64 query values per step.
 */

const I32 = 0x7f;
const V128 = 0x7b;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_SHL = 0x74;
const I32_LT_U = 0x49;
const I32_EQZ = 0x45;
const F64_ADD = 0xa0;
const F64_STORE = 0x39;
const BLOCK = 0x02;
const LOOP = 0x03;
const BR_IF = 0x0d;
const END = 0x0b;
const VOID = 0x40;
// SIMD opcodes (0xfd prefix)
const V128_LOAD = 0;
const V128_LOAD64_ZERO = 93;
const F64X2_EXTRACT_LANE = 33;
const F64X2_PROMOTE_LOW_F32X4 = 95;
const F64X2_ADD = 240;
const F64X2_SUB = 241;
const F64X2_MUL = 242;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

const get = (i: number): number[] => [LOCAL_GET, ...uleb(i)];
const set = (i: number): number[] => [LOCAL_SET, ...uleb(i)];
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
/** `local[i] += by` for an i32 local (`by` < 64). */
const bump = (i: number, by: number): number[] => [...get(i), I32_CONST, by, I32_ADD, ...set(i)];

/**
 * Body of a kernel over `nq` query rows x `nr` index rows. Params: q, x, stride, out (i32). Each step takes
 * 2 values per row: 2 float32 of each index row widened to f64x2, one f64x2 of each query row.
 */
function kernelBody(kind: 'dot' | 'sq', nq: number, nr: number): number[] {
  const [Q, X, STRIDE, OUT] = [0, 1, 2, 3];
  const J = 4;
  const QP = 5; // nq pointers
  const XP = QP + nq; // nr pointers
  const SQ = XP + nr;
  const SX = SQ + 1;
  const ACC = SX + 1; // nq * nr v128 accumulators (zero-initialised, as all wasm locals)
  const XV = ACC + nq * nr;
  const QV = XV + nr;
  const TMP = QV + 1;
  const i32Locals = SX + 1 - J;
  const v128Locals = TMP + 1 - ACC;
  const code: number[] = [2, ...uleb(i32Locals), I32, ...uleb(v128Locals), V128];
  const emit = (...parts: number[][]): void => {
    for (const p of parts) code.push(...p);
  };
  emit(get(STRIDE), [I32_CONST, 3, I32_SHL], set(SQ), get(STRIDE), [I32_CONST, 2, I32_SHL], set(SX));
  emit(get(Q), set(QP), get(X), set(XP));
  for (let t = 1; t < nq; t++) emit(get(QP + t - 1), get(SQ), [I32_ADD], set(QP + t));
  for (let u = 1; u < nr; u++) emit(get(XP + u - 1), get(SX), [I32_ADD], set(XP + u));
  emit([BLOCK, VOID], get(STRIDE), [I32_EQZ, BR_IF, 0], [LOOP, VOID]);
  for (let u = 0; u < nr; u++) {
    emit(get(XP + u), simd(V128_LOAD64_ZERO, 3, 0), simd(F64X2_PROMOTE_LOW_F32X4), set(XV + u), bump(XP + u, 8));
  }
  for (let t = 0; t < nq; t++) {
    emit(get(QP + t), simd(V128_LOAD, 4, 0), set(QV), bump(QP + t, 16));
    for (let u = 0; u < nr; u++) {
      const acc = ACC + u * nq + t;
      if (kind === 'dot') {
        emit(get(acc), get(QV), get(XV + u), simd(F64X2_MUL), simd(F64X2_ADD), set(acc));
      } else {
        emit(get(QV), get(XV + u), simd(F64X2_SUB), set(TMP));
        emit(get(acc), get(TMP), get(TMP), simd(F64X2_MUL), simd(F64X2_ADD), set(acc));
      }
    }
  }
  emit(bump(J, 2), get(J), get(STRIDE), [I32_LT_U, BR_IF, 0, END, END]);
  // out[u * nq + t] = lane 0 + lane 1
  for (let k = 0; k < nq * nr; k++) {
    emit(get(OUT), get(ACC + k), simd(F64X2_EXTRACT_LANE, 0), get(ACC + k), simd(F64X2_EXTRACT_LANE, 1));
    emit([F64_ADD, F64_STORE, 3, ...uleb(k * 8)]);
  }
  code.push(END);
  return [...uleb(code.length), ...code];
}

function section(id: number, items: number[][]): number[] {
  const body = [...uleb(items.length), ...items.flat()];
  return [id, ...uleb(body.length), ...body];
}

const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/**
 * The kernel module: imports its memory as `env.mem`; exports `dot4x2`, `sq4x2` (4 query rows x 2 index rows)
 * and `dot1x8`, `sq1x8` (1 x 8), each `(queries, rows, stride, out) => void` writing `out[row * nq + query]`
 * as float64 (`dot`: inner products; `sq`: squared distances).
 * @example new WebAssembly.Module(assembleKernels())
 */
export function assembleKernels(): Uint8Array {
  const kernels: [string, 'dot' | 'sq', number, number][] = [
    ['dot4x2', 'dot', 4, 2],
    ['sq4x2', 'sq', 4, 2],
    ['dot1x8', 'dot', 1, 8],
    ['sq1x8', 'sq', 1, 8],
  ];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [[0x60, 4, I32, I32, I32, I32, 0]]), // type 0: (i32 x4) -> ()
    ...section(2, [[...name('env'), ...name('mem'), 0x02, 0x00, 0x01]]), // import memory, min 1 page
    ...section(
      3,
      kernels.map(() => [0]),
    ),
    ...section(
      7,
      kernels.map(([n], i) => [...name(n), 0x00, i]),
    ),
    ...section(
      10,
      kernels.map(([, kind, nq, nr]) => kernelBody(kind, nq, nr)),
    ),
  ]);
}
