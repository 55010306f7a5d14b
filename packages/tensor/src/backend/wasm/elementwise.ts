import type { TypedArray } from '../../dtype.js';
import type { UnaryOp } from '../backend.js';
import type { WasmRuntime } from './runtime.js';

/** Op codes of `unary_f32` (asm/unary.wat). Ops missing here run on the JS kernels. */
const UNARY_CODES: Partial<Record<UnaryOp, number>> = {
  neg: 0,
  exp: 1,
  log: 2,
  sqrt: 3,
  rsqrt: 4,
  tanh: 5,
  sigmoid: 6,
  relu: 7,
  gelu: 8,
  geluTanh: 9,
  silu: 10,
  abs: 11,
  sign: 12,
  square: 13,
  reciprocal: 14,
  floor: 15,
  ceil: 16,
  round: 17,
  erf: 18,
};

/** Rounds a float count up to whole f32x4 vectors. */
export function vectors(n: number): number {
  return (n + 3) & ~3;
}

/** float32 `out = op(x)` on the WASM kernels; false when the op or dtypes are not covered. */
export function wasmUnary(rt: WasmRuntime, op: UnaryOp, x: TypedArray, out: TypedArray): boolean {
  const code = UNARY_CODES[op];
  if (code === undefined || !(x instanceof Float32Array) || !(out instanceof Float32Array)) return false;
  const n = x.length;
  if (n === 0) return true;
  const ptrs = rt.arena([4 * vectors(n)], 1);
  if (!ptrs) return false;
  const p = ptrs[0]!;
  rt.f32.set(x, p >> 2);
  rt.kernels.unary_f32(code, p, vectors(n));
  out.set(rt.f32.subarray(p >> 2, (p >> 2) + n));
  return true;
}
