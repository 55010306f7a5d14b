import { DTypeError, ShapeError, type Tensor } from '@proj/tensor';
import { fmtShapeOf } from '../tensor-utils.js';
import type { Variable, VariableLike } from '../variable.js';
import { add, mul, sub } from './binary.js';
import { lift } from './lift.js';
import { view } from './movement.js';
import { mean } from './reduce.js';
import { rsqrt, square } from './unary.js';

/** Options of {@link batchNorm} (PyTorch's `F.batch_norm`, camelCased). */
export interface BatchNormOptions {
  /** Normalise with the batch's statistics and update the running ones (default false: use the running ones). */
  training?: boolean;
  /** Weight of the batch statistics in the running averages (default 0.1). */
  momentum?: number;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/**
 * Batch normalisation over every axis but the channel axis 1, PyTorch's `F.batch_norm`:
 * `(x − mean) / sqrt(var + eps) · weight + bias` per channel. In training the batch's mean and biased
 * variance normalise, and the running statistics (when given) are updated in place:
 * `running = (1 − momentum)·running + momentum·batch`, with the unbiased variance as PyTorch.
 * Otherwise the running statistics normalise. Written from differentiable primitives.
 *
 * Shapes: `x` `[N, C, ...]`; `runningMean`, `runningVar`, `weight`, `bias` `[C]` or null.
 * @example batchNorm(x, runningMean, runningVar, weight, bias, { training: true })
 * @throws ShapeError for misshaped statistics or parameters, a single value per channel in
 * training, or missing running statistics outside training; DTypeError for non-float input.
 */
export function batchNorm(
  x: VariableLike,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: VariableLike | null = null,
  bias: VariableLike | null = null,
  options: BatchNormOptions = {},
): Variable {
  const vx = lift(x);
  const vw = weight === null ? null : lift(weight, vx);
  const vb = bias === null ? null : lift(bias, vx);
  if (vx.dtype !== 'float32' && vx.dtype !== 'float64')
    throw new DTypeError(`batchNorm: input must be float32 or float64, got ${vx.dtype}`);
  if (vx.ndim < 2) throw new ShapeError(`batchNorm: input must be [N, C, ...], got ${fmtShapeOf(vx.data)}`);
  const C = vx.shape[1]!;
  const named: [string, { shape: readonly number[] } | null][] = [
    ['runningMean', runningMean],
    ['runningVar', runningVar],
    ['weight', vw],
    ['bias', vb],
  ];
  for (const [name, t] of named) {
    if (t && (t.shape.length !== 1 || t.shape[0] !== C))
      throw new ShapeError(
        `batchNorm: ${name} [${t.shape.join(', ')}] must be [${C}] for input ${fmtShapeOf(vx.data)}`,
      );
  }
  const { training = false, momentum = 0.1, eps = 1e-5 } = options;
  const channel = [1, C, ...vx.shape.slice(2).map(() => 1)]; // (1, C, 1, ...)
  const axes = vx.shape.map((_, i) => i).filter((i) => i !== 1);
  if (!training && (runningMean === null || runningVar === null))
    throw new ShapeError('batchNorm: runningMean and runningVar are needed when not training');
  let y: Variable;
  if (training) {
    const count = vx.size / C;
    if (count <= 1)
      throw new ShapeError(
        `batchNorm: expected more than 1 value per channel when training, got input ${fmtShapeOf(vx.data)}`,
      );
    const batchMean = mean(vx, axes, { keepdim: true });
    const centered = sub(vx, batchMean);
    const batchVar = mean(square(centered), axes, { keepdim: true }); // biased, as the normalisation uses
    y = mul(centered, rsqrt(add(batchVar, eps)));
    runningMean?.assign(runningMean.mul(1 - momentum).add(batchMean.data.reshape([C]).mul(momentum)));
    const unbiased = batchVar.data.reshape([C]).mul(count / (count - 1));
    runningVar?.assign(runningVar.mul(1 - momentum).add(unbiased.mul(momentum)));
  } else {
    const scale = runningVar!.add(eps).rsqrt().reshape(channel);
    y = mul(sub(vx, runningMean!.reshape(channel)), scale);
  }
  if (vw) y = mul(y, view(vw, channel));
  if (vb) y = add(y, view(vb, channel));
  return y;
}
