import { flatten, type Variable, type VariableLike } from '@proj/autograd';
import { Module } from '../module.js';

/**
 * Flattens axes `startDim…endDim` into one, PyTorch's `nn.Flatten` (default: all but the batch axis).
 *
 * Shapes: `x` `[N, C, H, W]` → `[N, C·H·W]` with the defaults.
 * @example new Flatten().forward(features) // before a Linear classifier
 */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }

  forward(x: VariableLike): Variable {
    return flatten(x, this.startDim, this.endDim);
  }
}
