import type { HostMemory, KernelMemory } from './memory.js';

/**
 * A sliding window over a batch of images `[batch, channels, height, width]` (NCHW, contiguous):
 * element `(i, j)` (`i < kernelH`, `j < kernelW`) of window `(oh, ow)` (`oh < outHeight`,
 * `ow < outWidth`) reads row `oh·strideH − padH + i·dilationH` and column
 * `ow·strideW − padW + j·dilationW`; a position outside the image is padding. `padH`/`padW` pad the
 * top and left; how far the windows reach past the bottom and right follows from `outHeight` and
 * `outWidth` (padding there too).
 */
export interface WindowGeometry {
  batch: number;
  channels: number;
  height: number;
  width: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
  outHeight: number;
  outWidth: number;
}

/**
 * im2col, PyTorch's `F.unfold`: `cols[b, (c·kernelH + i)·kernelW + j, oh·outWidth + ow]` is element
 * `(i, j)` of window `(oh, ow)` of image `b`, channel `c` (0 for padding). `cols` is
 * `[batch, channels·kernelH·kernelW, outHeight·outWidth]`, contiguous, written.
 */
export interface UnfoldArgs<M extends KernelMemory = HostMemory> extends WindowGeometry {
  x: M['float'];
  cols: M['float'];
}

/**
 * col2im, PyTorch's `F.fold` (the adjoint of {@link UnfoldArgs}): every image position gets the sum of
 * the `cols` entries that read it (entries reading padding are dropped). `x` is written whole.
 */
export interface FoldArgs<M extends KernelMemory = HostMemory> extends WindowGeometry {
  cols: M['float'];
  x: M['float'];
}

/**
 * Max pooling, PyTorch's `F.max_pool2d` with indices: `out[b, c, oh, ow]` is the largest element of
 * window `(oh, ow)` (padding is never chosen) and `indices[…]` its position `row·width + column` in
 * the channel's plane; the first maximum in row-major window order wins, and a NaN wins over any
 * number (the last NaN, as PyTorch). A window with no image element (dilated across the padding) gets
 * −∞ and index −1. `out` and `indices` are `[batch, channels, outHeight, outWidth]`.
 */
export interface MaxPoolArgs<M extends KernelMemory = HostMemory> extends WindowGeometry {
  x: M['float'];
  out: M['float'];
  indices: M['int32'];
}

/**
 * Backward of {@link MaxPoolArgs}: `dx` (written whole) gets each `dy` added at its window's index
 * (nothing for index −1).
 */
export interface MaxPoolBackwardArgs<M extends KernelMemory = HostMemory> extends WindowGeometry {
  dy: M['float'];
  indices: M['int32'];
  dx: M['float'];
}

/**
 * Average pooling, PyTorch's `F.avg_pool2d` (no dilation: `dilationH = dilationW = 1`): `out` is the sum
 * of a window's image elements divided by `divisorOverride` when it is non-zero, else by the window's
 * size clipped to the padded image (`countIncludePad`) or by its count of image elements.
 */
export interface AvgPoolArgs<M extends KernelMemory = HostMemory> extends WindowGeometry {
  x: M['float'];
  out: M['float'];
  countIncludePad: boolean;
  divisorOverride: number;
}

/** Backward of {@link AvgPoolArgs}: `dx` (written whole) gets `dy / divisor` at every element of each window. */
export interface AvgPoolBackwardArgs<M extends KernelMemory = HostMemory>
  extends Omit<AvgPoolArgs<M>, 'x' | 'out'> {
  dy: M['float'];
  dx: M['float'];
}
