import { backendFor } from '../backend/registry.js';
import { DTypeError, fmtShape, ShapeError } from '../errors.js';
import { contiguousStorage, copiedStorage } from '../storage.js';
import { Tensor } from '../tensor.js';
import { add, eq, ge, logicalOr, lt, where } from './binary.js';
import { arange } from './creation.js';
import { checkIndexDType, checkIndexValues, floatOf, rowsAround } from './index-checks.js';
import { axisOf } from './movement.js';
import { sum } from './reduce.js';

/**
 * `torch.gather` and `Tensor.scatter_add` for any `dim`, over the optional `gather` / `scatterAdd`
 * kernels (the host backends', the WebGPU backend's), composed from comparisons and sums on a
 * backend without them. Both see `index` as `[outer, count, inner]` blocks around `dim` and `x` (or
 * the part of it the index covers: `index` may be smaller than `x` outside `dim`) as
 * `[outer, size, inner]`.
 */

/** @throws ShapeError naming `op` unless `index` has `x`'s rank and is no larger than it outside dim `d`. */
function checkFits(op: string, x: Tensor, d: number, index: Tensor): void {
  if (index.ndim !== x.ndim || index.shape.some((s, i) => i !== d && s > x.shape[i]!)) {
    throw new ShapeError(
      `${op}: index ${fmtShape(index.shape)} does not fit input ${fmtShape(x.shape)} outside dim ${d}`,
    );
  }
}

/** The leading part of `t` with `shape`'s sizes on every axis but `skip` (a view; `t` itself when it fits). */
function leading(t: Tensor, shape: readonly number[], skip: number): Tensor {
  return shape.reduce((v, n, axis) => (axis === skip || n === v.shape[axis] ? v : v.narrow(axis, 0, n)), t);
}

/** The kernels' block geometry of `index` along axis `d` of an input `size` long there. */
function blocksOf(index: Tensor, d: number, size: number) {
  const { outer, size: count, inner } = rowsAround(index.shape, d);
  return { outer, size, count, inner };
}

/**
 * `out[i][j][k] = x[i][index[i][j][k]][k]` for `dim = 1` (likewise for any dim), as `torch.gather`:
 * the output has `index`'s shape and `x`'s dtype. `index` (int32) has `x`'s rank and is no larger than
 * `x` outside `dim`; along `dim` it may be any length. Runs where its operands live (a GPU too).
 * @throws DTypeError for a non-int32 index; ShapeError when it does not fit `x`; RangeError for an
 *   index outside `[0, x.shape[dim])` (checked where the CPU can read it: on a device an index out of
 *   range gives NaN, see `GatherArgs`).
 * @example gather(logProbs, -1, targets.unsqueeze(-1)) // [B, T, V] → [B, T, 1]
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkIndexDType('gather', index);
  const d = axisOf('gather', x, dim);
  checkFits('gather', x, d, index);
  const backend = backendFor('gather', x, index);
  const size = x.shape[d]!;
  checkIndexValues('gather', index, size, d);
  const source = leading(x, index.shape, d);
  if (!backend.gather) return composedGather(source, d, index, floatOf('gather', x, backend));
  const blocks = blocksOf(index, d, size);
  const out = backend.alloc(x.dtype, index.size);
  backend.gather({
    x: contiguousStorage('gather', source, backend),
    index: contiguousStorage('gather', index, backend),
    out,
    ...blocks,
  });
  return new Tensor(out, [...index.shape]);
}

/**
 * A copy of `x` with `src` added at `index` along `dim` (repeated indices accumulate, in order), as
 * `Tensor.scatter_add`: the gradient of {@link gather}. `index` fits `x` as for gather; `src` has
 * `x`'s dtype and is no smaller than `index` on any axis (only its leading part is read). A bool `x`
 * adds as a logical or, as PyTorch.
 * @throws DTypeError for a non-int32 index or a `src` of another dtype; ShapeError when the shapes do
 *   not fit; RangeError for an index out of range (as {@link gather}).
 * @example scatterAdd(zeros([B, T, V]), -1, targets.unsqueeze(-1), grad) // gather's gradient
 */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkIndexDType('scatterAdd', index);
  const d = axisOf('scatterAdd', x, dim);
  checkFits('scatterAdd', x, d, index);
  if (src.ndim !== index.ndim || index.shape.some((s, i) => s > src.shape[i]!)) {
    throw new ShapeError(
      `scatterAdd: src ${fmtShape(src.shape)} is smaller than index ${fmtShape(index.shape)}`,
    );
  }
  if (src.dtype !== x.dtype)
    throw new DTypeError(`scatterAdd: src is ${src.dtype} but x is ${x.dtype} (they must match)`);
  const backend = backendFor('scatterAdd', x, index, src);
  const size = x.shape[d]!;
  checkIndexValues('scatterAdd', index, size, d);
  const sources = leading(src, index.shape, -1);
  const result = new Tensor(copiedStorage('scatterAdd', x, backend), [...x.shape]);
  // The part of the result the index covers: the whole of it, or a view written back at the end.
  const region = leading(result, index.shape, d);
  if (!backend.scatterAdd) {
    const added = composedScatter(sources, d, index, size, floatOf('scatterAdd', x, backend));
    if (region === result) return add(result, added);
    region.assign(add(region, added));
    return result;
  }
  const out = region === result ? result.buffer : copiedStorage('scatterAdd', region, backend);
  backend.scatterAdd({
    src: contiguousStorage('scatterAdd', sources, backend),
    index: contiguousStorage('scatterAdd', index, backend),
    out,
    ...blocksOf(index, d, size),
  });
  if (region !== result) region.assign(new Tensor(out, [...region.shape]));
  return result;
}

/**
 * Which of `size` positions each index names: bool, `index`'s shape with an axis of `size` inserted
 * after `d`, true at `[…, i, r, …]` where `index[…, i, …] = r`.
 */
function hits(index: Tensor, d: number, size: number): Tensor {
  const positions = arange(0, size, 1, { dtype: 'int32' }).reshape([
    size,
    ...index.shape.slice(d + 1).map(() => 1),
  ]);
  return eq(index.unsqueeze(d + 1), positions);
}

/** Where an index lies outside `[0, size)` (possible only for indices in a device's memory). */
const outOfRange = (index: Tensor, size: number) => logicalOr(lt(index, 0), ge(index, size));

/** {@link gather} from primitives on a backend without the kernel: `Σ_r [index = r]·x[…, r, …]`. */
function composedGather(source: Tensor, d: number, index: Tensor, dtype: 'float32' | 'float64'): Tensor {
  const size = source.shape[d]!;
  const picked = sum(where(hits(index, d, size), source.unsqueeze(d).to(dtype), 0), d + 1);
  return where(outOfRange(index, size), Number.NaN, picked);
}

/**
 * What {@link scatterAdd} adds, from primitives: `Σ_i [index = r]·src[…, i, …]` at each position `r`
 * of the index's blocks, NaN down a column that has an index out of range (as the kernels do).
 */
function composedScatter(
  sources: Tensor,
  d: number,
  index: Tensor,
  size: number,
  dtype: 'float32' | 'float64',
): Tensor {
  const added = sum(where(hits(index, d, size), sources.to(dtype).unsqueeze(d + 1), 0), d);
  const poisoned = sum(outOfRange(index, size).to(dtype), d, { keepdim: true });
  return where(ge(poisoned, 1), Number.NaN, added);
}
