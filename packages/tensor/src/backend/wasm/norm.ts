import type { NormArgs, NormBackwardArgs } from '../backend.js';
import { KernelOperands } from './kernel-operands.js';
import type { WasmRuntime } from './runtime.js';

const f32 = (a: unknown): a is Float32Array => a instanceof Float32Array;

/** `[cols]` weight or ones, bias or zeros, for the kernels that always read both. */
function affine(
  weight: Float32Array | null,
  bias: Float32Array | null,
  cols: number,
): [Float32Array, Float32Array] {
  return [weight ?? new Float32Array(cols).fill(1), bias ?? new Float32Array(cols)];
}

/** float32 layer norm / RMS norm forward on the WASM kernels; false for other dtypes. */
export function wasmLayerNorm(rt: WasmRuntime, args: NormArgs): boolean {
  const { x, weight, bias, out, mean, rstd, rows, cols, eps, rms } = args;
  if (!(f32(x) && f32(out) && f32(mean) && f32(rstd))) return false;
  if ((weight && !f32(weight)) || (bias && !f32(bias))) return false;
  const n = rows * cols;
  if (n === 0) return false; // empty rows: the reference defines their (NaN) statistics
  const [w, b] = affine(weight, rms ? null : bias, cols);
  const ops = new KernelOperands(rt);
  ops.update(x, out, n);
  ops.read(w, 0, cols);
  ops.read(b, 0, cols);
  if (rms) ops.scratch(4 * rows);
  else ops.write(mean, rows);
  ops.write(rstd, rows);
  const ptrs = ops.place<5>();
  if (!ptrs) return false;
  const [xp, wp, bp, mp, rp] = ptrs;
  rt.kernels.layer_norm_f32(xp, wp, bp, mp, rp, rows, cols, eps, rms ? 1 : 0);
  ops.finish();
  return true;
}

/** float32 layer norm / RMS norm backward on the WASM kernels; false for other dtypes. */
export function wasmLayerNormBackward(rt: WasmRuntime, args: NormBackwardArgs): boolean {
  const { dy, x, weight, mean, rstd, dx, dweight, dbias, rows, cols, rms } = args;
  if (!(f32(dy) && f32(x) && f32(mean) && f32(rstd) && f32(dx))) return false;
  if ((weight && !f32(weight)) || (dweight && !f32(dweight)) || (dbias && !f32(dbias))) return false;
  const n = rows * cols;
  const ops = new KernelOperands(rt);
  ops.update(dy, dx, n);
  ops.read(x, 0, n);
  ops.read(affine(weight, null, cols)[0], 0, cols);
  if (rms) ops.scratch(4 * rows);
  else ops.read(mean, 0, rows);
  ops.read(rstd, 0, rows);
  for (const grad of [dweight, dbias]) {
    if (grad) ops.write(grad, cols);
    else ops.scratch(4 * cols);
  }
  const ptrs = ops.place<7>();
  if (!ptrs) return false;
  const [dp, xp, wp, mp, rp, dwp, dbp] = ptrs;
  rt.kernels.layer_norm_backward_f32(dp, xp, wp, mp, rp, dwp, dbp, rows, cols, rms ? 1 : 0);
  ops.finish();
  return true;
}
