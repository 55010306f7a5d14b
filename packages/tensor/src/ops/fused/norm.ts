import { fmtShape, ShapeError } from '../../errors.js';
import { shapeSize } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { add, mul, sub } from '../binary.js';
import { mean as meanOf, sum } from '../reduce.js';
import { rsqrt, square } from '../unary.js';
import {
  denseOperand,
  type FloatDType,
  floatDTypeOf,
  fusedBackend,
  kernelOutput,
} from './kernel-operands.js';

/** What {@link layerNormForward} returns, as PyTorch's `torch.native_layer_norm`. */
export interface LayerNormResult {
  /** The normalised input, `x`'s shape and dtype. */
  out: Tensor;
  /** Per-row mean `[..., 1]`. */
  mean: Tensor;
  /** Per-row reciprocal standard deviation `1/sqrt(var + eps)`, `[..., 1]`. */
  rstd: Tensor;
}

/** What {@link rmsNormForward} returns. */
export interface RmsNormResult {
  /** The normalised input, `x`'s shape and dtype. */
  out: Tensor;
  /** Per-row `1/sqrt(mean(x²) + eps)`, `[..., 1]`. */
  rstd: Tensor;
}

/** Gradients from {@link layerNormBackward} and {@link rmsNormBackward}; null where not requested. */
export interface NormGrads {
  /** `x`'s shape, in `x`'s dtype. */
  dx: Tensor;
  /** `[C]` in `x`'s dtype, or null. */
  dweight: Tensor | null;
  /** `[C]` in `x`'s dtype, or null (always null for RMS norm). */
  dbias: Tensor | null;
}

/** Which parameter gradients a norm backward computes (the input's always). */
export interface NormGradMask {
  /** Compute `dweight` (default true when a weight is given). */
  weight?: boolean;
  /** Compute `dbias` (default false). */
  bias?: boolean;
}

/**
 * Layer normalisation over the last axis, with the statistics its backward needs:
 * `out = (x − mean)·rstd·weight + bias`, `rstd = 1/sqrt(var + eps)` with the biased variance, as
 * PyTorch's `torch.native_layer_norm`. Runs the backend's fused `layerNorm` kernel when it has one,
 * else the same formula from primitive ops.
 *
 * Shapes: `x` `[..., C]`, `weight` and `bias` `[C]` or null (read in `x`'s dtype) → `out` `[..., C]`,
 * `mean` and `rstd` `[..., 1]`.
 * @throws DTypeError for a non-float `x`; ShapeError for a 0-d `x` or a parameter that is not `[C]`.
 * @example const { out, mean, rstd } = layerNormForward(x, weight, bias, 1e-5);
 */
export function layerNormForward(
  x: Tensor,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): LayerNormResult {
  const { out, mean, rstd } = normForward('layerNormForward', { x, weight, bias, eps, rms: false });
  return { out, mean: mean!, rstd };
}

/**
 * RMS normalisation over the last axis: `out = x·rstd·weight`, `rstd = 1/sqrt(mean(x²) + eps)`, on
 * the backend's fused `layerNorm` kernel (its `rms` mode) when it has one, else from primitive ops.
 *
 * Shapes: `x` `[..., C]`, `weight` `[C]` or null → `out` `[..., C]`, `rstd` `[..., 1]`.
 * @throws DTypeError for a non-float `x`; ShapeError for a 0-d `x` or a weight that is not `[C]`.
 */
export function rmsNormForward(x: Tensor, weight: Tensor | null = null, eps = 1e-6): RmsNormResult {
  const { out, rstd } = normForward('rmsNormForward', { x, weight, bias: null, eps, rms: true });
  return { out, rstd };
}

/**
 * Backward of {@link layerNormForward} from its saved `mean` and `rstd`, as PyTorch's
 * `native_layer_norm_backward`: with `x̂ = (x − mean)·rstd` and `g = dy·weight`,
 * `dx = rstd·(g − mean(g) − x̂·mean(g·x̂))` (means over each row), `dweight = Σ_rows dy·x̂`,
 * `dbias = Σ_rows dy`.
 *
 * Shapes: `dy` and `x` `[..., C]`, `mean` and `rstd` with one value per row, `weight` `[C]` or null.
 * @throws ShapeError when the shapes disagree; DTypeError for non-float operands.
 */
export function layerNormBackward(
  dy: Tensor,
  x: Tensor,
  mean: Tensor,
  rstd: Tensor,
  weight: Tensor | null,
  mask: NormGradMask = {},
): NormGrads {
  return normBackward('layerNormBackward', dy, x, mean, rstd, weight, mask);
}

/**
 * Backward of {@link rmsNormForward} from its saved `rstd`: with `x̂ = x·rstd` and `g = dy·weight`,
 * `dx = rstd·(g − x̂·mean(g·x̂))`, `dweight = Σ_rows dy·x̂` (`dbias` is always null).
 *
 * Shapes: as {@link layerNormBackward}, without `mean`.
 * @throws ShapeError when the shapes disagree; DTypeError for non-float operands.
 */
export function rmsNormBackward(
  dy: Tensor,
  x: Tensor,
  rstd: Tensor,
  weight: Tensor | null,
  mask: Pick<NormGradMask, 'weight'> = {},
): NormGrads {
  return normBackward('rmsNormBackward', dy, x, null, rstd, weight, { weight: mask.weight });
}

/** Rows and columns of a norm's input, checking `x` and its parameters. */
function normLayout(op: string, x: Tensor, params: Record<string, Tensor | null>) {
  floatDTypeOf(op, x);
  if (x.ndim === 0) throw new ShapeError(`${op}: input must have at least one dim, got a 0-d tensor`);
  const cols = x.shape[x.ndim - 1]!;
  for (const [name, p] of Object.entries(params)) {
    if (p && (p.ndim !== 1 || p.shape[0] !== cols))
      throw new ShapeError(
        `${op}: ${name} ${fmtShape(p.shape)} must be [${cols}] for input ${fmtShape(x.shape)}`,
      );
  }
  const statsShape = [...x.shape.slice(0, -1), 1];
  return { dtype: x.dtype as FloatDType, rows: shapeSize(statsShape), cols, statsShape };
}

/** A norm's operands: RMS norm when `rms` (its `bias` is ignored). */
interface NormInputs {
  x: Tensor;
  weight: Tensor | null;
  bias: Tensor | null;
  eps: number;
  rms: boolean;
}

/** A norm's output and the statistics its backward needs (`mean` null for RMS norm). */
interface NormStats {
  out: Tensor;
  mean: Tensor | null;
  rstd: Tensor;
}

function normForward(op: string, inputs: NormInputs): NormStats {
  const { x, weight, bias, eps, rms } = inputs;
  const { dtype, rows, cols, statsShape } = normLayout(op, x, { weight, bias });
  const backend = fusedBackend(op, x, weight, bias);
  if (!backend.layerNorm)
    return composedNormForward({
      ...inputs,
      weight: weight?.to(dtype) ?? null,
      bias: bias?.to(dtype) ?? null,
    });
  const out = kernelOutput(backend, dtype, x.shape);
  const mean = kernelOutput(backend, dtype, rms ? [0] : statsShape);
  const rstd = kernelOutput(backend, dtype, statsShape);
  backend.layerNorm({
    x: denseOperand(op, x, dtype, backend),
    weight: weight && denseOperand(op, weight, dtype, backend),
    bias: bias && denseOperand(op, bias, dtype, backend),
    out: out.buffer,
    mean: mean.buffer,
    rstd: rstd.buffer,
    rows,
    cols,
    eps,
    rms,
  });
  return { out, mean: rms ? null : mean, rstd };
}

/** The norm forward from primitive ops (statistics in `x`'s dtype; parameters already in it). */
function composedNormForward({ x, weight, bias, eps, rms }: NormInputs): NormStats {
  const mean = rms ? null : meanOf(x, -1, { keepdim: true });
  const centered = mean ? sub(x, mean) : x;
  const rstd = rsqrt(add(meanOf(square(centered), -1, { keepdim: true }), eps));
  let out = mul(centered, rstd);
  if (weight) out = mul(out, weight);
  if (bias && !rms) out = add(out, bias);
  return { out, mean, rstd };
}

function normBackward(
  op: string,
  dy: Tensor,
  x: Tensor,
  mean: Tensor | null,
  rstd: Tensor,
  weight: Tensor | null,
  mask: NormGradMask,
): NormGrads {
  const { dtype, rows, cols, statsShape } = normLayout(op, x, { weight });
  floatDTypeOf(op, dy, 'gradient');
  if (dy.ndim !== x.ndim || dy.shape.some((d, i) => d !== x.shape[i]))
    throw new ShapeError(`${op}: gradient ${fmtShape(dy.shape)} must match input ${fmtShape(x.shape)}`);
  for (const [name, stat] of [
    ['mean', mean],
    ['rstd', rstd],
  ] as const) {
    if (stat && stat.size !== rows)
      throw new ShapeError(
        `${op}: ${name} ${fmtShape(stat.shape)} must hold one value per row of input ${fmtShape(x.shape)} (${rows})`,
      );
  }
  const wantWeight = weight !== null && mask.weight !== false;
  const wantBias = mask.bias === true && mean !== null;
  const backend = fusedBackend(op, dy, x, mean, rstd, weight);
  const rms = mean === null;
  if (!backend.layerNormBackward) {
    const stat = (t: Tensor) => t.to(dtype).reshape(statsShape);
    return composedNormBackward(
      dy.to(dtype),
      x,
      mean ? stat(mean) : null,
      stat(rstd),
      weight?.to(dtype) ?? null,
      wantWeight,
      wantBias,
    );
  }
  const dx = kernelOutput(backend, dtype, x.shape);
  const dweight = wantWeight ? kernelOutput(backend, dtype, [cols]) : null;
  const dbias = wantBias ? kernelOutput(backend, dtype, [cols]) : null;
  backend.layerNormBackward({
    dy: denseOperand(op, dy, dtype, backend),
    x: denseOperand(op, x, dtype, backend),
    weight: weight && denseOperand(op, weight, dtype, backend),
    mean: mean ? denseOperand(op, mean, dtype, backend) : backend.alloc(dtype, 0),
    rstd: denseOperand(op, rstd, dtype, backend),
    dx: dx.buffer,
    dweight: dweight?.buffer ?? null,
    dbias: dbias?.buffer ?? null,
    rows,
    cols,
    rms,
  });
  return { dx, dweight, dbias };
}

/** The norm backward from primitive ops; `mean` null for RMS norm. */
function composedNormBackward(
  dy: Tensor,
  x: Tensor,
  mean: Tensor | null,
  rstd: Tensor,
  weight: Tensor | null,
  wantWeight: boolean,
  wantBias: boolean,
): NormGrads {
  const xhat = mul(mean ? sub(x, mean) : x, rstd);
  const g = weight ? mul(dy, weight) : dy;
  const projection = mul(xhat, meanOf(mul(g, xhat), -1, { keepdim: true }));
  const centered = mean ? sub(g, meanOf(g, -1, { keepdim: true })) : g;
  const dx = mul(sub(centered, projection), rstd);
  const cols = x.shape[x.ndim - 1]!;
  const columnSums = (t: Tensor) => sum(t.reshape([-1, cols]), 0);
  return {
    dx,
    dweight: wantWeight ? columnSums(mul(dy, xhat)) : null,
    dbias: wantBias ? columnSums(dy) : null,
  };
}
