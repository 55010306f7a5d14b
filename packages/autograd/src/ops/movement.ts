import type { DType, Shape, Tensor } from '@proj/tensor';
import * as T from '@proj/tensor';
import { record } from '../graph.js';
import { RegionGrad } from '../region-grad.js';
import { sumToShape } from '../tensor-utils.js';
import { Variable, type VariableLike } from '../variable.js';
import { lift } from './lift.js';

/** Gradient of a view that picks a region: zeros everywhere but the region, which gets `g`. */
function scatterIntoZeros(x: Variable, g: Tensor, region: (z: Tensor) => Tensor): Tensor {
  const z = T.zeros(x.shape, { dtype: g.dtype });
  region(z).assign(g);
  return z;
}

/** Differentiable reshape (a view when the layout allows). */
export function reshape(x: VariableLike, shape: Shape): Variable {
  const vx = lift(x);
  return record('reshape', vx.data.reshape(shape), [vx], (g) => [g.reshape(vx.shape)]);
}

/** Differentiable view (never copies). */
export function view(x: VariableLike, shape: Shape): Variable {
  const vx = lift(x);
  return record('view', vx.data.view(shape), [vx], (g) => [g.reshape(vx.shape)]);
}

/** Differentiable flatten of axes `startDim..endDim`. */
export function flatten(x: VariableLike, startDim?: number, endDim?: number): Variable {
  const vx = lift(x);
  return record('flatten', vx.data.flatten(startDim, endDim), [vx], (g) => [g.reshape(vx.shape)]);
}

/** Differentiable permute of axes. */
export function permute(x: VariableLike, dims: readonly number[]): Variable {
  const vx = lift(x);
  const out = vx.data.permute(dims);
  const inverse = new Array<number>(dims.length);
  dims.forEach((d, i) => {
    inverse[d < 0 ? d + dims.length : d] = i;
  });
  return record('permute', out, [vx], (g) => [g.permute(inverse)]);
}

/** Differentiable transpose of two axes (default the last two). */
export function transpose(x: VariableLike, dim0 = -2, dim1 = -1): Variable {
  const vx = lift(x);
  if (vx.ndim < 2) return vx;
  return record('transpose', vx.data.transpose(dim0, dim1), [vx], (g) => [g.transpose(dim0, dim1)]);
}

/** Differentiable broadcast to `shape`: the gradient is summed back. */
export function expand(x: VariableLike, shape: Shape): Variable {
  const vx = lift(x);
  return record('expand', vx.data.expand(shape), [vx], (g) => [sumToShape(g, vx.shape)]);
}

/** Normalised axis and start of a slab of `x` (negative values count from the end). */
function slab(x: Variable, dim: number, start: number): [number, number] {
  const d = dim < 0 ? dim + x.ndim : dim;
  return [d, start < 0 ? start + x.shape[d]! : start];
}

/** Differentiable narrow along `dim`. */
export function narrow(x: VariableLike, dim: number, start: number, length: number): Variable {
  const vx = lift(x);
  const out = vx.data.narrow(dim, start, length);
  const [d, s] = slab(vx, dim, start);
  return record('narrow', out, [vx], (g) => [new RegionGrad(vx.shape, d, s, g)]);
}

/** Differentiable Python-style slice along `dim`. */
export function slice(x: VariableLike, dim: number, start?: number, end?: number, step?: number): Variable {
  const vx = lift(x);
  const out = vx.data.slice(dim, start, end, step);
  if (step === undefined || step === 1) {
    // a unit step is a slab: its start clipped as Python does
    const [d, from] = slab(vx, dim, start ?? 0);
    const s = Math.min(vx.shape[d]!, Math.max(0, from));
    return record('slice', out, [vx], (g) => [new RegionGrad(vx.shape, d, s, g)]);
  }
  return record('slice', out, [vx], (g) => [scatterIntoZeros(vx, g, (z) => z.slice(dim, start, end, step))]);
}

/** Differentiable `x[..., index, ...]` along `dim`. */
export function select(x: VariableLike, dim: number, index: number): Variable {
  const vx = lift(x);
  const out = vx.data.select(dim, index);
  const [d, i] = slab(vx, dim, index);
  return record('select', out, [vx], (g) => [new RegionGrad(vx.shape, d, i, g.unsqueeze(d))]);
}

/** Differentiable squeeze. */
export function squeeze(x: VariableLike, dim?: number | readonly number[]): Variable {
  const vx = lift(x);
  return record('squeeze', vx.data.squeeze(dim), [vx], (g) => [g.reshape(vx.shape)]);
}

/** Differentiable unsqueeze. */
export function unsqueeze(x: VariableLike, dim: number): Variable {
  const vx = lift(x);
  return record('unsqueeze', vx.data.unsqueeze(dim), [vx], (g) => [g.reshape(vx.shape)]);
}

/** Differentiable contiguous copy (identity gradient). */
export function contiguous(x: VariableLike): Variable {
  const vx = lift(x);
  return record('contiguous', vx.data.contiguous(), [vx], (g) => [g]);
}

/** Differentiable dtype cast between float types; a cast to `int32` or `bool` is a constant. */
export function to(x: VariableLike, dtype: DType): Variable {
  const vx = lift(x);
  const out = vx.data.to(dtype);
  if (!T.isFloatDType(dtype)) return new Variable(out);
  return record('to', out, [vx], (g) => [g.to(vx.dtype)]);
}

/** Differentiable concatenation along `dim`. */
export function concat(xs: readonly VariableLike[], dim = 0): Variable {
  const vs = xs.map((x) => lift(x));
  const out = T.concat(
    vs.map((v) => v.data),
    dim,
  );
  const d = dim < 0 ? dim + out.ndim : dim;
  return record('concat', out, vs, (g) =>
    g.split(
      vs.map((v) => v.shape[d]!),
      d,
    ),
  );
}

/** Differentiable stacking along a new axis `dim`. */
export function stack(xs: readonly VariableLike[], dim = 0): Variable {
  const vs = xs.map((x) => lift(x));
  const out = T.stack(
    vs.map((v) => v.data),
    dim,
  );
  const d = dim < 0 ? dim + out.ndim : dim;
  return record('stack', out, vs, (g) => g.split(1, d).map((part) => part.squeeze(d)));
}

/** Differentiable split along `dim` into Variables of `size` each (or the listed sizes). */
export function split(x: VariableLike, size: number | readonly number[], dim = 0): Variable[] {
  const vx = lift(x);
  const d = dim < 0 ? dim + vx.ndim : dim;
  let start = 0;
  return vx.data.split(size, d).map((part) => {
    const at = start;
    start += part.shape[d]!;
    return narrow(vx, d, at, part.shape[d]!);
  });
}

/** Differentiable split into `chunks` nearly equal Variables along `dim`. */
export function chunk(x: VariableLike, chunks: number, dim = 0): Variable[] {
  const vx = lift(x);
  const d = dim < 0 ? dim + vx.ndim : dim;
  return split(vx, Math.max(1, Math.ceil(vx.shape[d]! / chunks)), d);
}
