import type { FloatArray, TypedArray } from '../../dtype.js';
import type { UnaryGradOp, UnaryOp } from '../backend.js';
import { KernelOperands } from './kernel-operands.js';
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

/** Rounds a float count up to the 16-float steps (four vectors) of the unary kernels. */
function steps(n: number): number {
  return (n + 15) & ~15;
}

/**
 * Floats per pass of the unary kernels: each pass copies a chunk in, runs the kernel over it and
 * copies it out while it is still in the cache (64 KiB per operand), instead of streaming whole
 * activations through memory three times.
 */
const CHUNK = 16384;

/** float32 `out = op(x)` on the WASM kernels; false when the op or dtypes are not covered. */
export function wasmUnary(rt: WasmRuntime, op: UnaryOp, x: TypedArray, out: TypedArray): boolean {
  const code = UNARY_CODES[op];
  if (code === undefined || !(x instanceof Float32Array) || !(out instanceof Float32Array)) return false;
  const n = x.length;
  if (n === 0) return true;
  if (rt.writableBytes(out) >= 4 * steps(n)) {
    // out lives in the memory: x goes there and the kernel runs over it in place, in one pass
    const ops = new KernelOperands(rt);
    const xy = ops.update(x, out, n, 4 * steps(n));
    const placed = ops.place();
    if (!placed) return false;
    rt.kernels.unary_f32(code, placed[xy]!, steps(n));
    ops.finish();
    return true;
  }
  const ptrs = rt.arena([4 * steps(Math.min(n, CHUNK))], 1);
  if (!ptrs) return false;
  const p = ptrs[0]!;
  for (let at = 0; at < n; at += CHUNK) {
    const end = Math.min(n, at + CHUNK);
    rt.put(p, x.subarray(at, end));
    rt.kernels.unary_f32(code, p, steps(end - at));
    rt.get(p, out.subarray(at, end));
  }
  return true;
}

/** Op codes of `unary_backward_f32` (asm/unary-grad.wat). */
const UNARY_GRAD_CODES: Record<UnaryGradOp, number> = {
  gelu: 0,
  geluTanh: 1,
  silu: 2,
  relu: 3,
  sigmoid: 4,
  tanh: 5,
};

/** float32 `dx = dy·f'(x)` on the WASM kernels; false for other dtypes. */
export function wasmUnaryBackward(
  rt: WasmRuntime,
  op: UnaryGradOp,
  x: FloatArray,
  dy: FloatArray,
  dx: FloatArray,
): boolean {
  const code = UNARY_GRAD_CODES[op];
  if (
    code === undefined ||
    !(x instanceof Float32Array && dy instanceof Float32Array && dx instanceof Float32Array)
  )
    return false;
  const n = x.length;
  if (n === 0) return true;
  if (rt.writableBytes(dx) >= 4 * steps(n)) {
    const ops = new KernelOperands(rt);
    const xi = ops.read(x, 0, n, 4 * steps(n));
    const di = ops.update(dy, dx, n, 4 * steps(n));
    const placed = ops.place();
    if (!placed) return false;
    rt.kernels.unary_backward_f32(code, placed[xi]!, placed[di]!, steps(n));
    ops.finish();
    return true;
  }
  const bytes = 4 * steps(Math.min(n, CHUNK));
  const ptrs = rt.arena([bytes, bytes], 1);
  if (!ptrs) return false;
  const [xp, dp] = ptrs as [number, number];
  for (let at = 0; at < n; at += CHUNK) {
    const end = Math.min(n, at + CHUNK);
    rt.put(xp, x.subarray(at, end));
    rt.put(dp, dy.subarray(at, end));
    rt.kernels.unary_backward_f32(code, xp, dp, steps(end - at));
    rt.get(dp, dx.subarray(at, end));
  }
  return true;
}
