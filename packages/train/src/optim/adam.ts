import type { Variable } from '@proj/autograd';
import { adamwStep, gt, type Tensor, where } from '@proj/tensor';
import { Optimizer, type ParamGroup, type ParamGroupInput, type Slot, updateDType } from './optimizer.js';
import { checkNonNegative, definedOnly } from './sgd.js';

/** Options of {@link Adam} and {@link AdamW} (PyTorch's names, camel-cased). */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Decay rates of the first and second moment averages (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps: number;
  /** Weight decay: an L2 term added to the gradient in {@link Adam}, decoupled in {@link AdamW}. */
  weightDecay: number;
  /** Use the maximum of past second moments (AMSGrad; default false). */
  amsgrad: boolean;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

/** Shared update of Adam and AdamW; `decoupled` selects AdamW's weight decay. */
abstract class AdamBase extends Optimizer<AdamOptions> {
  protected constructor(
    name: string,
    params: Iterable<Variable> | Iterable<ParamGroupInput<AdamOptions>>,
    defaults: AdamOptions,
    private readonly decoupled: boolean,
  ) {
    super(name, params, defaults, (group) =>
      group.amsgrad ? ['expAvg', 'expAvgSq', 'maxExpAvgSq'] : ['expAvg', 'expAvgSq'],
    );
  }

  protected validate(g: ParamGroup<AdamOptions>): void {
    checkNonNegative(this.name, { lr: g.lr, eps: g.eps, weightDecay: g.weightDecay });
    const [b1, b2] = g.betas;
    for (const [i, b] of [b1, b2].entries()) {
      if (!(b >= 0 && b < 1))
        throw new RangeError(`${this.name}: invalid beta parameter at index ${i}: ${b}`);
    }
  }

  protected update(group: ParamGroup<AdamOptions>, w: Tensor, grad: Tensor, slot: Slot): void {
    const { lr, eps, weightDecay, amsgrad, maximize } = group;
    const [beta1, beta2] = group.betas;
    const step = ++slot.step;
    const m = slot.buffers.expAvg!;
    const v = slot.buffers.expAvgSq!;
    if (!amsgrad && !maximize && (this.decoupled || weightDecay === 0)) {
      // One fused step (the backend's AdamW kernel where it has one); weight decay 0 makes it Adam.
      const decay = this.decoupled ? weightDecay : 0;
      adamwStep(w, grad, m, v, { lr, betas: [beta1, beta2], eps, weightDecay: decay, step });
      return;
    }
    // AMSGrad, maximize or Adam's L2 term: the same formulas op by op, in float64 on the CPU.
    const dtype = updateDType(w);
    const wc = w.to(dtype);
    let g = grad.to(dtype).reshape(w.shape);
    if (maximize) g = g.neg();
    if (!this.decoupled && weightDecay !== 0) g = g.add(wc.mul(weightDecay));
    m.assign(
      m
        .to(dtype)
        .mul(beta1)
        .add(g.mul(1 - beta1)),
    );
    v.assign(
      v
        .to(dtype)
        .mul(beta2)
        .add(g.mul(1 - beta2).mul(g)),
    );
    const vMax = amsgrad ? slot.buffers.maxExpAvgSq! : v;
    if (amsgrad) vMax.assign(where(gt(v, vMax), v, vMax));
    const shrunk = this.decoupled ? wc.mul(1 - lr * weightDecay) : wc;
    const denominator = vMax
      .to(dtype)
      .sqrt()
      .div(Math.sqrt(1 - beta2 ** step))
      .add(eps);
    w.assign(
      shrunk.sub(
        m
          .to(dtype)
          .mul(lr / (1 - beta1 ** step))
          .div(denominator),
      ),
    );
  }
}

/**
 * Adam (Kingma & Ba) exactly as `torch.optim.Adam`, with `weightDecay` as an L2 term added to the
 * gradient: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `θ ← θ − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)`.
 * Moments are allocated once; `step()` updates parameters in place.
 *
 * @example
 * const opt = new Adam(model.parameters(), { lr: 3e-4 });
 */
export class Adam extends AdamBase {
  /** @throws RangeError for a negative lr, eps or weight decay, or a beta outside [0, 1). */
  constructor(
    params: Iterable<Variable> | Iterable<ParamGroupInput<AdamOptions>>,
    options: Partial<AdamOptions> = {},
  ) {
    super('Adam', params, { ...adamDefaults(0), ...definedOnly(options) }, false);
  }
}

/**
 * AdamW (Loshchilov & Hutter) exactly as `torch.optim.AdamW`: Adam with decoupled weight decay
 * `θ ← θ(1 − lr·λ)` applied before the Adam update (default λ = 0.01). Use parameter groups to
 * exempt biases and norms, e.g. with {@link decayParamGroups} (nanoGPT's rule).
 *
 * @example
 * const opt = new AdamW(decayParamGroups(model.namedParameters(), 0.1), { lr: 1e-3, betas: [0.9, 0.99] });
 */
export class AdamW extends AdamBase {
  /** @throws RangeError for a negative lr, eps or weight decay, or a beta outside [0, 1). */
  constructor(
    params: Iterable<Variable> | Iterable<ParamGroupInput<AdamOptions>>,
    options: Partial<AdamOptions> = {},
  ) {
    super('AdamW', params, { ...adamDefaults(1e-2), ...definedOnly(options) }, true);
  }
}

function adamDefaults(weightDecay: number): AdamOptions {
  return { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay, amsgrad: false, maximize: false };
}
