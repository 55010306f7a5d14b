import type { Storage } from '../backend/memory.js';
import { type AnyBackend, backendFor } from '../backend/registry.js';
import { DTypeError, fmtShape, ShapeError } from '../errors.js';
import { contiguousStorage, copiedStorage } from '../storage.js';
import { Tensor } from '../tensor.js';
import { add, eq } from './binary.js';
import { arange } from './creation.js';
import { checkIndexDType, checkIndexValues, floatOf, rowsAround } from './index-checks.js';
import { matmul } from './matmul.js';
import { axisOf } from './movement.js';

/**
 * `index` (1-D int32) as `backend`'s kernels take it, each value checked to lie in `[0, size)` where the
 * CPU can read it (indices already in a device's memory are the caller's contract).
 * @throws RangeError naming the value; DTypeError / ShapeError for a non-int32 or non-1-D index.
 */
function checkedIndex(op: string, index: Tensor, size: number, d: number, backend: AnyBackend): Storage {
  checkIndexDType(op, index);
  if (index.ndim > 1) throw new ShapeError(`${op}: index must be 1-D, got ${fmtShape(index.shape)}`);
  checkIndexValues(op, index, size, d);
  return contiguousStorage(op, index, backend);
}

/** `[count, size]` rows of zeros with a one at `index[i]`: the selection matrix of a composed row gather. */
function selectionRows(index: Tensor, size: number, dtype: 'float32' | 'float64'): Tensor {
  return eq(index.reshape([-1, 1]), arange(size)).to(dtype);
}

/** Selects entries `index` (1-D int32) along `dim`: an embedding lookup for `dim = 0`, as `torch.index_select`. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = axisOf('indexSelect', x, dim);
  const backend = backendFor('indexSelect', x, index);
  const { outer, size, inner } = rowsAround(x.shape, d);
  const ids = checkedIndex('indexSelect', index, size, d, backend);
  const count = index.size;
  const shape = [...x.shape];
  shape[d] = count;
  if (!backend.indexSelect) {
    const picks = selectionRows(index, size, floatOf('indexSelect', x, backend));
    return matmul(picks, x.reshape([outer, size, inner])).reshape(shape);
  }
  const out = backend.alloc(x.dtype, outer * count * inner);
  backend.indexSelect({
    x: contiguousStorage('indexSelect', x, backend),
    index: ids,
    out,
    outer,
    size,
    count,
    inner,
  });
  return new Tensor(out, shape);
}

/**
 * A copy of `x` with slice `i` of `src` along `dim` added at slice `index[i]` (repeated indices
 * accumulate in order), as `torch.index_add`: the gradient of {@link indexSelect}. `src` has `x`'s
 * shape except `index.size` along `dim`; float dtypes.
 * @throws ShapeError when `src` does not fit; RangeError for an index outside `x`'s dim.
 */
export function indexAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = axisOf('indexAdd', x, dim);
  const backend = backendFor('indexAdd', x, index, src);
  const { outer, size, inner } = rowsAround(x.shape, d);
  const ids = checkedIndex('indexAdd', index, size, d, backend);
  const count = index.size;
  if (src.ndim !== x.ndim || src.shape.some((s, i) => s !== (i === d ? count : x.shape[i])))
    throw new ShapeError(
      `indexAdd: src ${fmtShape(src.shape)} must be x ${fmtShape(x.shape)} with ${count} (the index length) along dim ${d}`,
    );
  if (x.dtype !== 'float32' && x.dtype !== 'float64')
    throw new DTypeError(`indexAdd: x must be float32 or float64, got ${x.dtype}`);
  const dtype = x.dtype;
  if (!backend.indexAdd) {
    const picks = selectionRows(index, size, dtype).transpose(0, 1);
    return add(x, matmul(picks, src.to(dtype).reshape([outer, count, inner])).reshape(x.shape));
  }
  const out = copiedStorage('indexAdd', x, backend);
  const from = contiguousStorage('indexAdd', src, backend, dtype);
  backend.indexAdd({ src: from, index: ids, out, outer, size, count, inner });
  return new Tensor(out, [...x.shape]);
}
