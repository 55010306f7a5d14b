import type { MatrixBatch } from '../../backend/backend.js';
import type { Storage } from '../../backend/memory.js';
import { type AnyBackend, type AnyMemory, backendFor, operandStorage } from '../../backend/registry.js';
import type { DType } from '../../dtype.js';
import { DTypeError } from '../../errors.js';
import { shapeSize } from '../../shape.js';
import { contiguousStorage } from '../../storage.js';
import { Tensor } from '../../tensor.js';

/** A float dtype, the only kind the fused kernels take. */
export type FloatDType = 'float32' | 'float64';

/** `t`'s dtype when it is a float dtype; otherwise a DTypeError naming `op` and the operand. */
export function floatDTypeOf(op: string, t: Tensor, what = 'input'): FloatDType {
  if (t.dtype === 'float32' || t.dtype === 'float64') return t.dtype;
  throw new DTypeError(`${op}: ${what} must be float32 or float64, got ${t.dtype}`);
}

/**
 * The backend a fused function runs on, as every op picks it ({@link backendFor}): the device backend
 * holding any of its tensor `operands` (host ones are copied in), else a host backend. Absent optional
 * operands and scalars are skipped. Its outputs are allocated there too.
 * @throws DeviceMemoryError naming `op` when operands live in two device backends' memory.
 */
export function fusedBackend(
  op: string,
  ...operands: readonly (Tensor | number | null | undefined)[]
): AnyBackend {
  return backendFor(op, ...operands.filter((t): t is Tensor => t instanceof Tensor));
}

/** True when `t` covers its whole storage in row-major order from index 0 (a kernel can take the storage as is). */
export function isDense(t: Tensor): boolean {
  return t.isContiguous() && t.offset === 0 && t.buffer.length === t.size;
}

/**
 * The elements of `t` in `dtype` as one contiguous array from index 0, in the memory `backend`'s
 * kernels take: the storage itself when it already is one (so never write into the result), else a
 * copy (host operands are copied into a device backend's memory).
 * @throws DeviceMemoryError naming `op` when `t` lives in another device backend's memory.
 */
export function denseOperand(op: string, t: Tensor, dtype: DType, backend: AnyBackend): Storage {
  return contiguousStorage(op, t, backend, dtype);
}

/** A zeroed tensor of `shape` in `backend`'s memory, for a kernel to write. */
export function kernelOutput(backend: AnyBackend, dtype: DType, shape: readonly number[]): Tensor {
  return new Tensor(backend.alloc(dtype, shapeSize(shape)), shape);
}

/**
 * The `[..., rows, cols]` matrices of `t` read in place as a {@link MatrixBatch} (every leading index
 * in row-major order; broadcast axes repeat a matrix through stride 0).
 */
export function matrixBatch(op: string, t: Tensor, backend: AnyBackend): MatrixBatch<AnyMemory> {
  const n = t.ndim;
  const lead = t.shape.slice(0, -2);
  const offsets = new Int32Array(shapeSize(lead));
  const index = lead.map(() => 0);
  for (let b = 0; b < offsets.length; b++) {
    let o = t.offset;
    for (let d = 0; d < lead.length; d++) o += index[d]! * t.strides[d]!;
    offsets[b] = o;
    for (let d = lead.length - 1; d >= 0 && ++index[d]! === lead[d]; d--) index[d] = 0;
  }
  return {
    data: operandStorage(op, t, backend),
    offsets,
    rowStride: t.strides[n - 2]!,
    colStride: t.strides[n - 1]!,
  };
}
