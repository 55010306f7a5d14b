import { allocStorage, type DType } from '../dtype.js';
import { fmtShape, ShapeError } from '../errors.js';
import { normalizeDim } from '../shape.js';
import { contiguousData } from '../storage.js';
import { Tensor } from '../tensor.js';
import { checkIndexDType, checkRange } from './index-checks.js';
import { movedToLast } from './movement.js';

/** One-hot encoding of int32 class ids: shape `[...indices.shape, numClasses]`. */
export function oneHot(indices: Tensor, numClasses: number, options: { dtype?: DType } = {}): Tensor {
  checkIndexDType('oneHot', indices);
  if (!Number.isInteger(numClasses) || numClasses <= 0)
    throw new RangeError(`oneHot: numClasses must be a positive integer, got ${numClasses}`);
  const idx = contiguousData(indices);
  const out = allocStorage(options.dtype ?? 'int32', idx.length * numClasses);
  for (let i = 0; i < idx.length; i++)
    out[i * numClasses + checkRange('oneHot', idx[i]!, numClasses, -1)] = 1;
  return new Tensor(out, [...indices.shape, numClasses]);
}

function triangle(op: string, x: Tensor, diagonal: number, keepLower: boolean): Tensor {
  if (x.ndim < 2) throw new ShapeError(`${op}: needs at least 2 dims, got ${fmtShape(x.shape)}`);
  const out = contiguousData(x).slice();
  const rows = x.shape[x.ndim - 2]!;
  const cols = x.shape[x.ndim - 1]!;
  for (let base = 0; base < out.length; base += rows * cols) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const lower = j - i <= diagonal;
        const upper = j - i >= diagonal;
        if (keepLower ? !lower : !upper) out[base + i * cols + j] = 0;
      }
    }
  }
  return new Tensor(out, [...x.shape]);
}

/** Lower triangle of the last two axes (entries with `j - i <= diagonal`), zeros elsewhere. */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return triangle('tril', x, diagonal, true);
}

/** Upper triangle of the last two axes (entries with `j - i >= diagonal`), zeros elsewhere. */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return triangle('triu', x, diagonal, false);
}

/** Options of {@link topk}. */
export interface TopkOptions {
  /** Axis to search (default the last). */
  dim?: number;
  /** Largest (default) or smallest values. */
  largest?: boolean;
}

/** The `k` largest (or smallest) entries along `dim`, sorted, with their int32 indices. */
export function topk(x: Tensor, k: number, options: TopkOptions = {}): { values: Tensor; indices: Tensor } {
  const d = normalizeDim('topk', options.dim ?? -1, x.ndim);
  const size = x.ndim === 0 ? 1 : x.shape[d]!;
  if (!Number.isInteger(k) || k < 0 || k > size)
    throw new RangeError(`topk: k=${k} is out of range for dim of size ${size}`);
  const largest = options.largest ?? true;
  const [moved, restore] = movedToLast(x, d);
  const data = contiguousData(moved);
  const rows = size === 0 ? 0 : data.length / size;
  const values = allocStorage(x.dtype, rows * k);
  const indices = allocStorage('int32', rows * k);
  const order = Array.from({ length: size }, (_, i) => i);
  for (let r = 0; r < rows; r++) {
    const base = r * size;
    order.sort((a, b) => {
      const va = data[base + a]!;
      const vb = data[base + b]!;
      // NaN counts as the largest value, as in PyTorch: first when largest, last when smallest.
      if (va !== va || vb !== vb) {
        if (va === va) return largest ? 1 : -1;
        if (vb === vb) return largest ? -1 : 1;
        return a - b;
      }
      return (largest ? vb - va : va - vb) || a - b;
    });
    for (let j = 0; j < k; j++) {
      values[r * k + j] = data[base + order[j]!]!;
      indices[r * k + j] = order[j]!;
    }
    for (let i = 0; i < size; i++) order[i] = i;
  }
  const shape = x.ndim === 0 && k === 1 ? [] : [...moved.shape.slice(0, -1), k];
  return { values: restore(new Tensor(values, shape)), indices: restore(new Tensor(indices, shape)) };
}
