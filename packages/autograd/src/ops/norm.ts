import * as T from '@proj/tensor';
import { DTypeError, ShapeError, type Tensor } from '@proj/tensor';
import { record } from '../graph.js';
import { fmtShapeOf } from '../tensor-utils.js';
import type { Variable, VariableLike } from '../variable.js';
import { lift } from './lift.js';

/**
 * Layer norm (`rms` false) or RMS norm over the last axis on `@proj/tensor`'s norm functions (the
 * backend's fused kernels where it has them), with the per-row statistics kept for a backward that
 * also yields the `weight` and `bias` column sums. Parameters of another float dtype are read in the
 * input's dtype; their gradients come back in theirs.
 */
function normalize(
  op: string,
  vx: Variable,
  weight: Variable | null,
  bias: Variable | null,
  eps: number,
  rms: boolean,
): Variable {
  const cols = vx.shape[vx.ndim - 1] ?? 1;
  for (const [name, p] of [
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    if (p && (p.ndim !== 1 || p.shape[0] !== cols))
      throw new ShapeError(
        `${op}: ${name} ${fmtShapeOf(p.data)} must be [${cols}] for input ${fmtShapeOf(vx.data)}`,
      );
  }
  if (vx.dtype !== 'float32' && vx.dtype !== 'float64')
    throw new DTypeError(`${op}: input must be float, got ${vx.dtype}`);
  const x = vx.data;
  const w = weight?.data ?? null;
  const { out, mean, rstd } = rms
    ? { ...T.rmsNormForward(x, w, eps), mean: null }
    : T.layerNormForward(x, w, bias?.data ?? null, eps);
  const inputs = [vx, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return record(op, out, inputs, (g) => {
    const mask = { weight: weight?.requiresGrad ?? false, bias: bias?.requiresGrad ?? false };
    const { dx, dweight, dbias } = mean
      ? T.layerNormBackward(g, x, mean, rstd, w, mask)
      : T.rmsNormBackward(g, x, rstd, w, mask);
    const grads: (Tensor | null)[] = [dx];
    if (weight) grads.push(dweight?.to(weight.dtype) ?? null);
    if (bias) grads.push(dbias?.to(bias.dtype) ?? null);
    return grads;
  });
}

/**
 * Fused layer normalisation over the last axis: `(x − mean) / sqrt(var + eps) · weight + bias`
 * (biased variance, as PyTorch). `weight` and `bias` are `[C]` or null.
 * @throws ShapeError when a parameter is not `[C]`; DTypeError for a non-float input.
 */
export function layerNorm(
  x: VariableLike,
  weight: VariableLike | null = null,
  bias: VariableLike | null = null,
  eps = 1e-5,
): Variable {
  const vx = lift(x);
  const vw = weight === null ? null : lift(weight, vx);
  const vb = bias === null ? null : lift(bias, vx);
  return normalize('layerNorm', vx, vw, vb, eps, false);
}

/**
 * Fused RMS normalisation over the last axis: `x / sqrt(mean(x²) + eps) · weight`.
 * @throws ShapeError when `weight` is not `[C]`; DTypeError for a non-float input.
 */
export function rmsNorm(x: VariableLike, weight: VariableLike | null = null, eps = 1e-6): Variable {
  const vx = lift(x);
  const vw = weight === null ? null : lift(weight, vx);
  return normalize('rmsNorm', vx, vw, null, eps, true);
}
