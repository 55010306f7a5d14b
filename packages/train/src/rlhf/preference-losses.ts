import type { Variable } from '@proj/autograd';
import { type Tensor, tensor } from '@proj/tensor';
import { logSigmoid } from './masked.js';

/** Options of {@link bradleyTerryLoss}, TRL's `RewardConfig` and dataset names. */
export interface BradleyTerryOptions {
  /** Subtracted from each reward difference: one number, or one per pair (TRL's `margin` column). */
  margin?: number | readonly number[];
  /** Adds `c·mean((r_c + r_r)²)`, keeping rewards centred on 0 (TRL's `center_rewards_coefficient`). */
  centerRewardsCoefficient?: number;
}

/**
 * The reward model's loss (TRL's `RewardTrainer`): Bradley–Terry `−mean logσ(r_c − r_r − margin)`,
 * plus `c·mean((r_c + r_r)²)` when centering. Metrics: `accuracy` (share of pairs with
 * `r_c > r_r`), `margin` (mean `r_c − r_r`), `rewards/chosen`, `rewards/rejected` (means), each a
 * one-element tensor where the rewards live (a GPU's memory too): read them with `readMetrics`, or
 * `.item()` on the CPU.
 *
 * Shapes: `chosen`, `rejected` `[B]` → a scalar loss.
 * @throws RangeError for a margin list of another length, or a negative coefficient.
 */
export function bradleyTerryLoss(
  chosen: Variable,
  rejected: Variable,
  options: BradleyTerryOptions = {},
): { loss: Variable; metrics: Record<string, Tensor> } {
  const B = chosen.shape[0]!;
  const { margin = 0, centerRewardsCoefficient = 0 } = options;
  if (typeof margin !== 'number' && margin.length !== B)
    throw new RangeError(`bradleyTerryLoss: ${margin.length} margins for ${B} pairs`);
  if (!(centerRewardsCoefficient >= 0))
    throw new RangeError(
      `bradleyTerryLoss: centerRewardsCoefficient must be >= 0, got ${centerRewardsCoefficient}`,
    );
  const difference = chosen.sub(rejected);
  const shifted =
    typeof margin === 'number' ? difference.sub(margin) : difference.sub(asTensor(margin, chosen));
  let loss = logSigmoid(shifted).mean().neg();
  if (centerRewardsCoefficient > 0)
    loss = loss.add(chosen.add(rejected).square().mean().mul(centerRewardsCoefficient));
  const [c, r] = [chosen.data, rejected.data];
  return {
    loss,
    metrics: {
      accuracy: shareAbove(c, r),
      margin: c.sub(r).mean(),
      'rewards/chosen': c.mean(),
      'rewards/rejected': r.mean(),
    },
  };
}

/** Options of {@link dpoLoss}, TRL's `DPOConfig` names. */
export interface DPOLossOptions {
  /** Strength of the implicit KL constraint (default 0.1). */
  beta?: number;
  /**
   * `'sigmoid'` (default): `−logσ(βΔ)`, DPO's loss; `'ipo'`: `(Δ − 1/(2β))²` (Azar et al.), where
   * TRL averages the log-probabilities over tokens rather than summing them (the caller does).
   */
  lossType?: 'sigmoid' | 'ipo';
  /** Conservative DPO: `−(1−ε)·logσ(βΔ) − ε·logσ(−βΔ)` (sigmoid only; default 0). */
  labelSmoothing?: number;
}

/** Sequence log-probabilities of a batch of pairs, each `[B]`: the policy's (with a graph) and the reference's. */
export interface PairLogps {
  policyChosen: Variable;
  policyRejected: Variable;
  referenceChosen: Tensor;
  referenceRejected: Tensor;
}

/**
 * DPO's loss (TRL's `DPOTrainer.dpo_loss`) on `Δ = (logπ_c − logπ_ref,c) − (logπ_r − logπ_ref,r)`,
 * averaged over pairs, and TRL's metrics: `rewards/chosen` and `rewards/rejected` (means of
 * `β(logπ − logπ_ref)`), `rewards/accuracies` (share with chosen > rejected), `rewards/margins`,
 * `logps/chosen`, `logps/rejected` (mean policy log-probabilities), one-element tensors as for
 * {@link bradleyTerryLoss}.
 * @throws RangeError for β ≤ 0 or a label smoothing outside [0, 0.5).
 */
export function dpoLoss(
  logps: PairLogps,
  options: DPOLossOptions = {},
): { loss: Variable; metrics: Record<string, Tensor> } {
  const { beta = 0.1, lossType = 'sigmoid', labelSmoothing = 0 } = options;
  if (!(beta > 0)) throw new RangeError(`dpoLoss: beta must be > 0, got ${beta}`);
  if (!(labelSmoothing >= 0 && labelSmoothing < 0.5))
    throw new RangeError(`dpoLoss: labelSmoothing must be in [0, 0.5), got ${labelSmoothing}`);
  if (lossType !== 'sigmoid' && lossType !== 'ipo')
    throw new RangeError(`dpoLoss: lossType must be 'sigmoid' or 'ipo', got '${lossType}'`);
  const { policyChosen, policyRejected, referenceChosen, referenceRejected } = logps;
  const logits = policyChosen.sub(policyRejected).sub(referenceChosen.sub(referenceRejected));
  let losses: Variable;
  if (lossType === 'ipo') losses = logits.sub(1 / (2 * beta)).square();
  else {
    losses = logSigmoid(logits.mul(beta)).mul(-(1 - labelSmoothing));
    if (labelSmoothing > 0) losses = losses.sub(logSigmoid(logits.mul(-beta)).mul(labelSmoothing));
  }
  const chosen = policyChosen.data.sub(referenceChosen).mul(beta);
  const rejected = policyRejected.data.sub(referenceRejected).mul(beta);
  return {
    loss: losses.mean(),
    metrics: {
      'rewards/chosen': chosen.mean(),
      'rewards/rejected': rejected.mean(),
      'rewards/accuracies': shareAbove(chosen, rejected),
      'rewards/margins': chosen.sub(rejected).mean(),
      'logps/chosen': policyChosen.data.mean(),
      'logps/rejected': policyRejected.data.mean(),
    },
  };
}

/** The share of pairs with `a > b`, as a one-element tensor of `a`'s dtype. */
function shareAbove(a: Tensor, b: Tensor): Tensor {
  return a.gt(b).to(a.dtype).mean();
}

function asTensor(values: readonly number[], like: Variable): Tensor {
  return tensor(values as number[], { dtype: like.dtype === 'float64' ? 'float64' : 'float32' });
}
