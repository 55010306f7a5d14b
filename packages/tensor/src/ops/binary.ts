import type { BinaryOp } from '../backend/backend.js';
import { backendFor } from '../backend/registry.js';
import { allocStorage, type DType, floatTypeFor, isFloatDType, promoteTypes } from '../dtype.js';
import { DTypeError, fmtShape, ShapeError } from '../errors.js';
import { INT32_MAX, INT32_MIN } from '../int32.js';
import { broadcastShapes, shapeSize, shapesEqual } from '../shape.js';
import { broadcastView } from '../storage.js';
import { isTensor, Tensor } from '../tensor.js';

/** A tensor or a scalar, accepted wherever an op broadcasts its operands. */
export type TensorLike = Tensor | number | boolean;

/**
 * Turns a scalar operand into a 0-d tensor whose dtype follows PyTorch's rule: a scalar does not
 * widen a tensor of its own kind (float stays float32, an integer stays int32).
 * @throws RangeError for an integer scalar that int32 cannot hold, next to an int32 or bool tensor.
 */
export function scalarLike(value: TensorLike, other: Tensor, op = 'assign'): Tensor {
  if (isTensor(value, op)) return value;
  let dtype: DType;
  if (typeof value === 'boolean') dtype = 'bool';
  else if (isFloatDType(other.dtype)) dtype = other.dtype;
  else dtype = Number.isInteger(value) ? 'int32' : 'float32';
  if (dtype === 'int32' && ((value as number) < INT32_MIN || (value as number) > INT32_MAX)) {
    throw new RangeError(
      `${op}: integer scalar ${value} does not fit in int32, the dtype it takes beside ${other.dtype} tensors; convert the tensor to float first`,
    );
  }
  const storage = allocStorage(dtype, 1);
  storage[0] = Number(value);
  return new Tensor(storage, []);
}

/** A 0-d tensor for a scalar with no tensor beside it: `bool` for booleans, else `float32`. */
function scalarTensor(value: number | boolean): Tensor {
  const storage = allocStorage(typeof value === 'boolean' ? 'bool' : 'float32', 1);
  storage[0] = Number(value);
  return new Tensor(storage, []);
}

function operands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (isTensor(a, op)) return [a, scalarLike(b, a, op)];
  if (isTensor(b, op)) return [scalarLike(a, b, op), b];
  throw new DTypeError(`${op}: at least one operand must be a Tensor`);
}

/** Applies a broadcasting binary kernel, writing a fresh tensor of `dtype`. */
export function applyBinary(op: BinaryOp, x: Tensor, y: Tensor, dtype: DType, name: string = op): Tensor {
  const shape = broadcastShapes(name, x.shape, y.shape);
  const backend = backendFor(name, x, y);
  const out = backend.alloc(dtype, shapeSize(shape));
  backend.binary(
    op,
    broadcastView(x, shape, backend, name),
    broadcastView(y, shape, backend, name),
    out,
    shape,
  );
  return new Tensor(out, shape);
}

function arithmetic(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(op, a, b);
  let dtype = promoteTypes(x.dtype, y.dtype);
  if (dtype === 'bool') dtype = 'int32';
  if (op === 'div') dtype = floatTypeFor(dtype);
  if (op === 'pow' && !isFloatDType(dtype)) dtype = 'float32';
  return applyBinary(op, x, y, dtype);
}

function comparison(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(op, a, b);
  return applyBinary(op, x, y, 'bool');
}

/** `a + b` with broadcasting. */
export const add = (a: TensorLike, b: TensorLike): Tensor => arithmetic('add', a, b);
/** `a - b` with broadcasting. */
export const sub = (a: TensorLike, b: TensorLike): Tensor => arithmetic('sub', a, b);
/** `a * b` with broadcasting. */
export const mul = (a: TensorLike, b: TensorLike): Tensor => arithmetic('mul', a, b);
/** True division `a / b` with broadcasting; integer inputs give float32. */
export const div = (a: TensorLike, b: TensorLike): Tensor => arithmetic('div', a, b);
/** `a ** b` with broadcasting; integer inputs give float32. */
export const pow = (a: TensorLike, b: TensorLike): Tensor => arithmetic('pow', a, b);
/** Elementwise maximum (NaN propagates). */
export const maximum = (a: TensorLike, b: TensorLike): Tensor => arithmetic('maximum', a, b);
/** Elementwise minimum (NaN propagates). */
export const minimum = (a: TensorLike, b: TensorLike): Tensor => arithmetic('minimum', a, b);
/** `a == b` → bool. */
export const eq = (a: TensorLike, b: TensorLike): Tensor => comparison('eq', a, b);
/** `a != b` → bool. */
export const ne = (a: TensorLike, b: TensorLike): Tensor => comparison('ne', a, b);
/** `a < b` → bool. */
export const lt = (a: TensorLike, b: TensorLike): Tensor => comparison('lt', a, b);
/** `a <= b` → bool. */
export const le = (a: TensorLike, b: TensorLike): Tensor => comparison('le', a, b);
/** `a > b` → bool. */
export const gt = (a: TensorLike, b: TensorLike): Tensor => comparison('gt', a, b);
/** `a >= b` → bool. */
export const ge = (a: TensorLike, b: TensorLike): Tensor => comparison('ge', a, b);
/** Elementwise logical and of truthiness → bool. */
export const logicalAnd = (a: TensorLike, b: TensorLike): Tensor => comparison('logicalAnd', a, b);
/** Elementwise logical or of truthiness → bool. */
export const logicalOr = (a: TensorLike, b: TensorLike): Tensor => comparison('logicalOr', a, b);

/**
 * `cond ? a : b` elementwise, all three broadcast together; the result has the promoted dtype of `a` and `b`
 * (two scalars give `float32`, or `bool` for two booleans).
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const [x, y] =
    isTensor(a, 'where') || isTensor(b, 'where')
      ? operands('where', a, b)
      : [scalarTensor(a), scalarTensor(b)];
  const dtype = promoteTypes(x.dtype, y.dtype);
  const shape = broadcastShapes('where', cond.shape, x.shape, y.shape);
  const backend = backendFor('where', cond, x, y);
  const out = backend.alloc(dtype, shapeSize(shape));
  backend.where(
    broadcastView(cond, shape, backend, 'where'),
    broadcastView(x, shape, backend, 'where'),
    broadcastView(y, shape, backend, 'where'),
    out,
    shape,
  );
  return new Tensor(out, shape);
}

/**
 * `x` with `value` written wherever the broadcast `mask` is true; keeps `x`'s dtype.
 * @throws RangeError when `value` is not representable in an int32 `x` (e.g. `-Infinity`, `0.5`).
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  if (mask.dtype !== 'bool') throw new DTypeError(`maskedFill: mask must be bool, got ${mask.dtype}`);
  if (x.dtype === 'int32' && !(Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX)) {
    throw new RangeError(`maskedFill: value ${value} is not representable in x's dtype int32`);
  }
  const fill = allocStorage(x.dtype, 1);
  fill[0] = x.dtype === 'bool' ? (value !== 0 ? 1 : 0) : value;
  const shape = broadcastShapes('maskedFill', x.shape, mask.shape);
  if (!shapesEqual(shape, x.shape)) {
    throw new ShapeError(`maskedFill: mask ${fmtShape(mask.shape)} must broadcast to x ${fmtShape(x.shape)}`);
  }
  return where(mask, new Tensor(fill, []), x);
}
