import type { ReduceOp } from '../backend/backend.js';
import { backendFor } from '../backend/registry.js';
import { allocStorage, type DType, floatTypeFor, isFloatDType } from '../dtype.js';
import { DTypeError, fmtShape, ShapeError } from '../errors.js';
import { normalizeDim, normalizeDims } from '../shape.js';
import { contiguousData, contiguousStorage } from '../storage.js';
import { Tensor } from '../tensor.js';
import { div, sub, where } from './binary.js';
import { softmaxLastDim } from './fused/softmax.js';
import { movedToLast, permute } from './movement.js';
import { exp, log, sqrt, square } from './unary.js';

/** Axes to reduce: one, several, or all when omitted. */
export type Dims = number | readonly number[] | undefined;

/** Options of reductions. */
export interface ReduceOptions {
  /** Keep reduced axes as size 1 (default false). */
  keepdim?: boolean;
}

/**
 * Permutes reduced axes last, copies to a contiguous block in `inDtype`, and runs a reduce kernel
 * over each row into a tensor of `outDtype`.
 */
function reduceWith(
  op: ReduceOp,
  name: string,
  x: Tensor,
  dim: Dims,
  keepdim: boolean,
  inDtype: DType,
  outDtype: DType,
): Tensor {
  const dims = normalizeDims(name, dim, x.ndim);
  const kept = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const inner = dims.reduce((p, d) => p * x.shape[d]!, 1);
  const outer = kept.reduce((p, d) => p * x.shape[d]!, 1);
  if (inner === 0 && op !== 'sum' && op !== 'prod') {
    throw new ShapeError(`${name}: cannot reduce over an empty axis of ${fmtShape(x.shape)}`);
  }
  const backend = backendFor(name, x);
  const data = contiguousStorage(name, permute(x, [...kept, ...dims]), backend, inDtype);
  const out = backend.alloc(outDtype, outer);
  backend.reduce(op, data, out, outer, inner);
  const shape = keepdim ? x.shape.map((d, i) => (dims.includes(i) ? 1 : d)) : kept.map((i) => x.shape[i]!);
  return new Tensor(out, shape);
}

function sumType(dtype: DType): DType {
  return isFloatDType(dtype) ? dtype : 'int32';
}

/** Sum over `dim` (all axes by default). Integer and bool inputs sum to int32. */
export function sum(x: Tensor, dim?: Dims, options: ReduceOptions = {}): Tensor {
  return reduceWith('sum', 'sum', x, dim, options.keepdim ?? false, sumType(x.dtype), sumType(x.dtype));
}

/** Product over `dim`. */
export function prod(x: Tensor, dim?: Dims, options: ReduceOptions = {}): Tensor {
  return reduceWith('prod', 'prod', x, dim, options.keepdim ?? false, sumType(x.dtype), sumType(x.dtype));
}

/** Arithmetic mean over `dim`, in floating point. */
export function mean(x: Tensor, dim?: Dims, options: ReduceOptions = {}): Tensor {
  const dtype = floatTypeFor(x.dtype);
  const total = reduceWith('sum', 'mean', x, dim, options.keepdim ?? false, dtype, dtype);
  const count = normalizeDims('mean', dim, x.ndim).reduce((p, d) => p * x.shape[d]!, 1);
  return div(total, count);
}

/** Maximum over `dim` (NaN propagates). */
export function max(x: Tensor, dim?: Dims, options: ReduceOptions = {}): Tensor {
  return reduceWith('max', 'max', x, dim, options.keepdim ?? false, x.dtype, x.dtype);
}

/** Minimum over `dim` (NaN propagates). */
export function min(x: Tensor, dim?: Dims, options: ReduceOptions = {}): Tensor {
  return reduceWith('min', 'min', x, dim, options.keepdim ?? false, x.dtype, x.dtype);
}

/** argmax/argmin along `dim`, or over the flattened tensor (keepdim then gives all-ones shape, as PyTorch). */
function argReduce(op: 'argmax' | 'argmin', x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  if (dim !== undefined) return reduceWith(op, op, x, dim, keepdim, x.dtype, 'int32');
  const flat = reduceWith(op, op, x.reshape([-1]), 0, false, x.dtype, 'int32');
  return keepdim ? flat.reshape(x.shape.map(() => 1)) : flat;
}

/** Index (int32) of the first maximum along `dim`, or into the flattened tensor when `dim` is omitted. */
export function argmax(x: Tensor, dim?: number, options: ReduceOptions = {}): Tensor {
  return argReduce('argmax', x, dim, options.keepdim ?? false);
}

/** Index (int32) of the first minimum along `dim`, or into the flattened tensor when `dim` is omitted. */
export function argmin(x: Tensor, dim?: number, options: ReduceOptions = {}): Tensor {
  return argReduce('argmin', x, dim, options.keepdim ?? false);
}

/** Options of {@link variance} and {@link std}. */
export interface VarianceOptions extends ReduceOptions {
  /** Subtracted from the count in the denominator: 1 (default, Bessel) or 0 (population). */
  correction?: number;
}

/** Variance over `dim` with Bessel's correction by default. */
export function variance(x: Tensor, dim?: Dims, options: VarianceOptions = {}): Tensor {
  const dtype = floatTypeFor(x.dtype);
  const xf = x.to(dtype);
  const centered = sub(xf, mean(xf, dim, { keepdim: true }));
  const count = normalizeDims('var', dim, x.ndim).reduce((p, d) => p * x.shape[d]!, 1);
  const total = reduceWith('sum', 'var', square(centered), dim, options.keepdim ?? false, dtype, dtype);
  return div(total, Math.max(0, count - (options.correction ?? 1)));
}

/** Standard deviation over `dim` with Bessel's correction by default. */
export function std(x: Tensor, dim?: Dims, options: VarianceOptions = {}): Tensor {
  return sqrt(variance(x, dim, options));
}

/** `log(sum(exp(x)))` over `dim`, computed stably by shifting by the maximum. */
export function logsumexp(x: Tensor, dim?: Dims, options: ReduceOptions = {}): Tensor {
  const xf = x.to(floatTypeFor(x.dtype));
  const peak = max(xf, dim, { keepdim: true });
  const shift = where(peak.abs().lt(Number.POSITIVE_INFINITY), peak, 0);
  const total = sum(exp(sub(xf, shift)), dim, { keepdim: true });
  const out = log(total).add(shift);
  return options.keepdim ? out : out.squeeze(normalizeDims('logsumexp', dim, x.ndim));
}

function softmaxWith(name: string, x: Tensor, dim: number, logarithm: boolean): Tensor {
  if (!isFloatDType(x.dtype)) throw new DTypeError(`${name}: expected a float tensor, got ${x.dtype}`);
  const [moved, restore] = movedToLast(x, normalizeDim(name, dim, x.ndim));
  return restore(softmaxLastDim(name, moved, logarithm));
}

/** Softmax along `dim` (default the last), stable for large inputs. */
export function softmax(x: Tensor, dim = -1): Tensor {
  return softmaxWith('softmax', x, dim, false);
}

/** Log-softmax along `dim` (default the last), computed without forming the softmax. */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  return softmaxWith('logSoftmax', x, dim, true);
}

/** Cumulative sum along `dim`. */
export function cumsum(x: Tensor, dim: number): Tensor {
  const d = normalizeDim('cumsum', dim, x.ndim);
  const [moved, restore] = movedToLast(x, d);
  const dtype = sumType(x.dtype);
  const data = contiguousData(moved, dtype);
  const out = allocStorage(dtype, data.length);
  const cols = x.ndim === 0 ? 1 : x.shape[d]!;
  for (let start = 0; start < data.length; start += cols) {
    let acc = 0;
    for (let j = start; j < start + cols; j++) out[j] = acc += data[j]!;
  }
  return restore(new Tensor(out, [...moved.shape]));
}
