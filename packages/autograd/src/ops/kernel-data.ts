import { allocStorage, DTypeError, type FloatArray, type Tensor } from '@proj/tensor';

/** A float dtype, the only kind the fused backend kernels take. */
export type FloatDType = 'float32' | 'float64';

/** `t`'s dtype when it is a float dtype; otherwise a DTypeError naming `op`. */
export function floatDTypeOf(op: string, t: Tensor, what = 'input'): FloatDType {
  if (t.dtype === 'float32' || t.dtype === 'float64') return t.dtype;
  throw new DTypeError(`${op}: ${what} must be float32 or float64, got ${t.dtype}`);
}

/**
 * The elements of `t` as one contiguous array of `dtype`, the form the fused kernels read: the
 * storage itself when it already is one (so never write into the result), else a fresh copy.
 */
export function kernelInput(t: Tensor, dtype: FloatDType): FloatArray {
  return (t.dtype === dtype ? t : t.to(dtype)).data() as FloatArray;
}

/**
 * An output array for a kernel that may write over its input `data` (read from `t` by
 * {@link kernelInput}): `data` itself when it is a private copy, else a new array of its length.
 */
export function reuseOrAlloc(data: FloatArray, t: Tensor, dtype: FloatDType): FloatArray {
  return data !== t.storage ? data : (allocStorage(dtype, data.length) as FloatArray);
}
