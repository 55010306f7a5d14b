import * as T from '@proj/tensor';
import {
  type AvgPool2dOptions,
  allocStorage,
  type FloatArray,
  getBackend,
  type MaxPool2dOptions,
  type Size2d,
  Tensor,
  type WindowGeometry,
} from '@proj/tensor';
import { record } from '../graph.js';
import type { Variable, VariableLike } from '../variable.js';
import { floatDTypeOf, kernelInput } from './kernel-data.js';
import { lift } from './lift.js';

/** The windows a pooling forward used on `x` (`[N, C, H, W]` or `[C, H, W]`), for its backward. */
function poolWindows(op: string, x: Tensor, kernelSize: Size2d, options: MaxPool2dOptions): WindowGeometry {
  const shape = x.ndim === 3 ? [1, ...x.shape] : x.shape;
  return T.windowGeometry(op, shape, kernelSize, { ...options, stride: options.stride ?? kernelSize });
}

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
  return record('maxPool2d', values, [vx], (g) => {
    const dtype = floatDTypeOf('maxPool2d', g, 'gradient');
    const dx = allocStorage(dtype, vx.size) as FloatArray;
    const windows = poolWindows('maxPool2d', vx.data, kernelSize, options);
    getBackend().maxPool2dBackward({
      ...windows,
      dy: kernelInput(g, dtype),
      indices: indices.data() as Int32Array,
      dx,
    });
    return [new Tensor(dx, vx.shape)];
  });
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
  return record('avgPool2d', out, [vx], (g) => {
    const dtype = floatDTypeOf('avgPool2d', g, 'gradient');
    const dx = allocStorage(dtype, vx.size) as FloatArray;
    getBackend().avgPool2dBackward({
      ...poolWindows('avgPool2d', vx.data, kernelSize, { ...options, dilation: 1 }),
      countIncludePad: options.countIncludePad ?? true,
      divisorOverride: options.divisorOverride ?? 0,
      dy: kernelInput(g, dtype),
      dx,
    });
    return [new Tensor(dx, vx.shape)];
  });
}
