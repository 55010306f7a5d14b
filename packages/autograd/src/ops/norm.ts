import { allocStorage, DTypeError, type FloatArray, getBackend, ShapeError, Tensor } from '@proj/tensor';
import { record } from '../graph.js';
import { fmtShapeOf } from '../tensor-utils.js';
import type { Variable, VariableLike } from '../variable.js';
import { type FloatDType, kernelInput } from './kernel-data.js';
import { lift } from './lift.js';

/**
 * Layer norm (`rms` false) or RMS norm over the last axis on the backend's fused kernels, with the
 * per-row statistics kept for a backward that also yields the `weight` and `bias` column sums.
 * Parameters of another float dtype are read in the input's dtype; their gradients come back in theirs.
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
  const dtype: FloatDType = vx.dtype;
  const x = kernelInput(vx.data, dtype);
  const rows = cols === 0 ? 0 : x.length / cols;
  const w = weight && kernelInput(weight.data, dtype);
  const out = allocStorage(dtype, x.length) as FloatArray;
  const mean = allocStorage(dtype, rms ? 0 : rows) as FloatArray;
  const rstd = allocStorage(dtype, rows) as FloatArray;
  const b = bias && kernelInput(bias.data, dtype);
  getBackend().layerNorm({ x, weight: w, bias: b, out, mean, rstd, rows, cols, eps, rms });
  const inputs = [vx, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return record(op, new Tensor(out, vx.shape), inputs, (g) => {
    const dy = kernelInput(g, dtype);
    const dx = allocStorage(dtype, x.length) as FloatArray;
    const column = (p: Variable | null) =>
      p?.requiresGrad ? (allocStorage(dtype, cols) as FloatArray) : null;
    const dweight = column(weight);
    const dbias = column(bias);
    getBackend().layerNormBackward({ dy, x, weight: w, mean, rstd, dx, dweight, dbias, rows, cols, rms });
    const grads: (Tensor | null)[] = [new Tensor(dx, vx.shape)];
    if (weight) grads.push(dweight && new Tensor(dweight, [cols]).to(weight.dtype));
    if (bias) grads.push(dbias && new Tensor(dbias, [cols]).to(bias.dtype));
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
