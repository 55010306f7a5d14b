import type { Variable } from '@proj/autograd';
import { type Tensor, tensor } from '@proj/tensor';
import type { Metrics } from '../loop/objective.js';
import { klEstimate } from './kl.js';
import { maskedMean } from './masked.js';

/** How GRPO averages its per-token losses (TRL's `loss_type`). */
export type GRPOAggregation = 'grpo' | 'dapo';

/** The tensors of one GRPO mini-batch. */
export interface GRPOLossInputs {
  /** The policy's log-probabilities of the completion tokens now, with a graph, `[B, T]`. */
  logprobs: Variable;
  /** Log-probabilities at sampling time, `[B, T]`. */
  oldLogprobs: Tensor;
  /** The reference's log-probabilities, `[B, T]` (needed when `beta > 0`). */
  refLogprobs?: Tensor;
  /** One advantage per completion, `[B]` ({@link groupAdvantages}). */
  advantages: readonly number[];
  /** 1 on completion tokens, 0 on prompts and padding, `[B, T]`. */
  mask: Tensor;
}

/** Options of {@link grpoLoss}, TRL's `GRPOConfig` names. */
export interface GRPOLossOptions {
  /** Lower clip range of the ratio (default 0.2). */
  epsilon?: number;
  /** Upper clip range (default `epsilon`; DAPO's "clip-higher" uses 0.28). */
  epsilonHigh?: number;
  /** Weight of the k3 KL penalty to the reference (default 0: no reference needed). */
  beta?: number;
  /**
   * `'dapo'` (default, TRL's): the sum of token losses over `normalizer` tokens (default: the
   * tokens of this batch); `'grpo'`: each sequence's mean token loss, averaged over sequences.
   */
  lossType?: GRPOAggregation;
  /** For `'dapo'`: the number of completion tokens of the whole optimizer step. */
  normalizer?: number;
}

/**
 * GRPO's loss (TRL's `GRPOTrainer._compute_loss`): per token
 * `−min(ratio·A, clip(ratio, 1−ε, 1+ε_high)·A) + β·k3(π, π_ref)` with `ratio = exp(logp − logp_old)`,
 * aggregated per sequence (`grpo`) or per token (`dapo`). Metrics: `kl` (mean k3), `clip_ratio/low_mean`,
 * `clip_ratio/high_mean`, `clip_ratio/region_mean` (shares of tokens whose ratio is clipped).
 * @throws RangeError for a bad option, or `beta > 0` without reference log-probabilities.
 */
export function grpoLoss(
  x: GRPOLossInputs,
  options: GRPOLossOptions = {},
): { loss: Variable; metrics: Metrics } {
  const { epsilon = 0.2, beta = 0, lossType = 'dapo' } = options;
  const epsilonHigh = options.epsilonHigh ?? epsilon;
  if (!(epsilon >= 0 && epsilonHigh >= 0))
    throw new RangeError(`grpoLoss: epsilon and epsilonHigh must be >= 0, got ${epsilon} and ${epsilonHigh}`);
  if (!(beta >= 0)) throw new RangeError(`grpoLoss: beta must be >= 0, got ${beta}`);
  if (lossType !== 'grpo' && lossType !== 'dapo')
    throw new RangeError(`grpoLoss: lossType must be 'grpo' or 'dapo', got '${lossType}'`);
  if (beta > 0 && !x.refLogprobs) throw new RangeError('grpoLoss: beta > 0 needs refLogprobs');
  const { mask } = x;
  const [B] = mask.shape as [number, number];
  if (x.advantages.length !== B)
    throw new RangeError(`grpoLoss: ${x.advantages.length} advantages for ${B} completions`);
  const advantages = tensor(
    x.advantages.map((a) => [a]),
    { dtype: mask.dtype },
  ); // (b, 1)
  const ratio = x.logprobs.sub(x.oldLogprobs).exp();
  const unclipped = ratio.mul(advantages);
  const clipped = ratio.clamp(1 - epsilon, 1 + epsilonHigh).mul(advantages);
  let perToken = unclipped.minimum(clipped).neg();
  const metrics: Metrics = {};
  if (x.refLogprobs) {
    const kl = klEstimate(x.logprobs, x.refLogprobs, 'k3');
    metrics.kl = maskedMean(kl.data, mask).item();
    if (beta > 0) perToken = perToken.add(kl.mul(beta));
  }
  const masked = perToken.mul(mask);
  let loss: Variable;
  if (lossType === 'grpo') {
    const lengths = mask.sum(-1).clamp(1); // (b)
    loss = masked.sum(-1).div(lengths).mean();
  } else {
    const normalizer = options.normalizer ?? mask.sum().item();
    if (!(normalizer > 0)) throw new RangeError(`grpoLoss: normalizer must be > 0, got ${normalizer}`);
    loss = masked.sum().div(normalizer);
  }
  const r = ratio.data;
  const negative = advantages.lt(0).expand(r.shape);
  const positive = advantages.gt(0).expand(r.shape);
  const low = r.lt(1 - epsilon).logicalAnd(negative);
  const high = r.gt(1 + epsilonHigh).logicalAnd(positive);
  const share = (t: Tensor) => maskedMean(t.to(mask.dtype), mask).item();
  metrics['clip_ratio/low_mean'] = share(low);
  metrics['clip_ratio/high_mean'] = share(high);
  metrics['clip_ratio/region_mean'] = share(low.logicalOr(high));
  return { loss, metrics };
}
