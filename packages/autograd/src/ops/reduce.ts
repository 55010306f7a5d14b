import type { Dims, ReduceOptions, Tensor, VarianceOptions } from '@proj/tensor';
import * as T from '@proj/tensor';
import { record } from '../graph.js';
import type { Variable, VariableLike } from '../variable.js';
import { lift } from './lift.js';

/** Normalised reduced axes (all when `dim` is undefined). */
function reducedAxes(dim: Dims, ndim: number): number[] {
  if (dim === undefined) return Array.from({ length: ndim }, (_, i) => i);
  return (typeof dim === 'number' ? [dim] : [...dim]).map((d) => (d < 0 ? d + ndim : d));
}

/** Re-inserts reduced axes (size 1) into a gradient of a reduction without keepdim. */
function keepdims(g: Tensor, axes: number[], keepdim: boolean): Tensor {
  if (keepdim) return g;
  let out = g;
  for (const axis of [...axes].sort((a, b) => a - b)) out = out.unsqueeze(axis);
  return out;
}

function count(shape: readonly number[], axes: number[]): number {
  return axes.reduce((p, a) => p * shape[a]!, 1);
}

/** Differentiable sum over `dim`. */
export function sum(x: VariableLike, dim?: Dims, options: ReduceOptions = {}): Variable {
  const vx = lift(x);
  const axes = reducedAxes(dim, vx.ndim);
  return record('sum', T.sum(vx.data, dim, options), [vx], (g) => [
    keepdims(g, axes, options.keepdim ?? false).expand(vx.shape),
  ]);
}

/** Differentiable mean over `dim`. */
export function mean(x: VariableLike, dim?: Dims, options: ReduceOptions = {}): Variable {
  const vx = lift(x);
  const axes = reducedAxes(dim, vx.ndim);
  const n = count(vx.shape, axes);
  return record('mean', T.mean(vx.data, dim, options), [vx], (g) => [
    keepdims(g, axes, options.keepdim ?? false)
      .div(n)
      .expand(vx.shape),
  ]);
}

/**
 * Product of the other entries of each reduced group, `∂ prod / ∂ x_i`, as the product of the
 * entries before `i` and of those after it: exact with zeros and free of the underflow of
 * `prod / x_i`. The reduced axes are flattened into one of length `n`, and both exclusive products
 * come from log₂(n) doubling steps (each multiplies by the product shifted by 1, 2, 4, … places).
 */
function othersProduct(x: Tensor, axes: number[]): Tensor {
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const order = [...kept, ...axes];
  const moved = x.permute(order);
  const rows = moved.reshape([count(x.shape, kept), count(x.shape, axes)]);
  const others = exclusiveProducts(rows, 'before').mul(exclusiveProducts(rows, 'after'));
  const inverse = new Array<number>(order.length);
  order.forEach((axis, i) => {
    inverse[axis] = i;
  });
  return others.reshape(moved.shape).permute(inverse);
}

/** Per row of `[rows, n]`, the product of the entries strictly before (or after) each one (1 at the ends). */
function exclusiveProducts(x: Tensor, side: 'before' | 'after'): Tensor {
  const n = x.shape[1]!;
  /** `t` moved `s` places towards the end (`before`) or the start (`after`), filled with ones. */
  const shift = (t: Tensor, s: number): Tensor => {
    const ones = T.ones([t.shape[0]!, Math.min(s, n)], { dtype: t.dtype });
    if (s >= n) return ones;
    return side === 'before'
      ? T.concat([ones, t.narrow(1, 0, n - s)], 1)
      : T.concat([t.narrow(1, s, n - s), ones], 1);
  };
  let inclusive = x;
  for (let s = 1; s < n; s *= 2) inclusive = inclusive.mul(shift(inclusive, s));
  return shift(inclusive, 1);
}

/** Differentiable product over `dim`; exact at zeros (the gradient is the product of the other entries). */
export function prod(x: VariableLike, dim?: Dims, options: ReduceOptions = {}): Variable {
  const vx = lift(x);
  const axes = reducedAxes(dim, vx.ndim);
  return record('prod', T.prod(vx.data, dim, options), [vx], (g) => [
    othersProduct(vx.data, axes).mul(keepdims(g, axes, options.keepdim ?? false)),
  ]);
}

function extremum(name: string, forward: typeof T.max) {
  return (x: VariableLike, dim?: Dims, options: ReduceOptions = {}): Variable => {
    const vx = lift(x);
    const axes = reducedAxes(dim, vx.ndim);
    const out = forward(vx.data, dim, options);
    return record(name, out, [vx], (g) => {
      const peak = keepdims(out, axes, options.keepdim ?? false);
      const hit = vx.data.eq(peak).to(vx.dtype);
      const ties = T.sum(hit, axes, { keepdim: true });
      return [hit.div(ties).mul(keepdims(g, axes, options.keepdim ?? false))];
    });
  };
}

/** Differentiable max over `dim` (ties share the gradient evenly). */
export const max = extremum('max', T.max);
/** Differentiable min over `dim` (ties share the gradient evenly). */
export const min = extremum('min', T.min);

/** Differentiable variance over `dim` (Bessel's correction by default). */
export function variance(x: VariableLike, dim?: Dims, options: VarianceOptions = {}): Variable {
  const vx = lift(x);
  const axes = reducedAxes(dim, vx.ndim);
  const n = count(vx.shape, axes) - (options.correction ?? 1);
  return record('var', T.variance(vx.data, dim, options), [vx], (g) => {
    const centered = vx.data.sub(T.mean(vx.data, axes, { keepdim: true }));
    return [centered.mul(2 / n).mul(keepdims(g, axes, options.keepdim ?? false))];
  });
}

/** Differentiable standard deviation over `dim`. */
export function std(x: VariableLike, dim?: Dims, options: VarianceOptions = {}): Variable {
  const vx = lift(x);
  const axes = reducedAxes(dim, vx.ndim);
  const n = count(vx.shape, axes) - (options.correction ?? 1);
  const out = T.std(vx.data, dim, options);
  return record('std', out, [vx], (g) => {
    const centered = vx.data.sub(T.mean(vx.data, axes, { keepdim: true }));
    const s = keepdims(out, axes, options.keepdim ?? false);
    return [centered.div(s.mul(n)).mul(keepdims(g, axes, options.keepdim ?? false))];
  });
}

/** Differentiable log-sum-exp over `dim`: its gradient is the softmax. */
export function logsumexp(x: VariableLike, dim?: Dims, options: ReduceOptions = {}): Variable {
  const vx = lift(x);
  const axes = reducedAxes(dim, vx.ndim);
  const out = T.logsumexp(vx.data, dim, options);
  return record('logsumexp', out, [vx], (g) => {
    const weights = vx.data.sub(keepdims(out, axes, options.keepdim ?? false)).exp();
    return [weights.mul(keepdims(g, axes, options.keepdim ?? false))];
  });
}

/** Differentiable cumulative sum along `dim`: the gradient is the reversed cumulative sum. */
export function cumsum(x: VariableLike, dim: number): Variable {
  const vx = lift(x);
  return record('cumsum', T.cumsum(vx.data, dim), [vx], (g) => [
    T.sum(g, dim, { keepdim: true }).sub(T.cumsum(g, dim)).add(g),
  ]);
}
