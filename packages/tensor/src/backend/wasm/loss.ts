import type { CrossEntropyArgs, CrossEntropyBackwardArgs } from '../backend.js';
import { checkTargets } from '../js/cross-entropy.js';
import { KernelOperands } from './kernel-operands.js';
import type { WasmRuntime } from './runtime.js';

const f32 = (a: unknown): a is Float32Array => a instanceof Float32Array;

/** float32 fused cross-entropy forward on the WASM kernels; false for other dtypes. */
export function wasmCrossEntropy(rt: WasmRuntime, args: CrossEntropyArgs): boolean {
  const { logits, targets, losses, lse, rows, classes, ignoreIndex, labelSmoothing } = args;
  if (!(f32(logits) && f32(losses) && f32(lse))) return false;
  checkTargets(targets, rows, classes, ignoreIndex);
  const n = rows * classes;
  if (rows === 0 || classes === 0) return false; // degenerate: the reference defines the NaNs
  const ops = new KernelOperands(rt);
  ops.read(logits, 0, n);
  ops.read(targets, 0, rows);
  ops.write(losses, rows);
  ops.write(lse, rows);
  const ptrs = ops.place<4>();
  if (!ptrs) return false;
  const [xp, tp, lp, zp] = ptrs;
  rt.kernels.cross_entropy_f32(xp, tp, lp, zp, rows, classes, ignoreIndex, labelSmoothing);
  ops.finish();
  return true;
}

/** float32 fused cross-entropy backward on the WASM kernels; false for other dtypes. */
export function wasmCrossEntropyBackward(rt: WasmRuntime, args: CrossEntropyBackwardArgs): boolean {
  const { logits, targets, lse, scale, dlogits, rows, classes, ignoreIndex, labelSmoothing } = args;
  if (!(f32(logits) && f32(lse) && f32(dlogits)) || (typeof scale !== 'number' && !f32(scale))) return false;
  checkTargets(targets, rows, classes, ignoreIndex);
  const n = rows * classes;
  if (n === 0) return true;
  const ops = new KernelOperands(rt);
  ops.update(logits, dlogits, n);
  ops.read(targets, 0, rows);
  ops.read(lse, 0, rows);
  if (typeof scale === 'number') ops.scratch(4 * rows);
  else ops.read(scale, 0, rows);
  const ptrs = ops.place<4>();
  if (!ptrs) return false;
  const [xp, tp, zp, sp] = ptrs;
  if (typeof scale === 'number') rt.f32.fill(scale, sp >> 2, (sp >> 2) + rows);
  rt.kernels.cross_entropy_backward_f32(xp, tp, zp, sp, rows, classes, ignoreIndex, labelSmoothing);
  ops.finish();
  return true;
}
