import { isGradEnabled, lift, linear, Variable, type VariableLike } from '@proj/autograd';
import { type Generator, type PackedLinear, packedLinear, ShapeError, zeros } from '@proj/tensor';
import * as init from '../init.js';
import { Module, Parameter } from '../module.js';

/** Options shared by layer constructors. */
export interface LayerOptions {
  /** Parameter dtype (default float32). */
  dtype?: 'float32' | 'float64';
  /** Source of the initial weights (default: the generator set by `manualSeed`). */
  generator?: Generator;
}

/** Options of {@link Linear}. */
export interface LinearOptions extends LayerOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /**
   * Use these parameters instead of drawing new ones (shared, not copied, as weight tying shares
   * them): `weight` `[outFeatures, inFeatures]`, `bias` `[outFeatures]` or null. Nothing is drawn.
   */
  parameters?: { weight: Parameter; bias: Parameter | null };
}

/**
 * Affine map `y = x·Wᵀ + b`.
 *
 * Shapes: `x` `[..., inFeatures]` → `[..., outFeatures]`; `weight` `[outFeatures, inFeatures]`, `bias` `[outFeatures]`.
 * Initialised as PyTorch, drawing the same numbers from a `'torch'` generator: weight by
 * `kaimingUniform` with `a = √5` (U(−1/√in, 1/√in)), then bias U(−1/√in, 1/√in).
 *
 * Layers that read a Linear go through its methods ({@link forward}, {@link forwardSlice},
 * {@link forwardTransposed}), never through `weight` directly, so a subclass such as `LoRALinear`
 * changes what every caller computes.
 */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;
  /**
   * The packed copy of `weight` and `bias` set by `packWeights` for inference: used instead of them
   * while gradients are off. Null when unpacked.
   */
  _packed: PackedLinear | null = null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    if (options.parameters) {
      const { weight, bias } = options.parameters;
      checkShape('weight', weight, [outFeatures, inFeatures]);
      if (bias) checkShape('bias', bias, [outFeatures]);
      this.weight = weight;
      this.bias = bias;
      return;
    }
    const dtype = options.dtype ?? 'float32';
    const { generator } = options;
    // torch's reset_parameters: kaiming_uniform_(a=√5), i.e. U(±1/√in) computed as torch does, then the bias
    this.weight = init.kaimingUniform(new Parameter(zeros([outFeatures, inFeatures], { dtype })), {
      generator,
      a: Math.sqrt(5),
    });
    const bound = 1 / Math.sqrt(inFeatures);
    this.bias =
      options.bias === false
        ? null
        : init.uniform(new Parameter(zeros([outFeatures], { dtype })), {
            generator,
            low: -bound,
            high: bound,
          });
  }

  forward(x: VariableLike): Variable {
    const vx = lift(x);
    const packed = this.packedFor(vx);
    return packed ? new Variable(packedLinear(vx.data, packed)) : affine(vx, this.weight, this.bias);
  }

  /**
   * Outputs `start … start + length − 1` of {@link forward} only, `x·W[start:start+length]ᵀ + b[…]`:
   * for layers that apply the parts of a fused projection to different inputs (cross-attention's
   * query rows and key/value rows).
   *
   * Shapes: `x` `[..., inFeatures]` → `[..., length]`.
   */
  forwardSlice(x: VariableLike, start: number, length: number): Variable {
    const bias = this.bias ? this.bias.narrow(0, start, length) : null;
    return affine(lift(x), this.weight.narrow(0, start, length), bias);
  }

  /**
   * {@link forward} transposed, computed as `W·xᵀ + b` (the same products): the layout in which
   * attention reads every head of a fused projection as a strided view.
   *
   * Shapes: `x` `[N, inFeatures]` → `[outFeatures, N]`.
   */
  forwardTransposed(x: VariableLike): Variable {
    const vx = lift(x);
    const packed = this.packedFor(vx);
    // the same products either way: x·Wᵀ transposed is W·xᵀ, element by element
    if (packed) return new Variable(packedLinear(vx.data, packed).transpose(0, 1)); // (out, N)
    const y = this.weight.matmul(vx.transpose(0, 1)); // (out, N)
    return this.bias ? y.add(this.bias.unsqueeze(1)) : y;
  }

  /** The packed weights when they may stand in for `weight` and `bias`: no gradient wanted, float32 `x`. */
  private packedFor(x: Variable): PackedLinear | null {
    return this._packed && !isGradEnabled() && x.dtype === 'float32' ? this._packed : null;
  }
}

/** `x·wᵀ + b` over the last axis of `x`, any leading axes. */
function affine(x: Variable, weight: Variable, bias: Variable | null): Variable {
  if (x.ndim <= 2) return linear(x, weight, bias);
  // fold the leading axes into one so the weight gradient is one matmul, not one per batch entry
  const lead = x.shape.slice(0, -1);
  const y = linear(x.reshape([-1, x.shape[x.ndim - 1]!]), weight, bias); // (N, out)
  return y.view([...lead, weight.shape[0]!]); // (..., out)
}

function checkShape(name: string, p: Parameter, shape: readonly number[]): void {
  if (p.shape.length !== shape.length || p.shape.some((d, i) => d !== shape[i]))
    throw new ShapeError(
      `Linear: parameters.${name} must be [${shape.join(', ')}], got [${p.shape.join(', ')}]`,
    );
}
