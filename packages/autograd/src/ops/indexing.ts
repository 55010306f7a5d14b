import type { Tensor } from '@proj/tensor';
import * as T from '@proj/tensor';
import { record } from '../graph.js';
import type { Variable, VariableLike } from '../variable.js';
import { lift } from './lift.js';

/** Differentiable gather along `dim`: the gradient scatters back (repeated indices accumulate). */
export function gather(x: VariableLike, dim: number, index: Tensor): Variable {
  const vx = lift(x);
  return record('gather', T.gather(vx.data, dim, index), [vx], (g) => [
    T.scatterAdd(T.zeros(vx.shape, { dtype: g.dtype }), dim, index, g),
  ]);
}

/** Differentiable index select along `dim` (an embedding lookup for `dim = 0`). */
export function indexSelect(x: VariableLike, dim: number, index: Tensor): Variable {
  const vx = lift(x);
  const d = dim < 0 ? dim + vx.ndim : dim;
  return record('indexSelect', T.indexSelect(vx.data, d, index), [vx], (g) => [
    T.indexSelectBackward(g, vx.shape, d, index),
  ]);
}

/** Differentiable scatter-add: `x` gets the gradient unchanged, `src` gathers it. */
export function scatterAdd(x: VariableLike, dim: number, index: Tensor, src: VariableLike): Variable {
  const vx = lift(x);
  const vs = lift(src, vx);
  return record('scatterAdd', T.scatterAdd(vx.data, dim, index, vs.data), [vx, vs], (g) => {
    const gathered = vs.requiresGrad ? T.gather(g, dim, index) : null;
    const gs =
      gathered && (gathered.shape.every((d, i) => d === vs.shape[i]) ? gathered : padTo(gathered, vs.shape));
    return [g, gs];
  });
}

/** Zero-pads `t` at the end of each axis up to `shape` (src may be larger than index in scatterAdd). */
function padTo(t: Tensor, shape: readonly number[]): Tensor {
  const out = T.zeros(shape, { dtype: t.dtype });
  let region = out;
  t.shape.forEach((d, axis) => {
    region = region.narrow(axis, 0, d);
  });
  region.assign(t);
  return out;
}

/** Differentiable lower triangle of the last two axes. */
export function tril(x: VariableLike, diagonal = 0): Variable {
  const vx = lift(x);
  return record('tril', vx.data.tril(diagonal), [vx], (g) => [g.tril(diagonal)]);
}

/** Differentiable upper triangle of the last two axes. */
export function triu(x: VariableLike, diagonal = 0): Variable {
  const vx = lift(x);
  return record('triu', vx.data.triu(diagonal), [vx], (g) => [g.triu(diagonal)]);
}

/** The `k` largest (or smallest) entries along `dim`: values differentiable, indices a Tensor. */
export function topk(
  x: VariableLike,
  k: number,
  options: { dim?: number; largest?: boolean } = {},
): { values: Variable; indices: Tensor } {
  const vx = lift(x);
  const { indices } = vx.data.topk(k, options);
  return { values: gather(vx, options.dim ?? -1, indices), indices };
}
