import type { FloatArray } from '../../dtype.js';
import type { AttentionSoftmaxArgs } from '../backend.js';
import { vectors } from './elementwise.js';
import { KernelOperands } from './kernel-operands.js';
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
  const ops = new KernelOperands(rt);
  const xy = ops.update(x, out, n);
  const ptrs = ops.place();
  if (!ptrs) return false;
  rt.kernels.softmax_f32(ptrs[xy]!, rows, cols, log ? 1 : 0);
  ops.finish();
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
  const ops = new KernelOperands(rt);
  const yi = ops.read(y, 0, n, 4 * vectors(n));
  const di = ops.update(dy, dx, n, 4 * vectors(n));
  const ptrs = ops.place();
  if (!ptrs) return false;
  rt.kernels.softmax_backward_f32(ptrs[yi]!, ptrs[di]!, rows, cols, log ? 1 : 0, scale);
  ops.finish();
  return true;
}

/** float32 scaled (causal) attention softmax on the WASM kernels; false for other dtypes. */
export function wasmAttentionSoftmax(rt: WasmRuntime, args: AttentionSoftmaxArgs): boolean {
  const { x, out, batch, L, S, scale, causal } = args;
  if (!(x instanceof Float32Array && out instanceof Float32Array)) return false;
  const n = batch * L * S;
  if (n === 0) return true;
  const ops = new KernelOperands(rt);
  const xy = ops.update(x, out, n);
  const ptrs = ops.place();
  if (!ptrs) return false;
  rt.kernels.attention_softmax_f32(ptrs[xy]!, batch, L, S, scale, causal ? 1 : 0);
  ops.finish();
  return true;
}
