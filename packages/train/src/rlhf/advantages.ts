import { ShapeError, Tensor } from '@proj/tensor';
import { whiten } from './masked.js';

/** How the per-token KL penalty is measured from log-probabilities (TRL's `kl_penalty`). */
export type KLPenalty = 'kl' | 'abs' | 'mse';

/** Options of {@link tokenRewards}. */
export interface TokenRewardsOptions {
  /** The penalty's coefficient β (the KL controller's value). */
  klCoef: number;
  /**
   * `'kl'` (default): `logp − logp_ref`; `'abs'`: its absolute value; `'mse'`: `½(logp − logp_ref)²`.
   */
  klPenalty?: KLPenalty;
}

/**
 * PPO's per-token rewards (TRL's `compute_rewards`): `−β·(logp − logp_ref)` at every position,
 * with each sequence's score added at its last position the mask selects.
 *
 * Shapes: `scores` `[B]`, `logprobs`, `refLogprobs`, `mask` `[B, T]` → `rewards` and
 * `nonScoreRewards` (the penalty alone) `[B, T]`, float64.
 * @throws ShapeError for mismatched shapes; RangeError for a row the mask leaves empty.
 */
export function tokenRewards(
  scores: readonly number[],
  logprobs: Tensor,
  refLogprobs: Tensor,
  mask: Tensor,
  options: TokenRewardsOptions,
): { rewards: Tensor; nonScoreRewards: Tensor } {
  const [B, T] = checkRows('tokenRewards', mask, [logprobs, refLogprobs]);
  if (scores.length !== B) throw new ShapeError(`tokenRewards: ${scores.length} scores for ${B} sequences`);
  const { klCoef, klPenalty = 'kl' } = options;
  const lp = float64(logprobs);
  const ref = float64(refLogprobs);
  const m = float64(mask);
  const nonScore = new Float64Array(B * T);
  const rewards = new Float64Array(B * T);
  for (let b = 0; b < B; b++) {
    let last = -1;
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      const d = lp[i]! - ref[i]!;
      const kl = klPenalty === 'abs' ? Math.abs(d) : klPenalty === 'mse' ? 0.5 * d * d : d;
      nonScore[i] = -klCoef * kl;
      rewards[i] = nonScore[i]!;
      if (m[i] !== 0) last = t;
    }
    if (last < 0) throw new RangeError(`tokenRewards: the mask selects no token of sequence ${b}`);
    rewards[b * T + last]! += scores[b]!;
  }
  return { rewards: new Tensor(rewards, [B, T]), nonScoreRewards: new Tensor(nonScore, [B, T]) };
}

/** Options of {@link gae}. */
export interface GAEOptions {
  /** Discount γ (default 1, TRL's). */
  gamma?: number;
  /** GAE's λ (default 0.95, TRL's). */
  lambda?: number;
}

/**
 * Generalised advantage estimation (Schulman et al. 2016) as TRL's classic `compute_advantages`:
 * values and rewards are masked, then from the last position back
 * `δ_t = r_t + γ·V_{t+1} − V_t` (`V_T = 0`), `A_t = δ_t + γλ·A_{t+1}`; `returns = A + V`, and the
 * advantages are whitened over the mask (the returns are not).
 *
 * Shapes: `rewards`, `values`, `mask` `[B, T]` → `advantages`, `returns`, `values` (masked) `[B, T]`, float64.
 * @throws ShapeError for mismatched shapes; RangeError when the mask selects fewer than 2 tokens.
 */
export function gae(
  rewards: Tensor,
  values: Tensor,
  mask: Tensor,
  options: GAEOptions = {},
): { advantages: Tensor; returns: Tensor; values: Tensor } {
  const [B, T] = checkRows('gae', mask, [rewards, values]);
  const { gamma = 1, lambda = 0.95 } = options;
  const m = float64(mask);
  const v = float64(values).map((x, i) => x * m[i]!);
  const r = float64(rewards).map((x, i) => x * m[i]!);
  const advantages = new Float64Array(B * T);
  for (let b = 0; b < B; b++) {
    let last = 0;
    for (let t = T - 1; t >= 0; t--) {
      const i = b * T + t;
      const next = t < T - 1 ? v[i + 1]! : 0;
      last = r[i]! + gamma * next - v[i]! + gamma * lambda * last;
      advantages[i] = last;
    }
  }
  const returns = new Tensor(
    advantages.map((a, i) => a + v[i]!),
    [B, T],
  );
  const maskF64 = new Tensor(m, [B, T]);
  return {
    advantages: whiten(new Tensor(advantages, [B, T]), maskF64),
    returns,
    values: new Tensor(v, [B, T]),
  };
}

/**
 * GRPO's advantages (TRL's `GRPOTrainer`): rewards in consecutive groups of `groupSize` (the
 * completions of one prompt), `(r − mean_group)/(std_group + 1e−4)` with the unbiased standard
 * deviation, or `r − mean_group` when `scaleRewards` is false (Dr. GRPO).
 * @throws RangeError when the rewards do not fill whole groups, or a group has one member.
 */
export function groupAdvantages(
  rewards: readonly number[],
  groupSize: number,
  options: { scaleRewards?: boolean } = {},
): number[] {
  if (!(Number.isInteger(groupSize) && groupSize >= 2))
    throw new RangeError(`groupAdvantages: groupSize must be an integer >= 2, got ${groupSize}`);
  if (rewards.length % groupSize !== 0)
    throw new RangeError(`groupAdvantages: ${rewards.length} rewards do not fill groups of ${groupSize}`);
  const out: number[] = [];
  for (let start = 0; start < rewards.length; start += groupSize) {
    const group = rewards.slice(start, start + groupSize);
    const mean = group.reduce((s, r) => s + r, 0) / groupSize;
    const std = Math.sqrt(group.reduce((s, r) => s + (r - mean) ** 2, 0) / (groupSize - 1));
    for (const r of group) out.push((options.scaleRewards ?? true) ? (r - mean) / (std + 1e-4) : r - mean);
  }
  return out;
}

/** The `[B, T]` of `mask`, after checking that every tensor has it. */
function checkRows(op: string, mask: Tensor, others: readonly Tensor[]): [number, number] {
  if (mask.ndim !== 2) throw new ShapeError(`${op}: mask must be [B, T], got [${mask.shape.join(', ')}]`);
  for (const t of others) {
    if (t.ndim !== 2 || t.shape[0] !== mask.shape[0] || t.shape[1] !== mask.shape[1])
      throw new ShapeError(
        `${op}: [${t.shape.join(', ')}] does not match the mask [${mask.shape.join(', ')}]`,
      );
  }
  return mask.shape as [number, number];
}

function float64(t: Tensor): Float64Array {
  return Float64Array.from(t.contiguous().data());
}
