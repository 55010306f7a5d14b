import type { FloatArray } from '../../dtype.js';
import type { AttentionSoftmaxArgs } from '../backend.js';
import { vectors } from './elementwise.js';
import type { WasmRuntime } from './runtime.js';

/** float32 softmax / log-softmax of each row on the WASM kernels; false for other dtypes. */
export function wasmSoftmax(
  rt: WasmRuntime,
  x: FloatArray,
  out: FloatArray,
  rows: number,
  cols: number,
  log: boolean,
): boolean {
  if (!(x instanceof Float32Array && out instanceof Float32Array)) return false;
  const n = rows * cols;
  if (n === 0) return true;
  const ptrs = rt.arena([4 * n], 1);
  if (!ptrs) return false;
  const p = ptrs[0]!;
  rt.put(p, x.subarray(0, n));
  rt.kernels.softmax_f32(p, rows, cols, log ? 1 : 0);
  rt.get(p, out.subarray(0, n));
  return true;
}

/**
 * float32 softmax / log-softmax backward (softmax: times `scale`, for the attention softmax) on the
 * WASM kernels; false for other dtypes.
 */
export function wasmSoftmaxBackward(
  rt: WasmRuntime,
  y: FloatArray,
  dy: FloatArray,
  dx: FloatArray,
  rows: number,
  cols: number,
  log: boolean,
  scale = 1,
): boolean {
  if (!(y instanceof Float32Array && dy instanceof Float32Array && dx instanceof Float32Array)) return false;
  const n = rows * cols;
  if (n === 0) return true;
  const ptrs = rt.arena([4 * vectors(n), 4 * vectors(n)], 1);
  if (!ptrs) return false;
  const [yp, dp] = ptrs as [number, number];
  rt.put(yp, y.subarray(0, n));
  rt.put(dp, dy.subarray(0, n));
  rt.kernels.softmax_backward_f32(yp, dp, rows, cols, log ? 1 : 0, scale);
  rt.get(dp, dx.subarray(0, n));
  return true;
}

/** float32 scaled (causal) attention softmax on the WASM kernels; false for other dtypes. */
export function wasmAttentionSoftmax(rt: WasmRuntime, args: AttentionSoftmaxArgs): boolean {
  const { x, out, batch, L, S, scale, causal } = args;
  if (!(x instanceof Float32Array && out instanceof Float32Array)) return false;
  const n = batch * L * S;
  if (n === 0) return true;
  const ptrs = rt.arena([4 * n], 1);
  if (!ptrs) return false;
  const p = ptrs[0]!;
  rt.put(p, x.subarray(0, n));
  rt.kernels.attention_softmax_f32(p, batch, L, S, scale, causal ? 1 : 0);
  rt.get(p, out.subarray(0, n));
  return true;
}
