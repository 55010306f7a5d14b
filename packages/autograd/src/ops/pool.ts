import type { AvgPool2dOptions, MaxPool2dOptions, Size2d } from '@proj/tensor';
import * as T from '@proj/tensor';
import { record } from '../graph.js';
import type { Variable, VariableLike } from '../variable.js';
import { lift } from './lift.js';

/**
 * Differentiable max pooling, PyTorch's `F.max_pool2d`: the gradient goes to the first maximum of
 * each window (the position `maxPool2dWithIndices` reports), summed where windows overlap.
 *
 * Shapes: `x` `[N, C, H, W]` (or `[C, H, W]`) → `[N, C, OH, OW]` (or `[C, OH, OW]`).
 * @example maxPool2d(x, 2) // [N, C, H/2, W/2]
 * @throws as @proj/tensor's `maxPool2d`.
 */
export function maxPool2d(x: VariableLike, kernelSize: Size2d, options: MaxPool2dOptions = {}): Variable {
  const vx = lift(x);
  const { values, indices } = T.maxPool2dWithIndices(vx.data, kernelSize, options);
  return record('maxPool2d', values, [vx], (g) => [
    T.maxPool2dBackward(g, indices, vx.shape, kernelSize, options),
  ]);
}

/**
 * Differentiable average pooling, PyTorch's `F.avg_pool2d`: each window spreads its gradient evenly
 * over the image elements it averaged (divided by the same divisor as the forward).
 *
 * Shapes: `x` `[N, C, H, W]` (or `[C, H, W]`) → `[N, C, OH, OW]` (or `[C, OH, OW]`).
 * @example avgPool2d(x, 2, { stride: 2 })
 * @throws as @proj/tensor's `avgPool2d`.
 */
export function avgPool2d(x: VariableLike, kernelSize: Size2d, options: AvgPool2dOptions = {}): Variable {
  const vx = lift(x);
  const out = T.avgPool2d(vx.data, kernelSize, options);
  return record('avgPool2d', out, [vx], (g) => [T.avgPool2dBackward(g, vx.shape, kernelSize, options)]);
}
