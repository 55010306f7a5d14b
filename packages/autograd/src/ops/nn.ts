import * as T from '@proj/tensor';
import { DTypeError, type Generator, isDeviceStorage, ShapeError, type Tensor } from '@proj/tensor';
import { record } from '../graph.js';
import { fmtShapeOf } from '../tensor-utils.js';
import type { Variable, VariableLike } from '../variable.js';
import { add, mul } from './binary.js';
import { indexSelect } from './indexing.js';
import { lift } from './lift.js';
import { matmul } from './matmul.js';
import { reshape, transpose } from './movement.js';

/** Differentiable softmax along `dim` (default the last): `dx = y ⊙ (g − Σ g⊙y)`, one fused kernel. */
export function softmax(x: VariableLike, dim = -1): Variable {
  const vx = lift(x);
  const out = T.softmax(vx.data, dim);
  return record('softmax', out, [vx], (g) => [T.softmaxBackward(g, out, dim)]);
}

/** Differentiable log-softmax along `dim`: `dx = g − softmax(x) · Σ g`, one fused kernel. */
export function logSoftmax(x: VariableLike, dim = -1): Variable {
  const vx = lift(x);
  const out = T.logSoftmax(vx.data, dim);
  return record('logSoftmax', out, [vx], (g) => [T.logSoftmaxBackward(g, out, dim)]);
}

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions {
  /** Targets equal to this contribute nothing (default -100, as PyTorch). */
  ignoreIndex?: number;
  /** Mixes the one-hot target with the uniform distribution by this amount (default 0). */
  labelSmoothing?: number;
  /** `'mean'` over non-ignored targets (default), `'sum'`, or `'none'` (one loss per target). */
  reduction?: 'mean' | 'sum' | 'none';
}

/**
 * Fused, numerically stable cross-entropy from unnormalised `logits` `[..., C]` and int32 class
 * `targets` `[...]`, on the backend's cross-entropy kernels: the forward keeps each row's
 * log-sum-exp, and the backward is `(softmax − target distribution) · g` without forming a graph.
 * @throws ShapeError when shapes disagree; RangeError for a target outside `[0, C)` that is not ignored.
 */
export function crossEntropy(
  logits: VariableLike,
  targets: Tensor,
  options: CrossEntropyOptions = {},
): Variable {
  const vl = lift(logits);
  const { ignoreIndex = -100, labelSmoothing = 0, reduction = 'mean' } = options;
  if (vl.dtype !== 'float32' && vl.dtype !== 'float64')
    throw new DTypeError(`crossEntropy: logits must be float, got ${vl.dtype}`);
  if (targets.dtype !== 'int32')
    throw new DTypeError(`crossEntropy: targets must be int32, got ${targets.dtype}`);
  const classes = vl.shape[vl.ndim - 1] ?? 0;
  const rowsShape = vl.shape.slice(0, -1);
  if (targets.ndim !== rowsShape.length || targets.shape.some((d, i) => d !== rowsShape[i])) {
    throw new ShapeError(
      `crossEntropy: targets ${fmtShapeOf(targets)} must match logits ${fmtShapeOf(vl.data)} without the class axis`,
    );
  }
  const rows = targets.size;
  const logits2d = vl.data.reshape([rows, classes]);
  const targets1d = targets.reshape([rows]);
  const kernelOptions = { ignoreIndex, labelSmoothing };
  const { losses, lse } = T.crossEntropyForward(logits2d, targets1d, kernelOptions);
  if (reduction === 'none') {
    return record('crossEntropy', losses.reshape(rowsShape), [vl], (g) => [
      T.crossEntropyBackward(logits2d, targets1d, lse, g.reshape([rows]), kernelOptions).reshape(vl.shape),
    ]);
  }
  // Summed (and divided, for a mean) in float64 on the CPU, then rounded once to the logits' dtype;
  // a device's memory may hold no float64, so there in the logits' dtype.
  const total = T.sum(losses.to(isDeviceStorage(losses.buffer) ? vl.dtype : 'float64'));
  const counted = reduction === 'mean' ? T.sum(T.ne(targets1d, ignoreIndex)) : null;
  const out = (counted ? total.div(counted) : total).to(vl.dtype);
  return record('crossEntropy', out, [vl], (g) => [
    T.crossEntropyBackward(logits2d, targets1d, lse, lossScale(g, counted, rows), kernelOptions).reshape(
      vl.shape,
    ),
  ]);
}

/**
 * The upstream gradient of every row's loss of a reduced cross-entropy, `g` (a sum) or `g / count` (a
 * mean): a number computed in double precision for host tensors, as the kernels take it; else (a
 * device's memory, not readable synchronously) a `[rows]` tensor.
 */
function lossScale(g: Tensor, count: Tensor | null, rows: number): number | Tensor {
  if (!isDeviceStorage(g.buffer)) return count ? g.item() / count.item() : g.item();
  return (count ? g.div(count) : g).expand([rows]);
}

/** Options of {@link dropout}. */
export interface DropoutOptions {
  /** Apply dropout (default true); false returns the input unchanged, as in eval mode. */
  training?: boolean;
  /** Source of the mask. */
  generator?: Generator;
}

/** Inverted dropout: zeroes each element with probability `p` and scales the rest by `1/(1−p)`. */
export function dropout(x: VariableLike, p: number, options: DropoutOptions = {}): Variable {
  const vx = lift(x);
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout: p must be in [0, 1), got ${p}`);
  if (options.training === false || p === 0) return vx;
  const keep = T.bernoulli(vx.shape, 1 - p, options.generator ? { generator: options.generator } : {});
  const mask = keep.to(vx.dtype).div(1 - p);
  return mul(vx, mask);
}

/** `x · Wᵀ + b` for `weight` `[out, in]` and optional `bias` `[out]`, as PyTorch's `F.linear`. */
export function linear(x: VariableLike, weight: VariableLike, bias: VariableLike | null = null): Variable {
  const y = matmul(x, transpose(weight, -2, -1));
  return bias === null ? y : add(y, bias);
}

/** Looks up rows of `weight` `[V, C]` for int32 `ids` of any shape → `[...ids.shape, C]`. */
export function embedding(weight: VariableLike, ids: Tensor): Variable {
  const vw = lift(weight);
  const rows = indexSelect(vw, 0, ids.reshape([-1]));
  return reshape(rows, [...ids.shape, vw.shape[1]!]);
}
