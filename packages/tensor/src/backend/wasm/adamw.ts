import type { AdamWArgs } from '../backend.js';
import { vectors } from './elementwise.js';
import { KernelOperands } from './kernel-operands.js';
import type { WasmRuntime } from './runtime.js';

/** float32 AdamW step on the WASM kernels; false for other dtypes. */
export function wasmAdamW(rt: WasmRuntime, args: AdamWArgs): boolean {
  const { param, grad, m, v, lr, beta1, beta2, eps, weightDecay, step } = args;
  const all = [param, grad, m, v];
  if (!all.every((a) => a instanceof Float32Array)) return false;
  const n = param.length;
  if (n === 0) return true;
  const bytes = 4 * vectors(n);
  const ops = new KernelOperands(rt);
  const [p, g, m1, v1] = [param, grad, m, v] as Float32Array[];
  ops.update(p!, p!, n, bytes);
  ops.read(g!, 0, n, bytes);
  ops.update(m1!, m1!, n, bytes);
  ops.update(v1!, v1!, n, bytes);
  const ptrs = ops.place<4>();
  if (!ptrs) return false;
  const [pp, gp, mp, vp] = ptrs;
  const stepSize = lr / (1 - beta1 ** step);
  const bc2 = Math.sqrt(1 - beta2 ** step);
  rt.kernels.adamw_f32(pp, gp, mp, vp, vectors(n), beta1, beta2, eps, 1 - lr * weightDecay, stepSize, bc2);
  ops.finish();
  return true;
}
