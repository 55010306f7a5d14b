import { avgPool2d, maxPool2d, type Variable, type VariableLike } from '@proj/autograd';
import type { AvgPool2dOptions, MaxPool2dOptions, Size2d } from '@proj/tensor';
import { Module } from '../module.js';

/**
 * Max pooling over NCHW images, PyTorch's `nn.MaxPool2d` (stride defaults to the kernel size; padding,
 * dilation, ceil mode). No parameters.
 *
 * Shapes: `x` `[N, C, H, W]` (or `[C, H, W]`) → `[N, C, OH, OW]`.
 * @example new MaxPool2d(2).forward(x) // halves H and W
 */
export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: Size2d,
    readonly options: MaxPool2dOptions = {},
  ) {
    super();
  }

  forward(x: VariableLike): Variable {
    return maxPool2d(x, this.kernelSize, this.options);
  }
}

/**
 * Average pooling over NCHW images, PyTorch's `nn.AvgPool2d` (stride defaults to the kernel size;
 * padding, ceil mode, `countIncludePad`, `divisorOverride`). No parameters.
 *
 * Shapes: `x` `[N, C, H, W]` (or `[C, H, W]`) → `[N, C, OH, OW]`.
 * @example new AvgPool2d(2).forward(x)
 */
export class AvgPool2d extends Module {
  constructor(
    readonly kernelSize: Size2d,
    readonly options: AvgPool2dOptions = {},
  ) {
    super();
  }

  forward(x: VariableLike): Variable {
    return avgPool2d(x, this.kernelSize, this.options);
  }
}
