import { fmtShape, ShapeError } from '../../errors.js';
import { normalizeDim } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { div, eq, mul, sub, where } from '../binary.js';
import { movedToLast } from '../movement.js';
import { max, sum } from '../reduce.js';
import { exp, log } from '../unary.js';
import { denseOperand, floatDTypeOf, fusedBackend, kernelOutput } from './kernel-operands.js';

/**
 * Softmax (or log-softmax) over the last axis of a float tensor: the backend's `softmax` kernel
 * when it has one, else `exp(x − max)` normalised by its sum (a row of −∞ gives NaN, as PyTorch).
 * The `softmax`/`logSoftmax` ops and the composed attention defaults run on it.
 */
export function softmaxLastDim(op: string, x: Tensor, log: boolean): Tensor {
  const dtype = floatDTypeOf(op, x);
  const backend = fusedBackend(op, x);
  if (!backend.softmax) return composedSoftmax(x, log);
  const cols = x.ndim === 0 ? 1 : x.shape[x.ndim - 1]!;
  const out = kernelOutput(backend, dtype, x.shape);
  backend.softmax(denseOperand(op, x, dtype, backend), out.buffer, cols === 0 ? 0 : x.size / cols, cols, log);
  return out;
}

function composedSoftmax(x: Tensor, logarithm: boolean): Tensor {
  const dim = x.ndim === 0 ? 0 : -1;
  const peak = max(x, dim, { keepdim: true });
  const shifted = sub(x, where(eq(peak, Number.NEGATIVE_INFINITY), 0, peak));
  if (logarithm) return sub(shifted, log(sum(exp(shifted), dim, { keepdim: true })));
  const e = exp(shifted);
  return div(e, sum(e, dim, { keepdim: true }));
}

/**
 * Gradient of `softmax(x, dim)` from its output `y`, as PyTorch's `_softmax_backward_data`:
 * `dx = y ⊙ (dy − Σ dy⊙y)` (sums along `dim`). The backend's fused `softmaxBackward` kernel when it
 * has one, else primitive ops.
 *
 * Shapes: `dy` and `y` alike → `dx` of that shape, in `y`'s dtype.
 * @throws ShapeError when `dy` and `y` differ in shape; DTypeError for non-float operands.
 */
export function softmaxBackward(dy: Tensor, y: Tensor, dim = -1): Tensor {
  return softmaxGrad('softmaxBackward', dy, y, dim, false);
}

/**
 * Gradient of `logSoftmax(x, dim)` from its output `y`, as PyTorch's `_log_softmax_backward_data`:
 * `dx = dy − exp(y)·Σ dy` (sums along `dim`), fused or from primitive ops as {@link softmaxBackward}.
 *
 * Shapes: `dy` and `y` alike → `dx` of that shape, in `y`'s dtype.
 * @throws ShapeError when `dy` and `y` differ in shape; DTypeError for non-float operands.
 */
export function logSoftmaxBackward(dy: Tensor, y: Tensor, dim = -1): Tensor {
  return softmaxGrad('logSoftmaxBackward', dy, y, dim, true);
}

function softmaxGrad(op: string, dy: Tensor, y: Tensor, dim: number, logarithm: boolean): Tensor {
  const dtype = floatDTypeOf(op, y, 'output');
  floatDTypeOf(op, dy, 'gradient');
  if (dy.ndim !== y.ndim || dy.shape.some((d, i) => d !== y.shape[i]))
    throw new ShapeError(`${op}: gradient ${fmtShape(dy.shape)} must match output ${fmtShape(y.shape)}`);
  const d = normalizeDim(op, dim, y.ndim);
  const backend = fusedBackend(op, dy, y);
  if (!backend.softmaxBackward) {
    const g = dy.to(dtype);
    if (logarithm) return sub(g, mul(exp(y), sum(g, d, { keepdim: true })));
    return mul(y, sub(g, sum(mul(g, y), d, { keepdim: true })));
  }
  const [ym, restore] = y.ndim === 0 ? [y, (t: Tensor) => t] : movedToLast(y, d);
  const [dym] = y.ndim === 0 ? [dy] : movedToLast(dy, d);
  const ys = denseOperand(op, ym, dtype, backend);
  const dys = denseOperand(op, dym, dtype, backend);
  // The kernel allows dx to alias dy: write over dy's copy when it is one.
  const dx = dys === dym.buffer ? kernelOutput(backend, dtype, ym.shape) : new Tensor(dys, ym.shape);
  const cols = y.ndim === 0 ? 1 : y.shape[d]!;
  backend.softmaxBackward(ys, dys, dx.buffer, cols === 0 ? 0 : y.size / cols, cols, logarithm);
  return restore(dx);
}
