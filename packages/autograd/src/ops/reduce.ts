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

/** Differentiable product over `dim`; zeros are handled exactly (the product of the other entries). */
export function prod(x: VariableLike, dim?: Dims, options: ReduceOptions = {}): Variable {
  const vx = lift(x);
  const axes = reducedAxes(dim, vx.ndim);
  const out = T.prod(vx.data, dim, options);
  return record('prod', out, [vx], (g) => {
    const gk = keepdims(g, axes, options.keepdim ?? false);
    // d prod / d x_i = product of all other entries: computed with that entry replaced by 1.
    const zero = vx.data.eq(0);
    const nonzero = T.where(zero, 1, vx.data);
    const prodNonzero = T.prod(nonzero, axes, { keepdim: true });
    const zeros = T.sum(zero, axes, { keepdim: true });
    // no zeros: out/x; exactly one zero: prodNonzero at that entry, 0 elsewhere; more: 0.
    const noZero = prodNonzero.div(nonzero);
    const oneZero = T.where(zero, prodNonzero, 0);
    const local = T.where(zeros.eq(0), noZero, T.where(zeros.eq(1), oneZero, 0));
    return [gk.mul(local)];
  });
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
