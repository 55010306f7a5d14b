import type { NormArgs, NormBackwardArgs } from '../backend.js';
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
  const ptrs = rt.arena([4 * n, 4 * cols, 4 * cols, 4 * rows, 4 * rows], 1);
  if (!ptrs) return false;
  const [xp, wp, bp, mp, rp] = ptrs as [number, number, number, number, number];
  const [w, b] = affine(weight, rms ? null : bias, cols);
  rt.put(xp, x.subarray(0, n));
  rt.put(wp, w);
  rt.put(bp, b);
  rt.kernels.layer_norm_f32(xp, wp, bp, mp, rp, rows, cols, eps, rms ? 1 : 0);
  rt.get(xp, out.subarray(0, n));
  if (!rms) rt.get(mp, mean.subarray(0, rows));
  rt.get(rp, rstd.subarray(0, rows));
  return true;
}

/** float32 layer norm / RMS norm backward on the WASM kernels; false for other dtypes. */
export function wasmLayerNormBackward(rt: WasmRuntime, args: NormBackwardArgs): boolean {
  const { dy, x, weight, mean, rstd, dx, dweight, dbias, rows, cols, rms } = args;
  if (!(f32(dy) && f32(x) && f32(mean) && f32(rstd) && f32(dx))) return false;
  if ((weight && !f32(weight)) || (dweight && !f32(dweight)) || (dbias && !f32(dbias))) return false;
  const n = rows * cols;
  const ptrs = rt.arena([4 * n, 4 * n, 4 * cols, 4 * rows, 4 * rows, 4 * cols, 4 * cols], 1);
  if (!ptrs) return false;
  const [dp, xp, wp, mp, rp, dwp, dbp] = ptrs as [number, number, number, number, number, number, number];
  rt.put(dp, dy.subarray(0, n));
  rt.put(xp, x.subarray(0, n));
  rt.put(wp, affine(weight, null, cols)[0]);
  if (!rms) rt.put(mp, mean.subarray(0, rows));
  rt.put(rp, rstd.subarray(0, rows));
  rt.kernels.layer_norm_backward_f32(dp, xp, wp, mp, rp, dwp, dbp, rows, cols, rms ? 1 : 0);
  rt.get(dp, dx.subarray(0, n));
  if (dweight) rt.get(dwp, dweight.subarray(0, cols));
  if (dbias) rt.get(dbp, dbias.subarray(0, cols));
  return true;
}
