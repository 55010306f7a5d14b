import type { TypedArray } from '../../dtype.js';
import { erf, erfc, erfcFast, erfFast, SQRT_2_OVER_PI } from '../../math.js';
import { contiguousStrides } from '../../shape.js';
import type { BinaryOp, StridedView, UnaryOp } from '../backend.js';
import { forEachRow } from './strided.js';

/** Reference unary kernel: one tight loop per op, chosen once per call. */
export function unary(op: UnaryOp, x: TypedArray, out: TypedArray): void {
  const n = x.length;
  const precise = x instanceof Float64Array || out instanceof Float64Array;
  switch (op) {
    case 'neg':
      for (let i = 0; i < n; i++) out[i] = -x[i]!;
      return;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]!);
      return;
    case 'log':
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]!);
      return;
    case 'sqrt':
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]!);
      return;
    case 'rsqrt':
      for (let i = 0; i < n; i++) out[i] = 1 / Math.sqrt(x[i]!);
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]!);
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        out[i] = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
      }
      return;
    case 'relu':
      for (let i = 0; i < n; i++) out[i] = x[i]! <= 0 ? 0 : x[i]!; // NaN propagates, as PyTorch
      return;
    case 'gelu': {
      // 0.5·x·(1 + erf(x/√2)) written with erfc, so negative inputs keep their relative precision.
      const erfcFn = precise ? erfc : erfcFast;
      for (let i = 0; i < n; i++) out[i] = 0.5 * x[i]! * erfcFn(-x[i]! * Math.SQRT1_2);
      return;
    }
    case 'geluTanh':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        out[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
      }
      return;
    case 'silu':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        out[i] = v >= 0 ? v / (1 + Math.exp(-v)) : (v * Math.exp(v)) / (1 + Math.exp(v));
      }
      return;
    case 'abs':
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!);
      return;
    case 'sign':
      for (let i = 0; i < n; i++) out[i] = Math.sign(x[i]!);
      return;
    case 'square':
      for (let i = 0; i < n; i++) out[i] = x[i]! * x[i]!;
      return;
    case 'reciprocal':
      for (let i = 0; i < n; i++) out[i] = 1 / x[i]!;
      return;
    case 'sin':
      for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]!);
      return;
    case 'cos':
      for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]!);
      return;
    case 'floor':
      for (let i = 0; i < n; i++) out[i] = Math.floor(x[i]!);
      return;
    case 'ceil':
      for (let i = 0; i < n; i++) out[i] = Math.ceil(x[i]!);
      return;
    case 'round':
      // Round half to even, as PyTorch and NumPy do.
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        const r = Math.round(v);
        out[i] = r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
      }
      return;
    case 'erf': {
      const erfFn = precise ? erf : erfFast;
      for (let i = 0; i < n; i++) out[i] = erfFn(x[i]!);
      return;
    }
    case 'logicalNot':
      for (let i = 0; i < n; i++) out[i] = x[i] === 0 ? 1 : 0; // NaN is true, as PyTorch
      return;
    default:
      throw new Error(`unary kernel: unknown op '${String(op)}'`);
  }
}

/** Reference binary kernel over strided (broadcast) operands. */
export function binary(
  op: BinaryOp,
  a: StridedView,
  b: StridedView,
  out: TypedArray,
  shape: readonly number[],
): void {
  const x = a.data;
  const y = b.data;
  const outView: StridedView = { data: out, offset: 0, strides: contiguousStrides(shape) };
  forEachRow(shape, [a, b, outView], (offsets, _r, n, strides) => {
    let ai = offsets[0]!;
    let bi = offsets[1]!;
    const o = offsets[2]!;
    const sa = strides[0]!;
    const sb = strides[1]!;
    switch (op) {
      case 'add':
        for (let j = 0; j < n; j++, ai += sa, bi += sb) out[o + j] = x[ai]! + y[bi]!;
        return;
      case 'sub':
        for (let j = 0; j < n; j++, ai += sa, bi += sb) out[o + j] = x[ai]! - y[bi]!;
        return;
      case 'mul':
        for (let j = 0; j < n; j++, ai += sa, bi += sb) out[o + j] = x[ai]! * y[bi]!;
        return;
      case 'div':
        for (let j = 0; j < n; j++, ai += sa, bi += sb) out[o + j] = x[ai]! / y[bi]!;
        return;
      case 'pow':
        for (let j = 0; j < n; j++, ai += sa, bi += sb) out[o + j] = x[ai]! ** y[bi]!;
        return;
      case 'maximum':
        for (let j = 0; j < n; j++, ai += sa, bi += sb) {
          const u = x[ai]!;
          const v = y[bi]!;
          out[o + j] = u !== u || u > v ? u : v; // NaN propagates
        }
        return;
      case 'minimum':
        for (let j = 0; j < n; j++, ai += sa, bi += sb) {
          const u = x[ai]!;
          const v = y[bi]!;
          out[o + j] = u !== u || u < v ? u : v;
        }
        return;
      case 'eq':
        for (let j = 0; j < n; j++, ai += sa, bi += sb) out[o + j] = x[ai] === y[bi] ? 1 : 0;
        return;
      case 'ne':
        for (let j = 0; j < n; j++, ai += sa, bi += sb) out[o + j] = x[ai] !== y[bi] ? 1 : 0;
        return;
      case 'lt':
        for (let j = 0; j < n; j++, ai += sa, bi += sb) out[o + j] = x[ai]! < y[bi]! ? 1 : 0;
        return;
      case 'le':
        for (let j = 0; j < n; j++, ai += sa, bi += sb) out[o + j] = x[ai]! <= y[bi]! ? 1 : 0;
        return;
      case 'gt':
        for (let j = 0; j < n; j++, ai += sa, bi += sb) out[o + j] = x[ai]! > y[bi]! ? 1 : 0;
        return;
      case 'ge':
        for (let j = 0; j < n; j++, ai += sa, bi += sb) out[o + j] = x[ai]! >= y[bi]! ? 1 : 0;
        return;
      case 'logicalAnd':
        for (let j = 0; j < n; j++, ai += sa, bi += sb) out[o + j] = x[ai] !== 0 && y[bi] !== 0 ? 1 : 0;
        return;
      case 'logicalOr':
        for (let j = 0; j < n; j++, ai += sa, bi += sb) out[o + j] = x[ai] !== 0 || y[bi] !== 0 ? 1 : 0;
        return;
      default:
        throw new Error(`binary kernel: unknown op '${String(op)}'`);
    }
  });
}

/** Reference strided copy into a contiguous array (converting element type on assignment). */
export function copy(src: StridedView, out: TypedArray, shape: readonly number[]): void {
  const x = src.data;
  const toBool = out instanceof Uint8Array && !(x instanceof Uint8Array);
  const outView: StridedView = { data: out, offset: 0, strides: contiguousStrides(shape) };
  forEachRow(shape, [src, outView], (offsets, _r, n, strides) => {
    let si = offsets[0]!;
    const o = offsets[1]!;
    const s = strides[0]!;
    if (toBool)
      for (let j = 0; j < n; j++, si += s) out[o + j] = x[si] !== 0 ? 1 : 0; // NaN → true
    else if (s === 1 && x.constructor === out.constructor) out.set(x.subarray(si, si + n) as never, o);
    else for (let j = 0; j < n; j++, si += s) out[o + j] = x[si]!;
  });
}

/** Reference select: `out = cond ? a : b` over strided operands. */
export function where(
  cond: StridedView,
  a: StridedView,
  b: StridedView,
  out: TypedArray,
  shape: readonly number[],
): void {
  const c = cond.data;
  const x = a.data;
  const y = b.data;
  const outView: StridedView = { data: out, offset: 0, strides: contiguousStrides(shape) };
  forEachRow(shape, [cond, a, b, outView], (offsets, _r, n, strides) => {
    let ci = offsets[0]!;
    let ai = offsets[1]!;
    let bi = offsets[2]!;
    const o = offsets[3]!;
    const [sc, sa, sb] = strides as [number, number, number];
    for (let j = 0; j < n; j++, ci += sc, ai += sa, bi += sb) out[o + j] = c[ci] !== 0 ? x[ai]! : y[bi]!;
  });
}
