import type { WindowGeometry } from '../../backend/window-args.js';
import { DTypeError, fmtShape, ShapeError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import type { AvgPool2dOptions, MaxPool2dOptions } from '../pool.js';
import { type Size2d, windowGeometry } from '../window.js';
import { denseOperand, floatDTypeOf, fusedBackend, kernelOutput } from './kernel-operands.js';

/**
 * Gradient of max pooling, PyTorch's `max_pool2d_with_indices_backward`: each element of `dy` goes to
 * the input position its window's maximum came from (`indices` of `maxPool2dWithIndices`), summed
 * where windows overlap; positions no window picked get 0.
 *
 * Shapes: `dy` and `indices` `[N, C, OH, OW]` (or `[C, OH, OW]`), `inputShape` the forward's input
 * `[N, C, H, W]` (or `[C, H, W]`) → `dx` of `inputShape`, in `dy`'s dtype. `kernelSize` and `options`
 * are the forward's.
 * @throws ShapeError when `dy` or `indices` do not have the pooled shape; DTypeError for a non-float
 * `dy` or non-int32 indices; as `maxPool2d` for bad sizes.
 */
export function maxPool2dBackward(
  dy: Tensor,
  indices: Tensor,
  inputShape: readonly number[],
  kernelSize: Size2d,
  options: MaxPool2dOptions = {},
): Tensor {
  const op = 'maxPool2dBackward';
  if (indices.dtype !== 'int32') throw new DTypeError(`${op}: indices must be int32, got ${indices.dtype}`);
  const { geometry, dtype } = poolGrad(op, dy, inputShape, kernelSize, options);
  if (indices.ndim !== dy.ndim || indices.shape.some((d, i) => d !== dy.shape[i]))
    throw new ShapeError(
      `${op}: indices ${fmtShape(indices.shape)} must match the gradient ${fmtShape(dy.shape)}`,
    );
  const backend = fusedBackend(op, dy, indices);
  const dx = kernelOutput(backend, dtype, inputShape);
  backend.maxPool2dBackward({
    ...geometry,
    dy: denseOperand(op, dy, dtype, backend),
    indices: denseOperand(op, indices, 'int32', backend),
    dx: dx.buffer,
  });
  return dx;
}

/**
 * Gradient of average pooling, PyTorch's `avg_pool2d_backward`: each window spreads its gradient
 * evenly over the input elements it averaged, divided by the forward's divisor.
 *
 * Shapes: `dy` `[N, C, OH, OW]` (or `[C, OH, OW]`), `inputShape` the forward's input → `dx` of
 * `inputShape`, in `dy`'s dtype. `kernelSize` and `options` are the forward's.
 * @throws ShapeError when `dy` does not have the pooled shape; DTypeError for a non-float `dy`; as
 * `avgPool2d` for bad sizes.
 */
export function avgPool2dBackward(
  dy: Tensor,
  inputShape: readonly number[],
  kernelSize: Size2d,
  options: AvgPool2dOptions = {},
): Tensor {
  const op = 'avgPool2dBackward';
  const { geometry, dtype } = poolGrad(op, dy, inputShape, kernelSize, { ...options, dilation: 1 });
  const backend = fusedBackend(op, dy);
  const dx = kernelOutput(backend, dtype, inputShape);
  backend.avgPool2dBackward({
    ...geometry,
    countIncludePad: options.countIncludePad ?? true,
    divisorOverride: options.divisorOverride ?? 0,
    dy: denseOperand(op, dy, dtype, backend),
    dx: dx.buffer,
  });
  return dx;
}

/** The forward's windows over `inputShape`, checking that `dy` has the pooled shape. */
function poolGrad(
  op: string,
  dy: Tensor,
  inputShape: readonly number[],
  kernelSize: Size2d,
  options: MaxPool2dOptions,
) {
  const dtype = floatDTypeOf(op, dy, 'gradient');
  if (inputShape.length !== 3 && inputShape.length !== 4)
    throw new ShapeError(`${op}: input shape must be [N, C, H, W] or [C, H, W], got ${fmtShape(inputShape)}`);
  const batched = inputShape.length === 4 ? inputShape : [1, ...inputShape];
  const geometry: WindowGeometry = windowGeometry(op, batched, kernelSize, {
    ...options,
    stride: options.stride ?? kernelSize,
  });
  const plane = [geometry.channels, geometry.outHeight, geometry.outWidth];
  const pooled = inputShape.length === 4 ? [geometry.batch, ...plane] : plane;
  if (dy.ndim !== pooled.length || dy.shape.some((d, i) => d !== pooled[i]))
    throw new ShapeError(
      `${op}: gradient ${fmtShape(dy.shape)} must be the pooled shape ${fmtShape(pooled)} of input ${fmtShape(inputShape)}`,
    );
  return { geometry, dtype };
}
