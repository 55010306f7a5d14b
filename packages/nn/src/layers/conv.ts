import { type Conv2dOptions, conv2d, lift, type Variable, type VariableLike } from '@proj/autograd';
import { type Size2d, zeros } from '@proj/tensor';
import * as init from '../init.js';
import { Module, Parameter } from '../module.js';
import type { LayerOptions } from './linear.js';

/** Options of {@link Conv2d} (PyTorch's `nn.Conv2d` arguments, camelCased). */
export interface Conv2dLayerOptions extends Conv2dOptions, LayerOptions {
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
}

/**
 * 2-D convolution over NCHW images, PyTorch's `nn.Conv2d`: stride, zero padding (a size, `'valid'`
 * or `'same'`), dilation, groups and bias, with PyTorch's parameter names and layouts, so its state
 * dicts load. Computed as im2col plus a matmul (see `conv2d` in @proj/autograd).
 *
 * Shapes: `x` `[N, inChannels, H, W]` (or `[inChannels, H, W]`) → `[N, outChannels, OH, OW]`;
 * `weight` `[outChannels, inChannels/groups, kh, kw]`, `bias` `[outChannels]`. Initialised as
 * PyTorch: weight by `kaimingUniform` with `a = √5`, bias U(±1/√fanIn), `fanIn = inChannels/groups·kh·kw`.
 * @example new Conv2d(1, 6, 5).forward(images) // [N, 1, 28, 28] → [N, 6, 24, 24]
 */
export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: [number, number];
  private readonly _options: Conv2dOptions;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Size2d,
    options: Conv2dLayerOptions = {},
  ) {
    super();
    const groups = options.groups ?? 1;
    if (!(Number.isInteger(groups) && groups >= 1 && inChannels % groups === 0 && outChannels % groups === 0))
      throw new RangeError(
        `Conv2d: groups ${groups} must be a positive integer dividing inChannels ${inChannels} and outChannels ${outChannels}`,
      );
    const [kh, kw] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    this.kernelSize = [kh, kw];
    const { stride, padding, dilation, dtype = 'float32', generator } = options;
    this._options = { stride, padding, dilation, groups };
    const shape = [outChannels, inChannels / groups, kh, kw];
    this.weight = init.kaimingUniform(new Parameter(zeros(shape, { dtype })), { generator, a: Math.sqrt(5) });
    const bound = 1 / Math.sqrt(init.fans(shape).fanIn);
    this.bias =
      options.bias === false
        ? null
        : init.uniform(new Parameter(zeros([outChannels], { dtype })), {
            generator,
            low: -bound,
            high: bound,
          });
  }

  forward(x: VariableLike): Variable {
    return conv2d(lift(x), this.weight, this.bias, this._options);
  }
}
