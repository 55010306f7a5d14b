import type { CrossEntropyArgs, CrossEntropyBackwardArgs } from '../backend.js';
import { checkTargets } from '../js/cross-entropy.js';
import type { WasmRuntime } from './runtime.js';

const f32 = (a: unknown): a is Float32Array => a instanceof Float32Array;

/** float32 fused cross-entropy forward on the WASM kernels; false for other dtypes. */
export function wasmCrossEntropy(rt: WasmRuntime, args: CrossEntropyArgs): boolean {
  const { logits, targets, losses, lse, rows, classes, ignoreIndex, labelSmoothing } = args;
  if (!(f32(logits) && f32(losses) && f32(lse))) return false;
  checkTargets(targets, rows, classes, ignoreIndex);
  const n = rows * classes;
  if (rows === 0 || classes === 0) return false; // degenerate: the reference defines the NaNs
  const ptrs = rt.arena([4 * n, 4 * rows, 4 * rows, 4 * rows], 1);
  if (!ptrs) return false;
  const [xp, tp, lp, zp] = ptrs as [number, number, number, number];
  rt.put(xp, logits.subarray(0, n));
  rt.put(tp, targets.subarray(0, rows));
  rt.kernels.cross_entropy_f32(xp, tp, lp, zp, rows, classes, ignoreIndex, labelSmoothing);
  rt.get(lp, losses.subarray(0, rows));
  rt.get(zp, lse.subarray(0, rows));
  return true;
}

/** float32 fused cross-entropy backward on the WASM kernels; false for other dtypes. */
export function wasmCrossEntropyBackward(rt: WasmRuntime, args: CrossEntropyBackwardArgs): boolean {
  const { logits, targets, lse, scale, dlogits, rows, classes, ignoreIndex, labelSmoothing } = args;
  if (!(f32(logits) && f32(lse) && f32(dlogits)) || (typeof scale !== 'number' && !f32(scale))) return false;
  checkTargets(targets, rows, classes, ignoreIndex);
  const n = rows * classes;
  if (n === 0) return true;
  const ptrs = rt.arena([4 * n, 4 * rows, 4 * rows, 4 * rows], 1);
  if (!ptrs) return false;
  const [xp, tp, zp, sp] = ptrs as [number, number, number, number];
  rt.put(xp, logits.subarray(0, n));
  rt.put(tp, targets.subarray(0, rows));
  rt.put(zp, lse.subarray(0, rows));
  if (typeof scale === 'number') rt.f32.fill(scale, sp >> 2, (sp >> 2) + rows);
  else rt.put(sp, scale.subarray(0, rows));
  rt.kernels.cross_entropy_backward_f32(xp, tp, zp, sp, rows, classes, ignoreIndex, labelSmoothing);
  rt.get(xp, dlogits.subarray(0, n));
  return true;
}
