import { getBackend } from '../backend/registry.js';
import type { WindowGeometry } from '../backend/window-args.js';
import { allocStorage, type FloatArray } from '../dtype.js';
import { contiguousData } from '../storage.js';
import { Tensor } from '../tensor.js';
import { imageBatch, type Size2d, windowGeometry } from './window.js';

/** Options of {@link maxPool2d} (PyTorch's `F.max_pool2d`, camelCased). */
export interface MaxPool2dOptions {
  /** Step between windows (default `kernelSize`). */
  stride?: Size2d;
  /** Implicit −∞ on both sides of each spatial axis, at most half the kernel (default 0). */
  padding?: Size2d;
  /** Spacing of a window's elements (default 1). */
  dilation?: Size2d;
  /** Output size rounds up: a last partial window counts when it starts inside the input or left padding (default false). */
  ceilMode?: boolean;
}

/** Options of {@link avgPool2d} (PyTorch's `F.avg_pool2d`, camelCased). */
export interface AvgPool2dOptions extends Omit<MaxPool2dOptions, 'dilation'> {
  /** Count padded zeros in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead of its size. */
  divisorOverride?: number;
}

/** Values and argmax positions of {@link maxPool2dWithIndices}. */
export interface MaxPoolResult {
  values: Tensor;
  /** int32, each maximum's position `row·W + column` in its channel's `[H, W]` plane. */
  indices: Tensor;
}

/**
 * The windows of a pooling op over `images` (stride defaulting to the kernel), checking PyTorch's
 * rule that padding is at most half the kernel.
 */
function poolGeometry(
  op: string,
  images: Tensor,
  kernelSize: Size2d,
  options: MaxPool2dOptions,
): WindowGeometry {
  const stride = options.stride ?? kernelSize;
  const g = windowGeometry(op, images.shape, kernelSize, { ...options, stride });
  if (g.padH > g.kernelH / 2 || g.padW > g.kernelW / 2)
    throw new RangeError(
      `${op}: padding ${g.padH}x${g.padW} must be at most half of kernel ${g.kernelH}x${g.kernelW}`,
    );
  return g;
}

function pooledShape(g: WindowGeometry, unbatched: boolean): number[] {
  const plane = [g.outHeight, g.outWidth];
  return unbatched ? [g.channels, ...plane] : [g.batch, g.channels, ...plane];
}

/**
 * Max pooling with the position of each maximum, PyTorch's `F.max_pool2d(..., return_indices=True)`:
 * the first maximum of a window wins, and NaN propagates.
 *
 * Shapes: `x` `[N, C, H, W]` (or `[C, H, W]`) → values and indices `[N, C, OH, OW]` (or `[C, OH, OW]`).
 * @throws ShapeError for another rank or an input smaller than one window; RangeError for bad sizes
 * or padding over half the kernel; DTypeError for non-float input.
 */
export function maxPool2dWithIndices(
  x: Tensor,
  kernelSize: Size2d,
  options: MaxPool2dOptions = {},
): MaxPoolResult {
  const { images, unbatched } = imageBatch('maxPool2d', x);
  const g = poolGeometry('maxPool2d', images, kernelSize, options);
  const size = g.batch * g.channels * g.outHeight * g.outWidth;
  const out = allocStorage(x.dtype, size) as FloatArray;
  const indices = new Int32Array(size);
  getBackend().maxPool2d({ ...g, x: contiguousData(images) as FloatArray, out, indices });
  const shape = pooledShape(g, unbatched);
  return { values: new Tensor(out, shape), indices: new Tensor(indices, shape) };
}

/**
 * Max pooling, PyTorch's `F.max_pool2d`: the largest element of each window (padding never wins).
 *
 * Shapes: `x` `[N, C, H, W]` (or `[C, H, W]`) → `[N, C, OH, OW]` (or `[C, OH, OW]`),
 * `OH = ⌊(H + 2·padding − dilation·(kh − 1) − 1) / stride⌋ + 1` (⌈⌉ with `ceilMode`).
 * @example maxPool2d(x, 2) // halves H and W
 * @throws as {@link maxPool2dWithIndices}.
 */
export function maxPool2d(x: Tensor, kernelSize: Size2d, options: MaxPool2dOptions = {}): Tensor {
  return maxPool2dWithIndices(x, kernelSize, options).values;
}

/** The divisor settings of average pooling, checked. */
function avgPoolSettings(op: string, options: AvgPool2dOptions) {
  const divisorOverride = options.divisorOverride ?? 0;
  if (options.divisorOverride !== undefined && !(Number.isInteger(divisorOverride) && divisorOverride > 0))
    throw new RangeError(`${op}: divisorOverride must be a positive integer, got ${options.divisorOverride}`);
  return { countIncludePad: options.countIncludePad ?? true, divisorOverride };
}

/**
 * Average pooling, PyTorch's `F.avg_pool2d`: each window's mean, with padded zeros counted unless
 * `countIncludePad` is false, or its sum over `divisorOverride`.
 *
 * Shapes: `x` `[N, C, H, W]` (or `[C, H, W]`) → `[N, C, OH, OW]` (or `[C, OH, OW]`).
 * @example avgPool2d(x, 2)
 * @throws as {@link maxPool2dWithIndices}; RangeError for a non-positive `divisorOverride`.
 */
export function avgPool2d(x: Tensor, kernelSize: Size2d, options: AvgPool2dOptions = {}): Tensor {
  const { images, unbatched } = imageBatch('avgPool2d', x);
  const settings = avgPoolSettings('avgPool2d', options);
  const g = poolGeometry('avgPool2d', images, kernelSize, { ...options, dilation: 1 });
  const out = allocStorage(x.dtype, g.batch * g.channels * g.outHeight * g.outWidth) as FloatArray;
  getBackend().avgPool2d({ ...g, ...settings, x: contiguousData(images) as FloatArray, out });
  return new Tensor(out, pooledShape(g, unbatched));
}
