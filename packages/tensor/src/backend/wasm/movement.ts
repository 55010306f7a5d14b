import type { TypedArray } from '../../dtype.js';
import type { StridedView } from '../backend.js';
import { coalesce } from '../js/strided.js';
import { KernelOperands } from './kernel-operands.js';
import type { WasmRuntime } from './runtime.js';

/** The storage range [lo, hi) a view of `dims`/`strides` from `offset` reads. */
export function viewSpan(
  offset: number,
  dims: readonly number[],
  strides: readonly number[],
): [number, number] {
  let lo = offset;
  let hi = offset;
  dims.forEach((d, i) => {
    const reach = (d - 1) * strides[i]!;
    if (reach < 0) lo += reach;
    else hi += reach;
  });
  return [lo, hi + 1];
}

/**
 * float32 → float32 strided copy (transposes, permutes, broadcasts) on the WASM kernels when the view
 * merges to at most 4 axes and is not already one contiguous run (the JS kernel copies that with a
 * single `set`); false otherwise.
 */
export function wasmCopy(
  rt: WasmRuntime,
  src: StridedView,
  out: TypedArray,
  shape: readonly number[],
): boolean {
  if (!(src.data instanceof Float32Array && out instanceof Float32Array)) return false;
  const size = shape.reduce((p, d) => p * d, 1);
  if (size === 0) return true;
  const [dims, [strides]] = coalesce(shape, [src.strides]) as [number[], [number[]]];
  if (dims.length > 4 || (dims.length === 1 && strides[0] === 1)) return false;
  const [lo, hi] = viewSpan(src.offset, dims, strides);
  if (hi - lo > 2 * size + 4096) return false;
  const pad = 4 - dims.length;
  const d4 = [...new Array<number>(pad).fill(1), ...dims];
  const s4 = [...new Array<number>(pad).fill(0), ...strides];
  const ops = new KernelOperands(rt);
  ops.read(src.data, lo, hi);
  ops.write(out, size);
  ops.read(Int32Array.from([...d4, ...s4]));
  const ptrs = ops.place<3>();
  if (!ptrs) return false;
  const [sp, op, dp] = ptrs;
  rt.kernels.copy_f32(sp + 4 * (src.offset - lo), op, dp);
  ops.finish();
  return true;
}
