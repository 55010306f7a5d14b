import type { Variable } from '@proj/autograd';
import type { Tensor } from '@proj/tensor';

/**
 * Schulman's estimators of KL(π ‖ π_ref) from the log-probabilities of tokens sampled from π, per
 * token, with `d = logp − logp_ref`: `k1 = d` (unbiased, can be negative), `k2 = d²/2`,
 * `k3 = exp(−d) + d − 1` (unbiased and ≥ 0; GRPO's penalty). Differentiable in `logprobs`.
 */
export function klEstimate(logprobs: Variable, refLogprobs: Tensor, kind: 'k1' | 'k2' | 'k3'): Variable {
  const d = logprobs.sub(refLogprobs);
  if (kind === 'k1') return d;
  if (kind === 'k2') return d.square().mul(0.5);
  if (kind === 'k3') return d.neg().exp().add(d).sub(1);
  throw new RangeError(`klEstimate: kind must be 'k1', 'k2' or 'k3', got '${kind as string}'`);
}

/** A KL coefficient that may change with the measured KL (TRL's `FixedKLController` / `AdaptiveKLController`). */
export interface KLController {
  /** The current coefficient β. */
  readonly value: number;
  /** Adapts β to the KL measured over the last `nSteps` samples. */
  update(currentKL: number, nSteps: number): void;
}

/** A constant β. */
export class FixedKLController implements KLController {
  constructor(public value: number) {}

  update(): void {}
}

/**
 * The adaptive controller of Ziegler et al. (2019), TRL's `AdaptiveKLController`: after each batch
 * `β ← β·(1 + clip(KL/target − 1, ±0.2)·nSteps/horizon)`, steering the KL (nats per sequence)
 * towards `target`. TRL's defaults: β₀ = 0.2, target 6, horizon 10000.
 */
export class AdaptiveKLController implements KLController {
  constructor(
    public value = 0.2,
    readonly target = 6,
    readonly horizon = 10000,
  ) {
    if (!(target > 0 && horizon > 0))
      throw new RangeError(
        `AdaptiveKLController: target and horizon must be > 0, got ${target} and ${horizon}`,
      );
  }

  update(currentKL: number, nSteps: number): void {
    const error = Math.min(Math.max(currentKL / this.target - 1, -0.2), 0.2);
    this.value *= 1 + (error * nSteps) / this.horizon;
  }
}
