import { indexAddRows } from '../../backend/js/index-add.js';
import { isDeviceStorage } from '../../backend/memory.js';
import { getBackend } from '../../backend/registry.js';
import type { TypedArray } from '../../dtype.js';
import { DTypeError, fmtShape, ShapeError } from '../../errors.js';
import { normalizeDim, shapeSize } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { zeros } from '../creation.js';
import { scatterAdd } from '../indexing.js';
import { max, min } from '../reduce.js';
import { denseOperand, kernelOutput } from './kernel-operands.js';

/**
 * Gradient of `indexSelect(x, dim, index)`, PyTorch's `index_select_backward`: zeros of the input's
 * shape with slice `i` of `dy` along `dim` added at slice `index[i]` (repeated indices accumulate:
 * an embedding's rows gather the gradients of every token that looked them up). In host memory one
 * pass over contiguous runs; in a device's memory a `scatterAdd`.
 *
 * Shapes: `dy` the input's shape with `index.length` at `dim`, `index` `[n]` int32 → `inputShape`, in
 * `dy`'s dtype.
 * @throws ShapeError when `dy` does not fit; DTypeError for non-int32 indices; RangeError for an index
 * outside `[0, inputShape[dim])`.
 * @example const dWeight = indexSelectBackward(dRows, weight.shape, 0, ids); // an embedding's gradient
 */
export function indexSelectBackward(
  dy: Tensor,
  inputShape: readonly number[],
  dim: number,
  index: Tensor,
): Tensor {
  const op = 'indexSelectBackward';
  if (index.dtype !== 'int32') throw new DTypeError(`${op}: index must be int32, got ${index.dtype}`);
  if (index.ndim > 1) throw new ShapeError(`${op}: index must be 1-D, got ${fmtShape(index.shape)}`);
  const d = normalizeDim(op, dim, inputShape.length);
  const expected = inputShape.map((s, i) => (i === d ? index.size : s));
  if (dy.ndim !== expected.length || dy.shape.some((s, i) => s !== expected[i]))
    throw new ShapeError(
      `${op}: gradient ${fmtShape(dy.shape)} must be ${fmtShape(expected)} for input ${fmtShape(inputShape)} and ${index.size} indices`,
    );
  const size = inputShape[d]!;
  const backend = getBackend();
  if (isDeviceStorage(index.buffer) || isDeviceStorage(dy.buffer) || backend.memory !== 'host') {
    const spread = index.reshape(expected.map((s, i) => (i === d ? s : 1))).expand(expected);
    return scatterAdd(zeros(inputShape, { dtype: dy.dtype }), d, spread, dy);
  }
  if (index.size > 0 && (min(index).item() < 0 || max(index).item() >= size))
    throw new RangeError(
      `${op}: indices span [${min(index).item()}, ${max(index).item()}], outside [0, ${size}) of dim ${d}`,
    );
  const out = kernelOutput(backend, dy.dtype, inputShape);
  const src = denseOperand(op, dy, dy.dtype, backend) as TypedArray;
  const ids = denseOperand(op, index, 'int32', backend) as Int32Array;
  const outer = shapeSize(inputShape.slice(0, d));
  indexAddRows(out.buffer as TypedArray, src, ids, outer, size, shapeSize(inputShape.slice(d + 1)));
  return out;
}
