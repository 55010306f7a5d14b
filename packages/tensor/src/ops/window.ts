import { getBackend } from '../backend/registry.js';
import type { WindowGeometry } from '../backend/window-args.js';
import { allocStorage, type FloatArray, isFloatDType } from '../dtype.js';
import { DTypeError, fmtShape, ShapeError } from '../errors.js';
import type { Shape } from '../shape.js';
import { contiguousData } from '../storage.js';
import { Tensor } from '../tensor.js';

/** A size for both spatial axes, or `[height, width]`. */
export type Size2d = number | readonly [number, number];

/** Options of {@link unfold} and {@link fold} (PyTorch's `F.unfold` / `F.fold`). */
export interface UnfoldOptions {
  /** Spacing of a window's elements (default 1). */
  dilation?: Size2d;
  /** Implicit zeros on both sides of each spatial axis (default 0). */
  padding?: Size2d;
  /** Step between windows (default 1). */
  stride?: Size2d;
}

/** Options of {@link windowGeometry}. */
export interface WindowOptions extends UnfoldOptions {
  /** Count a last window that starts inside the image or its left padding but runs past the end (default false). */
  ceilMode?: boolean;
}

/** `[height, width]` of a {@link Size2d}, checked to be integers of at least `min`. */
export function pair(op: string, name: string, size: Size2d, min: number): [number, number] {
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  if (!(Number.isInteger(h) && Number.isInteger(w) && h! >= min && w! >= min))
    throw new RangeError(`${op}: ${name} must be integers >= ${min}, got ${JSON.stringify(size)}`);
  return [h!, w!];
}

/** Windows along one axis, PyTorch's `pooling_output_shape` (floor, or ceil mode). */
function windows(size: number, kernel: number, stride: number, pad: number, dilation: number, ceil: boolean) {
  const span = size + 2 * pad - dilation * (kernel - 1) - 1;
  let out = Math.floor((span + (ceil ? stride - 1 : 0)) / stride) + 1;
  if (ceil && (out - 1) * stride >= size + pad) out--;
  return span < 0 ? 0 : out;
}

/**
 * The windows of a sliding-window op over images of `shape` `[N, C, H, W]`: kernel, stride (default
 * 1), padding, dilation and the number of windows along each axis, as the backend kernels take them.
 * @throws RangeError for a non-positive kernel, stride or dilation or a negative padding; ShapeError
 * when the image is too small for one window.
 */
export function windowGeometry(
  op: string,
  shape: Shape,
  kernelSize: Size2d,
  options: WindowOptions = {},
): WindowGeometry {
  if (shape.length !== 4) throw new ShapeError(`${op}: expected [N, C, H, W], got ${fmtShape(shape)}`);
  const [batch, channels, height, width] = shape as [number, number, number, number];
  const [kernelH, kernelW] = pair(op, 'kernelSize', kernelSize, 1);
  const [strideH, strideW] = pair(op, 'stride', options.stride ?? 1, 1);
  const [padH, padW] = pair(op, 'padding', options.padding ?? 0, 0);
  const [dilationH, dilationW] = pair(op, 'dilation', options.dilation ?? 1, 1);
  const ceil = options.ceilMode ?? false;
  const outHeight = windows(height, kernelH, strideH, padH, dilationH, ceil);
  const outWidth = windows(width, kernelW, strideW, padW, dilationW, ceil);
  if (outHeight < 1 || outWidth < 1)
    throw new ShapeError(
      `${op}: input ${fmtShape(shape)} is too small for kernel ${kernelH}x${kernelW} (dilation ${dilationH}x${dilationW}, padding ${padH}x${padW}): ${outHeight}x${outWidth} windows`,
    );
  const size = { batch, channels, height, width, kernelH, kernelW, strideH, strideW };
  return { ...size, padH, padW, dilationH, dilationW, outHeight, outWidth };
}

/**
 * `x` as a float `[N, C, H, W]` batch and whether it was one unbatched image `[C, H, W]`.
 * @throws ShapeError for another rank; DTypeError for a non-float tensor.
 */
export function imageBatch(op: string, x: Tensor): { images: Tensor; unbatched: boolean } {
  if (!isFloatDType(x.dtype)) throw new DTypeError(`${op}: input must be float32 or float64, got ${x.dtype}`);
  if (x.ndim !== 3 && x.ndim !== 4)
    throw new ShapeError(`${op}: input must be [N, C, H, W] or [C, H, W], got ${fmtShape(x.shape)}`);
  return { images: x.ndim === 3 ? x.unsqueeze(0) : x, unbatched: x.ndim === 3 };
}

/**
 * Sliding windows as columns (im2col), PyTorch's `F.unfold`: each `kh×kw` window of every channel
 * becomes one column.
 *
 * Shapes: `x` `[N, C, H, W]` (or `[C, H, W]`) → `[N, C·kh·kw, L]` (or `[C·kh·kw, L]`), `L` the number
 * of windows; row `(c·kh + i)·kw + j` holds element `(i, j)` of each window of channel `c`.
 * @example unfold(images, 3, { padding: 1 }) // [N, C*9, H*W]
 * @throws ShapeError for another rank or an image smaller than one window; DTypeError for non-float input.
 */
export function unfold(x: Tensor, kernelSize: Size2d, options: UnfoldOptions = {}): Tensor {
  const { images, unbatched } = imageBatch('unfold', x);
  const g = windowGeometry('unfold', images.shape, kernelSize, options);
  const rows = g.channels * g.kernelH * g.kernelW;
  const L = g.outHeight * g.outWidth;
  const cols = allocStorage(x.dtype, g.batch * rows * L) as FloatArray;
  getBackend().unfold({ ...g, x: contiguousData(images) as FloatArray, cols });
  return new Tensor(cols, unbatched ? [rows, L] : [g.batch, rows, L]);
}

/**
 * Sums columns back into images (col2im), PyTorch's `F.fold`: the adjoint of {@link unfold} with the
 * same options, so overlapping windows add up.
 *
 * Shapes: `x` `[N, C·kh·kw, L]` (or `[C·kh·kw, L]`) → `[N, C, H, W]` (or `[C, H, W]`) for
 * `outputSize` `[H, W]`; `L` must be the number of windows over `[H, W]`.
 * @throws ShapeError when `x`'s rows are not a multiple of `kh·kw` or `L` does not match; DTypeError
 * for non-float input.
 */
export function fold(x: Tensor, outputSize: Size2d, kernelSize: Size2d, options: UnfoldOptions = {}): Tensor {
  if (!isFloatDType(x.dtype)) throw new DTypeError(`fold: input must be float32 or float64, got ${x.dtype}`);
  if (x.ndim !== 2 && x.ndim !== 3)
    throw new ShapeError(`fold: input must be [N, C*kh*kw, L] or [C*kh*kw, L], got ${fmtShape(x.shape)}`);
  const cols = x.ndim === 2 ? x.unsqueeze(0) : x;
  const [N, rows, L] = cols.shape as [number, number, number];
  const [kh, kw] = pair('fold', 'kernelSize', kernelSize, 1);
  if (rows % (kh * kw) !== 0)
    throw new ShapeError(
      `fold: input ${fmtShape(x.shape)} must have a multiple of kernel ${kh}x${kw} = ${kh * kw} rows`,
    );
  const [H, W] = pair('fold', 'outputSize', outputSize, 1);
  const g = windowGeometry('fold', [N, rows / (kh * kw), H, W], kernelSize, options);
  if (g.outHeight * g.outWidth !== L)
    throw new ShapeError(
      `fold: input ${fmtShape(x.shape)} has ${L} columns, but output ${H}x${W} has ${g.outHeight}x${g.outWidth} = ${g.outHeight * g.outWidth} windows`,
    );
  const out = allocStorage(x.dtype, N * g.channels * H * W) as FloatArray;
  getBackend().fold({ ...g, cols: contiguousData(cols) as FloatArray, x: out });
  return new Tensor(out, x.ndim === 2 ? [g.channels, H, W] : [N, g.channels, H, W]);
}
