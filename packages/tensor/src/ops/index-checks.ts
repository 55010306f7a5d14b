import { isDeviceStorage } from '../backend/memory.js';
import type { AnyBackend } from '../backend/registry.js';
import { DTypeError } from '../errors.js';
import { shapeSize } from '../shape.js';
import { contiguousData } from '../storage.js';
import type { Tensor } from '../tensor.js';

/** @throws DTypeError naming `op` for an index that is not int32. */
export function checkIndexDType(op: string, index: Tensor): void {
  if (index.dtype !== 'int32') throw new DTypeError(`${op}: index must be int32, got ${index.dtype}`);
}

/**
 * `value` when it lies in `[0, size)`; negative indices are rejected, as PyTorch does.
 * @throws RangeError naming `op`, the value, the axis and its size.
 */
export function checkRange(op: string, value: number, size: number, axis: number): number {
  if (!(value >= 0 && value < size))
    throw new RangeError(`${op}: index ${value} is out of range for dim ${axis} of size ${size}`);
  return value;
}

/**
 * Checks every value of `index` against `[0, size)` (in row-major order, the first bad one named)
 * where the CPU can read it. Indices already in a device's memory are not read: the kernels' contract
 * says what they do with one out of range.
 * @throws RangeError as {@link checkRange}.
 */
export function checkIndexValues(op: string, index: Tensor, size: number, axis: number): void {
  if (isDeviceStorage(index.buffer)) return;
  for (const value of contiguousData(index)) checkRange(op, value, size, axis);
}

/** `shape` as `[outer, size, inner]` around axis `d`. */
export function rowsAround(shape: readonly number[], d: number) {
  return {
    outer: shapeSize(shape.slice(0, d)),
    size: shape[d]!,
    inner: shapeSize(shape.slice(d + 1)),
  };
}

/** `x`'s float dtype for a kernel `op` composes from primitives, or a DTypeError naming `op`. */
export function floatOf(op: string, x: Tensor, backend: AnyBackend): 'float32' | 'float64' {
  if (x.dtype === 'float32' || x.dtype === 'float64') return x.dtype;
  throw new DTypeError(
    `${op}: backend ${backend.name} has no ${op} kernel and composes it for float tensors only, got ${x.dtype}`,
  );
}
