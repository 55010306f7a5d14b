import { lift, type Variable, type VariableLike } from '@proj/autograd';
import type { Generator, Tensor } from '@proj/tensor';
import * as init from '../init.js';
import { Dropout } from '../layers/activation.js';
import { Linear } from '../layers/linear.js';

/** Options of {@link LoRALinear}: one adapter's rank, scale and dropout. */
export interface LoRALayerOptions {
  /** Rank of the update `B·A` (PEFT's `r`). */
  r: number;
  /** Scale numerator (PEFT's `lora_alpha`): the update is multiplied by `alpha / r`. */
  alpha: number;
  /** Dropout on the adapter's input, in training mode (PEFT's `lora_dropout`, default 0). */
  dropout?: number;
  /** Rank-stabilised scaling `alpha / √r` instead of `alpha / r` (PEFT's `use_rslora`, default false). */
  useRslora?: boolean;
  /** Source of `A`'s initial values and of the dropout masks (default: the one set by `manualSeed`). */
  generator?: Generator;
}

/**
 * A {@link Linear} with a low-rank adapter (LoRA, Hu et al. 2021), as PEFT's `lora.Linear`:
 * `y = base(x) + B(A(dropout(x)))·scaling` with `scaling = alpha / r` (`alpha / √r` with rsLoRA).
 * The base `weight` and `bias` are the wrapped layer's own parameters (shared, not copied); `A` is
 * Kaiming-uniform with `a = √5` and `B` is zero, so a fresh adapter computes exactly what the base
 * layer computes. The parameters are drawn in PEFT's order (`lora_A` and `lora_B` built as
 * `nn.Linear`s, then `A` redrawn), so a `'torch'` generator seeded like `torch.manual_seed(s)`
 * gives PEFT's initial `A`.
 *
 * Parameters: `weight` `[out, in]`, `bias` `[out]` (the base), `lora_A.weight` `[r, in]`,
 * `lora_B.weight` `[out, r]`. Shapes: `x` `[..., in]` → `[..., out]`.
 *
 * Merged ({@link merge}), the update lives in `weight` and the adapter is skipped; with the adapter
 * disabled (`adapterEnabled = false`) the layer is the base layer alone.
 * @example const layer = new LoRALinear(new Linear(64, 64), { r: 8, alpha: 16 });
 */
export class LoRALinear extends Linear {
  lora_dropout: Dropout;
  lora_A: Linear;
  lora_B: Linear;
  readonly r: number;
  readonly alpha: number;
  /** `alpha / r`, or `alpha / √r` with rsLoRA: the factor applied to `B·A`. */
  readonly scaling: number;
  /** Whether the adapter takes part in forward (PEFT's `disable_adapters` is the opposite). */
  adapterEnabled = true;
  private mergedFlag = false;

  /** Wraps `base`, sharing its parameters. @throws RangeError for a bad rank, alpha or dropout. */
  constructor(base: Linear, options: LoRALayerOptions) {
    const { r, alpha } = options;
    if (!(Number.isInteger(r) && r > 0))
      throw new RangeError(`LoRALinear: r must be a positive integer, got ${r}`);
    if (!Number.isFinite(alpha))
      throw new RangeError(`LoRALinear: alpha must be a finite number, got ${alpha}`);
    super(base.inFeatures, base.outFeatures, { parameters: base });
    this.r = r;
    this.alpha = alpha;
    this.scaling = options.useRslora ? alpha / Math.sqrt(r) : alpha / r;
    const { generator } = options;
    this.lora_dropout = new Dropout(options.dropout ?? 0, generator);
    // PEFT's update_layer: nn.Linear(in, r) and nn.Linear(r, out) without bias (each drawing its
    // default init), then reset_lora_parameters: A kaiming_uniform_(a=√5) again, B zeros
    const dtype = base.weight.dtype as 'float32' | 'float64'; // a Parameter is float
    const layer = { bias: false, dtype, generator };
    this.lora_A = new Linear(base.inFeatures, r, layer);
    this.lora_B = new Linear(r, base.outFeatures, layer);
    init.kaimingUniform(this.lora_A.weight, { generator, a: Math.sqrt(5) });
    init.zeros(this.lora_B.weight);
    this.train(base.training);
  }

  /** True while the update is added into `weight` (see {@link merge}). */
  get merged(): boolean {
    return this.mergedFlag;
  }

  /** Whether forward adds the adapter's output (enabled and not merged). */
  private get active(): boolean {
    return this.adapterEnabled && !this.mergedFlag;
  }

  override forward(x: VariableLike): Variable {
    const vx = lift(x);
    const y = super.forward(vx);
    if (!this.active) return y;
    return y.add(this.lora_B.forward(this.down(vx)));
  }

  override forwardSlice(x: VariableLike, start: number, length: number): Variable {
    const vx = lift(x);
    const y = super.forwardSlice(vx, start, length);
    if (!this.active) return y;
    return y.add(this.lora_B.forwardSlice(this.down(vx), start, length));
  }

  override forwardTransposed(x: VariableLike): Variable {
    const vx = lift(x);
    const y = super.forwardTransposed(vx); // (out, N)
    if (!this.active) return y;
    const h = this.lora_A.forwardTransposed(this.lora_dropout.forward(vx)).mul(this.scaling); // (r, N)
    return y.add(this.lora_B.weight.matmul(h)); // (out, N)
  }

  /**
   * `A(dropout(x))·scaling` `[..., r]`: the scaling is applied at rank r, the narrowest point (the same
   * product as PEFT's `B(A(dropout(x)))·scaling` up to rounding, with fewer multiplications).
   */
  private down(x: Variable): Variable {
    return this.lora_A.forward(this.lora_dropout.forward(x)).mul(this.scaling);
  }

  /** The update as a weight, `scaling·B·A` `[out, in]` (PEFT's `get_delta_weight`). */
  deltaWeight(): Tensor {
    return this.lora_B.weight.data.matmul(this.lora_A.weight.data).mul(this.scaling);
  }

  /**
   * Adds the update into the base weight (`W += scaling·B·A`), after which forward costs what the
   * base layer costs. Nothing happens when already merged.
   * @throws Error when the adapter is disabled (a disabled layer must compute the base alone).
   */
  merge(): void {
    if (this.mergedFlag) return;
    if (!this.adapterEnabled) throw new Error('LoRALinear.merge: the adapter is disabled; enable it first');
    this.updateWeight(1);
    this.mergedFlag = true;
  }

  /** Takes the update back out of the base weight (`W −= scaling·B·A`); nothing happens when not merged. */
  unmerge(): void {
    if (!this.mergedFlag) return;
    this.updateWeight(-1);
    this.mergedFlag = false;
  }

  private updateWeight(sign: 1 | -1): void {
    const delta = this.deltaWeight().to(this.weight.dtype);
    this.weight.data = sign > 0 ? this.weight.data.add(delta) : this.weight.data.sub(delta);
  }
}
