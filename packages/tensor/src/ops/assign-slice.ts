import { isDeviceStorage } from '../backend/memory.js';
import { DTypeError, fmtShape, ShapeError } from '../errors.js';
import { normalizeDim, shapeSize } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { isDense } from './fused/kernel-operands.js';

/**
 * Writes `src` into the slab `start … start + src.shape[dim] − 1` of axis `dim` of `dst`, in place:
 * `dst.narrow(dim, start, src.shape[dim]).assign(src)`. For a dense `dst` in host memory the slab
 * is written as one block copy per contiguous run of `src` (made contiguous first if it is a view): a
 * split's gradient is assembled this way, about five times faster than `assign`'s strided loop.
 * Otherwise (a device's memory) through `assign`.
 * @throws ShapeError when `src` does not fit the slab; DTypeError when the dtypes differ.
 */
export function assignSlice(dst: Tensor, dim: number, start: number, src: Tensor): void {
  const op = 'assignSlice';
  const d = normalizeDim(op, dim, dst.ndim);
  const length = src.shape[d] ?? 0;
  const fits =
    src.ndim === dst.ndim &&
    start >= 0 &&
    start + length <= dst.shape[d]! &&
    src.shape.every((s, i) => i === d || s === dst.shape[i]);
  if (!fits)
    throw new ShapeError(
      `${op}: source ${fmtShape(src.shape)} does not fit at ${start} along dim ${d} of ${fmtShape(dst.shape)}`,
    );
  if (src.dtype !== dst.dtype)
    throw new DTypeError(`${op}: source is ${src.dtype} but destination ${dst.dtype}`);
  const to = dst.buffer;
  if (isDeviceStorage(to) || isDeviceStorage(src.buffer) || !isDense(dst)) {
    dst.narrow(d, start, length).assign(src);
    return;
  }
  const from = (isDense(src) ? src : src.clone()).buffer as typeof to;
  const inner = shapeSize(dst.shape.slice(d + 1));
  const run = length * inner;
  const stride = dst.shape[d]! * inner;
  const outer = shapeSize(dst.shape.slice(0, d));
  for (let o = 0; o < outer; o++) {
    const at = o * stride + start * inner;
    if (run >= 64) to.set(from.subarray(o * run, (o + 1) * run) as never, at);
    else for (let j = 0; j < run; j++) to[at + j] = from[o * run + j]!;
  }
}
