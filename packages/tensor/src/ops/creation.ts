import { getBackend } from '../backend/registry.js';
import { allocStorage, type DType, dtypeOfArray, isDType, type TypedArray } from '../dtype.js';
import { rejectForeignCopy, TENSOR_BRAND } from '../duplicate-copies.js';
import { DTypeError, fmtShape, ShapeError } from '../errors.js';
import { elementName, fitsInt32, int32Error } from '../int32.js';
import { checkShape, type Shape, shapeSize } from '../shape.js';
import { placed } from '../storage.js';
import { Tensor } from '../tensor.js';

/** Nested arrays of numbers or booleans, as accepted by {@link tensor}. */
export type NestedArray = number | boolean | readonly NestedArray[];

/** Options for creating a tensor. */
export interface TensorOptions {
  /** Element type; defaults to the typed array's type, `bool` for booleans, else `float32`. */
  dtype?: DType;
}

/**
 * Creates a tensor from nested arrays, a flat array or typed array with `shape`, or a scalar.
 * Data is always copied. Converting to `int32` truncates toward zero, as PyTorch (`1.7 → 1`,
 * `-1.7 → -1`); converting to `bool` gives true for every nonzero value, NaN included.
 * @example tensor([[1, 2], [3, 4]]) // float32 [2, 2]
 * @throws ShapeError for ragged arrays or when `shape` does not match the data length.
 * @throws DTypeError naming the element for an `int32` value that is NaN, ±Infinity or outside
 * [−2^31, 2^31 − 1] (PyTorch leaves these undefined; they would otherwise wrap silently).
 */
export function tensor(
  data: NestedArray | TypedArray | readonly number[],
  options: TensorOptions & { shape?: Shape } = {},
): Tensor {
  const dtype = options.dtype ?? inferDType(data);
  if (!isDType(dtype)) throw new DTypeError(`tensor: unknown dtype '${String(dtype)}'`);
  let flat: ArrayLike<number | boolean>;
  let shape: number[];
  if (ArrayBuffer.isView(data)) {
    flat = data as TypedArray;
    shape = [flat.length];
  } else {
    shape = inferShape(data as NestedArray);
    flat = flatten(data as NestedArray, shape);
  }
  if (options.shape) {
    checkShape('tensor', options.shape);
    if (shapeSize(options.shape) !== flat.length) {
      throw new ShapeError(
        `tensor: data has ${flat.length} elements but shape ${fmtShape(options.shape)} needs ${shapeSize(options.shape)}`,
      );
    }
    shape = [...options.shape];
  }
  const storage = allocStorage(dtype, flat.length);
  if (dtype === 'bool') for (let i = 0; i < flat.length; i++) storage[i] = Number(flat[i]) !== 0 ? 1 : 0;
  else {
    for (let i = 0; i < flat.length; i++) {
      const value = Number(flat[i]);
      if (dtype === 'int32' && !fitsInt32(value)) throw int32Error('tensor', value, elementName(i, shape));
      storage[i] = value;
    }
  }
  return new Tensor(placed(storage), shape);
}

function inferDType(data: unknown): DType {
  if (ArrayBuffer.isView(data)) {
    const dtype = dtypeOfArray(data);
    if (!dtype) throw new DTypeError(`tensor: unsupported typed array ${data.constructor.name}`);
    return dtype;
  }
  let first: unknown = data;
  while (Array.isArray(first)) first = first[0];
  return typeof first === 'boolean' ? 'bool' : 'float32';
}

function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0] as NestedArray;
  }
  return shape;
}

function flatten(data: NestedArray, shape: number[]): (number | boolean)[] {
  const out: (number | boolean)[] = [];
  const walk = (node: NestedArray, depth: number, path: number[]): void => {
    if (depth === shape.length) {
      if (Array.isArray(node)) throw new ShapeError(`tensor: ragged nested array at [${path.join(', ')}]`);
      if (typeof node !== 'number' && typeof node !== 'boolean') {
        rejectForeignCopy(node, TENSOR_BRAND, 'tensor');
        throw new DTypeError(
          `tensor: element at [${path.join(', ')}] is ${typeof node}, expected number or boolean`,
        );
      }
      out.push(node as number | boolean);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new ShapeError(
        `tensor: ragged nested array at [${path.join(', ')}] (expected length ${shape[depth]}, got ${Array.isArray(node) ? node.length : 'a scalar'})`,
      );
    }
    node.forEach((child, i) => walk(child as NestedArray, depth + 1, [...path, i]));
  };
  walk(data, 0, []);
  return out;
}

/**
 * A tensor of `shape` filled with `value`, converted to the dtype as {@link tensor} converts.
 * @throws DTypeError for an `int32` fill value that int32 cannot hold.
 */
export function full(shape: Shape, value: number | boolean, options: TensorOptions = {}): Tensor {
  checkShape('full', shape);
  const dtype = options.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  const fill = Number(value);
  if (dtype === 'int32' && !fitsInt32(fill)) throw int32Error('full', fill, 'the fill value');
  const backend = getBackend();
  if (fill === 0 && backend.dtypes.includes(dtype))
    return new Tensor(backend.alloc(dtype, shapeSize(shape)), [...shape]);
  const storage = allocStorage(dtype, shapeSize(shape));
  storage.fill(dtype === 'bool' ? (fill !== 0 ? 1 : 0) : fill);
  return new Tensor(placed(storage), [...shape]);
}

/** A tensor of `shape` filled with zeros. */
export function zeros(shape: Shape, options: TensorOptions = {}): Tensor {
  return full(shape, 0, options);
}

/** A tensor of `shape` filled with ones. */
export function ones(shape: Shape, options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}

/** Zeros with the shape (and, unless overridden, dtype) of `t`. */
export function zerosLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return full(t.shape, 0, { dtype: options.dtype ?? t.dtype });
}

/** Ones with the shape (and, unless overridden, dtype) of `t`. */
export function onesLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return full(t.shape, 1, { dtype: options.dtype ?? t.dtype });
}

/** `value` everywhere, with the shape (and, unless overridden, dtype) of `t`. */
export function fullLike(t: Tensor, value: number | boolean, options: TensorOptions = {}): Tensor {
  return full(t.shape, value, { dtype: options.dtype ?? t.dtype });
}

/**
 * Values from `start` (inclusive) to `end` (exclusive) by `step`; `arange(n)` is `0..n-1`.
 * Integer arguments give `int32` unless a dtype is given; `int32` values truncate toward zero.
 * @throws DTypeError for an `int32` value outside int32's range (pass `{ dtype: 'float64' }` for those).
 */
export function arange(start: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (!Number.isFinite(start) || !Number.isFinite(end))
    throw new RangeError(`arange: start and end must be finite, got ${start} and ${end}`);
  if (step === 0 || !Number.isFinite(step))
    throw new RangeError(`arange: step must be finite and non-zero, got ${step}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const integral = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  const dtype = options.dtype ?? (integral ? 'int32' : 'float32');
  return filled('arange', dtype, n, (i) => start + i * step);
}

/** A `[n]` tensor of `dtype` holding `valueAt(i)`, converted as {@link tensor} converts. */
function filled(op: string, dtype: DType, n: number, valueAt: (i: number) => number): Tensor {
  const storage = allocStorage(dtype, n);
  for (let i = 0; i < n; i++) {
    const value = valueAt(i);
    if (dtype === 'int32' && !fitsInt32(value)) throw int32Error(op, value, elementName(i, [n]));
    storage[i] = dtype === 'bool' ? Number(value !== 0) : value;
  }
  return new Tensor(placed(storage), [n]);
}

/**
 * `steps` evenly spaced values from `start` to `end`, both included (`int32` truncates each).
 * @throws DTypeError for an `int32` value outside int32's range.
 */
export function linspace(start: number, end: number, steps: number, options: TensorOptions = {}): Tensor {
  checkShape('linspace', [steps]);
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  return filled('linspace', options.dtype ?? 'float32', steps, (i) =>
    i === steps - 1 && steps > 1 ? end : start + i * delta,
  );
}

/** The `n × m` identity matrix (`m` defaults to `n`). */
export function eye(n: number, m = n, options: TensorOptions = {}): Tensor {
  checkShape('eye', [n, m]);
  const storage = allocStorage(options.dtype ?? 'float32', n * m);
  for (let i = 0; i < Math.min(n, m); i++) storage[i * m + i] = 1;
  return new Tensor(placed(storage), [n, m]);
}
