import type { UnaryOp } from '../backend/backend.js';
import { backendFor } from '../backend/registry.js';
import { type DType, floatTypeFor, isFloatDType } from '../dtype.js';
import { contiguousStorage } from '../storage.js';
import { Tensor } from '../tensor.js';
import { maximum, minimum } from './binary.js';

/** Ops that keep integer dtypes; every other unary op computes in floating point. */
const INTEGER_PRESERVING = new Set<UnaryOp>([
  'neg',
  'abs',
  'sign',
  'square',
  'relu',
  'floor',
  'ceil',
  'round',
]);

/** Applies a unary kernel to a contiguous copy of `x`, choosing the result dtype by op. */
export function applyUnary(op: UnaryOp, x: Tensor): Tensor {
  let dtype: DType;
  if (op === 'logicalNot') dtype = 'bool';
  else if (INTEGER_PRESERVING.has(op) && !isFloatDType(x.dtype))
    dtype = x.dtype === 'bool' ? 'int32' : x.dtype;
  else dtype = floatTypeFor(x.dtype);
  const backend = backendFor(op, x);
  const input = contiguousStorage(op, x, backend, op === 'logicalNot' ? x.dtype : dtype);
  const out = backend.alloc(dtype, input.length);
  backend.unary(op, input, out);
  return new Tensor(out, [...x.shape]);
}

/** `-x` */
export const neg = (x: Tensor): Tensor => applyUnary('neg', x);
/** `e^x` */
export const exp = (x: Tensor): Tensor => applyUnary('exp', x);
/** Natural logarithm. */
export const log = (x: Tensor): Tensor => applyUnary('log', x);
/** Square root. */
export const sqrt = (x: Tensor): Tensor => applyUnary('sqrt', x);
/** `1 / sqrt(x)` */
export const rsqrt = (x: Tensor): Tensor => applyUnary('rsqrt', x);
/** Hyperbolic tangent. */
export const tanh = (x: Tensor): Tensor => applyUnary('tanh', x);
/** Logistic sigmoid `1 / (1 + e^-x)`, stable for large |x|. */
export const sigmoid = (x: Tensor): Tensor => applyUnary('sigmoid', x);
/** `max(x, 0)` */
export const relu = (x: Tensor): Tensor => applyUnary('relu', x);
/** SiLU / swish: `x * sigmoid(x)`. */
export const silu = (x: Tensor): Tensor => applyUnary('silu', x);
/** Absolute value. */
export const abs = (x: Tensor): Tensor => applyUnary('abs', x);
/** -1, 0 or 1 by the sign of `x`. */
export const sign = (x: Tensor): Tensor => applyUnary('sign', x);
/** `x * x` */
export const square = (x: Tensor): Tensor => applyUnary('square', x);
/** `1 / x` */
export const reciprocal = (x: Tensor): Tensor => applyUnary('reciprocal', x);
/** Sine. */
export const sin = (x: Tensor): Tensor => applyUnary('sin', x);
/** Cosine. */
export const cos = (x: Tensor): Tensor => applyUnary('cos', x);
/** Round down. */
export const floor = (x: Tensor): Tensor => applyUnary('floor', x);
/** Round up. */
export const ceil = (x: Tensor): Tensor => applyUnary('ceil', x);
/** Round half to even. */
export const round = (x: Tensor): Tensor => applyUnary('round', x);
/** The error function. */
export const erf = (x: Tensor): Tensor => applyUnary('erf', x);
/** Logical not of truthiness → bool. */
export const logicalNot = (x: Tensor): Tensor => applyUnary('logicalNot', x);

/**
 * Gaussian error linear unit. `approximate: 'none'` (default, PyTorch's `nn.GELU()`) uses erf;
 * `'tanh'` is GPT-2's `0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))`.
 */
export function gelu(x: Tensor, options: { approximate?: 'none' | 'tanh' } = {}): Tensor {
  return applyUnary(options.approximate === 'tanh' ? 'geluTanh' : 'gelu', x);
}

/** Limits values to `[min, max]` (either bound may be omitted). */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  let out = x;
  if (min !== undefined) out = maximum(out, min);
  if (max !== undefined) out = minimum(out, max);
  return out === x ? x.clone() : out;
}
