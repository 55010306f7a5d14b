import { batchNorm, lift, type Variable, type VariableLike } from '@proj/autograd';
import { full, ShapeError, zeros } from '@proj/tensor';
import { Buffer, Module, Parameter } from '../module.js';

/** Options of {@link BatchNorm2d} (PyTorch's `nn.BatchNorm2d` arguments, camelCased). */
export interface BatchNormLayerOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of each batch in the running statistics (default 0.1); null: their cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale `weight` and shift `bias` (default true). */
  affine?: boolean;
  /** Keep running statistics for evaluation (default true); false: always normalise by the batch. */
  trackRunningStats?: boolean;
  dtype?: 'float32' | 'float64';
}

/**
 * Batch normalisation of NCHW images per channel, PyTorch's `nn.BatchNorm2d`. In training mode each
 * batch is normalised by its own mean and biased variance, and the running statistics move towards
 * them (`running = (1 − momentum)·running + momentum·batch`, the variance unbiased, as PyTorch); in
 * evaluation mode ({@link Module.eval}) the running statistics normalise. Parameters `weight`, `bias`
 * and buffers `running_mean`, `running_var`, `num_batches_tracked` carry PyTorch's names, so its
 * state dicts load.
 *
 * Shapes: `x` `[N, numFeatures, H, W]` → same.
 * @example const bn = new BatchNorm2d(16); bn.forward(x); bn.eval().forward(x)
 */
export class BatchNorm2d extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  running_mean: Buffer | null;
  running_var: Buffer | null;
  num_batches_tracked: Buffer | null;
  readonly eps: number;
  readonly momentum: number | null;

  constructor(
    readonly numFeatures: number,
    options: BatchNormLayerOptions = {},
  ) {
    super();
    const dtype = options.dtype ?? 'float32';
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    const affine = options.affine ?? true;
    this.weight = affine ? new Parameter(full([numFeatures], 1, { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    const track = options.trackRunningStats ?? true;
    this.running_mean = track ? new Buffer(zeros([numFeatures], { dtype })) : null;
    this.running_var = track ? new Buffer(full([numFeatures], 1, { dtype })) : null;
    this.num_batches_tracked = track ? new Buffer(zeros([], { dtype: 'int32' })) : null;
  }

  /** @throws ShapeError unless `x` is `[N, numFeatures, H, W]` (with more than one value per channel in training). */
  forward(x: VariableLike): Variable {
    const vx = lift(x);
    if (vx.ndim !== 4 || vx.shape[1] !== this.numFeatures)
      throw new ShapeError(
        `BatchNorm2d: expected input [N, ${this.numFeatures}, H, W], got [${vx.shape.join(', ')}]`,
      );
    let momentum = this.momentum ?? 0;
    if (this.training && this.num_batches_tracked) {
      const count = this.num_batches_tracked.data.item() + 1;
      this.num_batches_tracked.data = full([], count, { dtype: 'int32' });
      momentum = this.momentum ?? 1 / count;
    }
    const runningMean = this.running_mean?.data ?? null;
    const runningVar = this.running_var?.data ?? null;
    return batchNorm(vx, runningMean, runningVar, this.weight, this.bias, {
      training: this.training || runningMean === null,
      momentum,
      eps: this.eps,
    });
  }
}
