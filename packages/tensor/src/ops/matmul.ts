import { type AnyBackend, backendFor, operandStorage } from '../backend/registry.js';
import { type DType, isFloatDType, promoteTypes } from '../dtype.js';
import { DTypeError, fmtShape, ShapeError } from '../errors.js';
import { broadcastShapes, shapeSize } from '../shape.js';
import { contiguousStorage } from '../storage.js';
import { Tensor } from '../tensor.js';
import { expand, squeeze, unsqueeze } from './movement.js';

/**
 * Matrix product with NumPy/PyTorch semantics: 1-D operands are promoted to a row or column and the
 * added axis removed; leading batch axes broadcast. Operands whose last two axes are a transposed
 * view are read in place (no copy).
 * @example matmul(q, k.transpose(-2, -1)) // [B, H, T, T]
 * @throws ShapeError when the inner dimensions differ; DTypeError for non-float operands.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0)
    throw new ShapeError(
      `matmul: both operands need at least 1 dim; a=${fmtShape(a.shape)}, b=${fmtShape(b.shape)}`,
    );
  for (const t of [a, b]) {
    if (!isFloatDType(t.dtype))
      throw new DTypeError(`matmul: expected float32 or float64 operands, got ${a.dtype} and ${b.dtype}`);
  }
  const dtype = promoteTypes(a.dtype, b.dtype);
  const x = a.ndim === 1 ? unsqueeze(a, 0) : a;
  const y = b.ndim === 1 ? unsqueeze(b, 1) : b;
  const m = x.shape[x.ndim - 2]!;
  const k = x.shape[x.ndim - 1]!;
  const n = y.shape[y.ndim - 1]!;
  if (y.shape[y.ndim - 2] !== k) {
    throw new ShapeError(
      `matmul: inner dimensions differ (a.shape[-1]=${a.shape[a.ndim - 1]}, b.shape[${b.ndim === 1 ? '0' : '-2'}]=${y.shape[y.ndim - 2]}); a=${fmtShape(a.shape)}, b=${fmtShape(b.shape)}`,
    );
  }
  const batchShape = broadcastShapes('matmul', x.shape.slice(0, -2), y.shape.slice(0, -2));
  const backend = backendFor('matmul', a, b);
  const xs = operand(expand(x, [...batchShape, m, k]), dtype, backend);
  const ys = operand(expand(y, [...batchShape, k, n]), dtype, backend);
  const batch = shapeSize(batchShape);
  const out = backend.alloc(dtype, batch * m * n);
  backend.matmul({
    a: operandStorage('matmul', xs, backend),
    b: operandStorage('matmul', ys, backend),
    out,
    batch,
    m,
    n,
    k,
    aOffsets: batchOffsets(xs, batchShape),
    bOffsets: batchOffsets(ys, batchShape),
    aRowStride: xs.strides[xs.ndim - 2]!,
    aColStride: xs.strides[xs.ndim - 1]!,
    bRowStride: ys.strides[ys.ndim - 2]!,
    bColStride: ys.strides[ys.ndim - 1]!,
  });
  let result = new Tensor(out, [...batchShape, m, n]);
  if (a.ndim === 1) result = squeeze(result, -2);
  if (b.ndim === 1) result = squeeze(result, -1);
  return result;
}

/** A view readable by the kernel: right dtype and unit stride along one of the last two axes. */
function operand(t: Tensor, dtype: DType, backend: AnyBackend): Tensor {
  const rowStride = t.strides[t.ndim - 2]!;
  const colStride = t.strides[t.ndim - 1]!;
  const unitStride =
    colStride === 1 || rowStride === 1 || t.shape[t.ndim - 2] === 1 || t.shape[t.ndim - 1] === 1;
  if (t.dtype === dtype && unitStride) return t;
  return new Tensor(contiguousStorage('matmul', t, backend, dtype), [...t.shape]);
}

/** Storage offset of each matrix of a batch, walking `batchShape` in row-major order. */
function batchOffsets(t: Tensor, batchShape: readonly number[]): Int32Array {
  const count = shapeSize(batchShape);
  const offsets = new Int32Array(count);
  const nd = batchShape.length;
  for (let i = 0; i < count; i++) {
    let rem = i;
    let off = t.offset;
    for (let axis = nd - 1; axis >= 0; axis--) {
      const d = batchShape[axis]!;
      off += (rem % d) * t.strides[axis]!;
      rem = Math.floor(rem / d);
    }
    offsets[i] = off;
  }
  return offsets;
}
