import { noteAllocated, noteFresh, takeRecycled, takeReleased } from './storage-reuse.js';

/** Element types a {@link Tensor} can hold. `float32` is the default everywhere. */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/** Storage array for each dtype: `bool` is stored as bytes holding 0 or 1. */
export interface StorageMap {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  bool: Uint8Array;
}

/** Any typed array a tensor can be stored in. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Floating-point typed arrays, the storage of differentiable tensors. */
export type FloatArray = Float32Array | Float64Array;

/** All supported dtypes, in promotion order (lowest first). */
export const DTYPES: readonly DType[] = ['bool', 'int32', 'float32', 'float64'];

const STORAGE: { readonly [D in DType]: new (size: number) => StorageMap[D] } = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  bool: Uint8Array,
};

/** A memory besides the JS heap that float32 storage can live in (the WASM kernels' memory). */
export interface Float32Source {
  /** A zeroed array of `length` elements there, or null (the JS heap serves it then). */
  alloc(length: number): Float32Array | null;
  /** Zeroes `array` when it lives there (faster than `fill` on a shared memory); false otherwise. */
  zero(array: Float32Array): boolean;
}

let float32Source: Float32Source | null = null;

/**
 * Makes {@link allocStorage} take fresh float32 arrays from `source` whenever it gives one, else
 * from the JS heap; null restores the JS heap. @internal Set by the backend registry when the active
 * backend changes.
 */
export function setFloat32Source(source: Float32Source | null): void {
  float32Source = source;
}

/**
 * Allocates zeroed storage of `size` elements for `dtype`: an array an open recycling scope handed
 * back, or a float array released for reuse (see {@link beginAllocationScope}), when one of that
 * length waits; else fresh memory (float32 from the active backend's source, see
 * {@link setFloat32Source}).
 */
export function allocStorage<D extends DType>(dtype: D, size: number): StorageMap[D] {
  const make = STORAGE[dtype];
  if (!make) throw new TypeError(`unknown dtype '${String(dtype)}'`);
  let array = takeRecycled(make.name, size) as StorageMap[D] | null;
  if (!array && (dtype === 'float32' || dtype === 'float64'))
    array = takeReleased(dtype, size) as StorageMap[D] | null;
  if (array) {
    if (!(array instanceof Float32Array && float32Source?.zero(array))) array.fill(0);
  } else {
    array = ((dtype === 'float32' && float32Source?.alloc(size)) || new make(size)) as StorageMap[D];
    noteFresh(array);
  }
  noteAllocated(array);
  return array;
}

/** The dtype stored by a typed array, or `undefined` for arrays no dtype uses. */
export function dtypeOfArray(array: ArrayBufferView): DType | undefined {
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Float64Array) return 'float64';
  if (array instanceof Int32Array) return 'int32';
  if (array instanceof Uint8Array) return 'bool';
  return undefined;
}

/** True for `float32` and `float64`. */
export function isFloatDType(dtype: DType): dtype is 'float32' | 'float64' {
  return dtype === 'float32' || dtype === 'float64';
}

/** The dtype two operands promote to (as PyTorch: bool < int32 < float32 < float64). */
export function promoteTypes(a: DType, b: DType): DType {
  return DTYPES.indexOf(a) >= DTYPES.indexOf(b) ? a : b;
}

/** The floating dtype a math function (exp, log, mean, …) returns for inputs of `dtype`. */
export function floatTypeFor(dtype: DType): 'float32' | 'float64' {
  return dtype === 'float64' ? 'float64' : 'float32';
}

/** Checks that `dtype` is one of the supported names. */
export function isDType(value: unknown): value is DType {
  return value === 'float32' || value === 'float64' || value === 'int32' || value === 'bool';
}
