import type { AdamWArgs } from '../backend.js';
import { vectors } from './elementwise.js';
import type { WasmRuntime } from './runtime.js';

/** float32 AdamW step on the WASM kernels; false for other dtypes. */
export function wasmAdamW(rt: WasmRuntime, args: AdamWArgs): boolean {
  const { param, grad, m, v, lr, beta1, beta2, eps, weightDecay, step } = args;
  const all = [param, grad, m, v];
  if (!all.every((a) => a instanceof Float32Array)) return false;
  const n = param.length;
  if (n === 0) return true;
  const bytes = 4 * vectors(n);
  const ptrs = rt.arena([bytes, bytes, bytes, bytes], 1);
  if (!ptrs) return false;
  const [pp, gp, mp, vp] = ptrs as [number, number, number, number];
  all.forEach((a, i) => rt.put(ptrs[i]!, a as Float32Array));
  const stepSize = lr / (1 - beta1 ** step);
  const bc2 = Math.sqrt(1 - beta2 ** step);
  rt.kernels.adamw_f32(pp, gp, mp, vp, vectors(n), beta1, beta2, eps, 1 - lr * weightDecay, stepSize, bc2);
  rt.get(pp, param as Float32Array);
  rt.get(mp, m as Float32Array);
  rt.get(vp, v as Float32Array);
  return true;
}
