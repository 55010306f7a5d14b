import { lift, linear, type Variable, type VariableLike } from '@proj/autograd';
import { type Generator, zeros } from '@proj/tensor';
import * as init from '../init.js';
import { Module, Parameter } from '../module.js';

/** Options shared by layer constructors. */
export interface LayerOptions {
  /** Parameter dtype (default float32). */
  dtype?: 'float32' | 'float64';
  /** Source of the initial weights (default: the generator set by `manualSeed`). */
  generator?: Generator;
}

/**
 * Affine map `y = x·Wᵀ + b`.
 *
 * Shapes: `x` `[..., inFeatures]` → `[..., outFeatures]`; `weight` `[outFeatures, inFeatures]`, `bias` `[outFeatures]`.
 * Initialised as PyTorch, drawing the same numbers from a `'torch'` generator: weight by
 * `kaimingUniform` with `a = √5` (U(−1/√in, 1/√in)), then bias U(−1/√in, 1/√in).
 */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LayerOptions & { bias?: boolean } = {},
  ) {
    super();
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
    if (vx.ndim <= 2) return linear(vx, this.weight, this.bias);
    // fold the leading axes into one so the weight gradient is one matmul, not one per batch entry
    const lead = vx.shape.slice(0, -1);
    const y = linear(vx.reshape([-1, this.inFeatures]), this.weight, this.bias); // (N, out)
    return y.view([...lead, this.outFeatures]); // (..., out)
  }
}
