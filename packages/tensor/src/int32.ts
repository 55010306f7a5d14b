import { forEachRow } from './backend/js/strided.js';
import { isFloatDType } from './dtype.js';
import { DTypeError } from './errors.js';
import type { Tensor } from './tensor.js';

/** The smallest int32 value, −2^31. */
export const INT32_MIN = -2147483648;
/** The largest int32 value, 2^31 − 1. */
export const INT32_MAX = 2147483647;

/**
 * Whether `value` converts to int32: its truncation toward zero (`1.7 → 1`, `-1.7 → -1`, as PyTorch
 * converts floats to integers, and as storing into an `Int32Array` does) lies in [−2^31, 2^31 − 1].
 * False for NaN and ±Infinity, which PyTorch leaves undefined and a typed array would store as 0.
 */
export function fitsInt32(value: number): boolean {
  return value > INT32_MIN - 1 && value < INT32_MAX + 1;
}

/** The error for a `value` that does not fit in int32 (see {@link fitsInt32}); `what` names it (`element [1, 0]`). */
export function int32Error(op: string, value: number, what: string): DTypeError {
  return new DTypeError(
    Number.isNaN(value)
      ? `${op}: ${what} is NaN, which int32 cannot hold`
      : `${op}: ${what} is ${value}, outside int32's range [${INT32_MIN}, ${INT32_MAX}]`,
  );
}

/** `element [i, j]`: the position of the `flat`-th element (row-major) of a tensor of `shape`. */
export function elementName(flat: number, shape: readonly number[]): string {
  const index = new Array<number>(shape.length);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index[axis] = flat % shape[axis]!;
    flat = Math.floor(flat / shape[axis]!);
  }
  return `element [${index.join(', ')}]`;
}

/**
 * Checks that every element of a float tensor converts to int32 (see {@link fitsInt32}); other dtypes
 * always do. Called before a cast, so that a bad element is an error instead of a wrapped value.
 * @throws DTypeError naming `op` and the first element that does not fit.
 */
export function checkInt32Cast(op: string, t: Tensor): void {
  if (!isFloatDType(t.dtype)) return;
  const x = t.storage;
  forEachRow(t.shape, [{ data: x, offset: t.offset, strides: t.strides }], (offsets, row, n, strides) => {
    const stride = strides[0]!;
    for (let j = 0, i = offsets[0]!; j < n; j++, i += stride) {
      if (!fitsInt32(x[i]!)) throw int32Error(op, x[i]!, elementName(row * n + j, t.shape));
    }
  });
}
