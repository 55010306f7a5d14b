import type { Variable } from '@proj/autograd';
import type { Tensor } from '@proj/tensor';
import type { Metrics } from '../loop/objective.js';
import { maskedMean, maskedVariance } from './masked.js';

/** The tensors of one PPO mini-batch, each `[B, T]`; the rollout's are plain tensors. */
export interface PPOLossInputs {
  /** The policy's log-probabilities of the sampled tokens now, with a graph. */
  logprobs: Variable;
  /** The value head's predictions now, with a graph. */
  values: Variable;
  /** Log-probabilities at rollout time. */
  oldLogprobs: Tensor;
  /** Values at rollout time (masked, as {@link gae} returns them). */
  oldValues: Tensor;
  advantages: Tensor;
  returns: Tensor;
  /** 1 on the response tokens, 0 on prompts and padding. */
  mask: Tensor;
}

/** Options of {@link ppoLoss}, TRL's `PPOConfig` names. */
export interface PPOLossOptions {
  /** Clip range of the probability ratio (default 0.2). */
  clipRange?: number;
  /** Clip range of the value predictions around the rollout's values (default 0.2). */
  clipRangeValue?: number;
  /** Weight of the value loss (default 0.1). */
  vfCoef?: number;
}

/**
 * The clipped PPO losses (TRL's classic `PPOTrainer.loss`): with `ratio = exp(logp − logp_old)`,
 * policy loss `mean max(−A·ratio, −A·clip(ratio, 1 ± ε))`; value loss
 * `½·mean max((v − R)², (clip(v, v_old ± ε_v) − R)²)`; total `policy + vfCoef·value`, means over
 * the mask. The stats carry TRL's names (`ppo/policy/clipfrac`, `ppo/policy/approxkl`,
 * `ppo/val/vpred`, …).
 */
export function ppoLoss(
  x: PPOLossInputs,
  options: PPOLossOptions = {},
): { loss: Variable; policyLoss: Variable; valueLoss: Variable; stats: Metrics } {
  const { clipRange = 0.2, clipRangeValue = 0.2, vfCoef = 0.1 } = options;
  const { mask } = x;
  // TRL's clip_by_value: max(min(v, v_old + ε_v), v_old − ε_v)
  const valuesClipped = x.values
    .minimum(x.oldValues.add(clipRangeValue))
    .maximum(x.oldValues.sub(clipRangeValue));
  const vfLosses1 = x.values.sub(x.returns).square();
  const vfLosses2 = valuesClipped.sub(x.returns).square();
  const valueLoss = maskedMean(vfLosses1.maximum(vfLosses2), mask).mul(0.5);
  const logRatio = x.logprobs.sub(x.oldLogprobs);
  const ratio = logRatio.exp();
  const pgLosses = ratio.mul(x.advantages).neg();
  const pgLosses2 = ratio
    .clamp(1 - clipRange, 1 + clipRange)
    .mul(x.advantages)
    .neg();
  const policyLoss = maskedMean(pgLosses.maximum(pgLosses2), mask);
  const loss = policyLoss.add(valueLoss.mul(vfCoef));
  const fraction = (t: Tensor) => maskedMean(t, mask).item();
  const stats: Metrics = {
    'ppo/loss/policy': policyLoss.item(),
    'ppo/loss/value': valueLoss.item(),
    'ppo/loss/total': loss.item(),
    'ppo/policy/approxkl': maskedMean(logRatio.square(), mask).item() * 0.5,
    'ppo/policy/policykl': -maskedMean(logRatio, mask).item(),
    'ppo/policy/clipfrac': fraction(pgLosses2.data.gt(pgLosses.data).to(mask.dtype)),
    'ppo/policy/advantages_mean': fraction(x.advantages),
    'ppo/returns/mean': fraction(x.returns),
    'ppo/returns/var': maskedVariance(x.returns, mask),
    'ppo/val/vpred': maskedMean(x.values, mask).item(),
    'ppo/val/error': maskedMean(vfLosses1, mask).item(),
    'ppo/val/clipfrac': fraction(vfLosses2.data.gt(vfLosses1.data).to(mask.dtype)),
    'ppo/val/mean': fraction(x.oldValues),
    'ppo/val/var': maskedVariance(x.oldValues, mask),
  };
  return { loss, policyLoss, valueLoss, stats };
}
