import * as T from '@proj/tensor';
import { DTypeError, ShapeError, type Size2d, type UnfoldOptions, zeros } from '@proj/tensor';
import { record } from '../graph.js';
import { fmtShapeOf } from '../tensor-utils.js';
import type { Variable, VariableLike } from '../variable.js';
import { add } from './binary.js';
import { lift } from './lift.js';
import { matmul } from './matmul.js';
import { concat, reshape, unsqueeze, view } from './movement.js';

/** Differentiable im2col, PyTorch's `F.unfold`; its gradient is {@link fold} with the same options. */
export function unfold(x: VariableLike, kernelSize: Size2d, options: UnfoldOptions = {}): Variable {
  const vx = lift(x);
  const size = vx.shape.slice(-2) as [number, number];
  return record('unfold', T.unfold(vx.data, kernelSize, options), [vx], (g) => [
    T.fold(g, size, kernelSize, options),
  ]);
}

/** Differentiable col2im, PyTorch's `F.fold`; its gradient is {@link unfold} with the same options. */
export function fold(
  x: VariableLike,
  outputSize: Size2d,
  kernelSize: Size2d,
  options: UnfoldOptions = {},
): Variable {
  const vx = lift(x);
  return record('fold', T.fold(vx.data, outputSize, kernelSize, options), [vx], (g) => [
    T.unfold(g, kernelSize, options),
  ]);
}

/** Options of {@link conv2d} (PyTorch's `F.conv2d`). */
export interface Conv2dOptions {
  /** Step between windows (default 1). */
  stride?: Size2d;
  /**
   * Zeros added on both sides of each spatial axis (default 0); `'valid'` is 0, `'same'` keeps the
   * input size (stride 1 only; an odd total puts the extra zero at the bottom and right, as PyTorch).
   */
  padding?: Size2d | 'valid' | 'same';
  /** Spacing of the kernel's elements (default 1). */
  dilation?: Size2d;
  /** Split channels into this many groups convolved separately (default 1). */
  groups?: number;
}

/**
 * 2-D convolution (cross-correlation), PyTorch's `F.conv2d`, as im2col (`unfold`) followed by one
 * batched matmul per group; gradients flow through both.
 *
 * Shapes: `input` `[N, Cin, H, W]` (or `[Cin, H, W]`), `weight` `[Cout, Cin/groups, kh, kw]`, `bias`
 * `[Cout]` → `[N, Cout, OH, OW]` (or `[Cout, OH, OW]`), `OH = ⌊(H + 2·padding − dilation·(kh − 1) − 1) / stride⌋ + 1`.
 * @example conv2d(images, weight, bias, { padding: 1 }) // 3x3 kernel: same H, W
 * @throws ShapeError when the channels, groups or bias do not fit; RangeError for bad sizes;
 * DTypeError for non-float operands.
 */
export function conv2d(
  input: VariableLike,
  weight: VariableLike,
  bias: VariableLike | null = null,
  options: Conv2dOptions = {},
): Variable {
  const vx = lift(input);
  const vw = lift(weight, vx);
  const vb = bias === null ? null : lift(bias, vx);
  const groups = options.groups ?? 1;
  checkConv(vx, vw, vb, groups);
  const batched = vx.ndim === 3 ? unsqueeze(vx, 0) : vx;
  const [cOut, cInGroup, kh, kw] = vw.shape as [number, number, number, number];
  const { images, padding } = padded(batched, [kh, kw], options);
  const windows = { stride: options.stride, padding, dilation: options.dilation };
  const g = T.windowGeometry('conv2d', images.shape, [kh, kw], windows);
  const K = cInGroup * kh * kw;
  const L = g.outHeight * g.outWidth;
  const cols = view(unfold(images, [kh, kw], windows), [g.batch, groups, K, L]); // (N, G, K, L)
  const kernels = reshape(vw, [groups, cOut / groups, K]); // (G, Cout/G, K)
  let y = reshape(matmul(kernels, cols), [g.batch, cOut, g.outHeight, g.outWidth]); // (N, Cout, OH, OW)
  if (vb) y = add(y, view(vb, [cOut, 1, 1]));
  return vx.ndim === 3 ? reshape(y, y.shape.slice(1)) : y;
}

function checkConv(x: Variable, w: Variable, b: Variable | null, groups: number): void {
  for (const [name, v] of [
    ['input', x],
    ['weight', w],
  ] as const) {
    if (v.dtype !== 'float32' && v.dtype !== 'float64')
      throw new DTypeError(`conv2d: ${name} must be float32 or float64, got ${v.dtype}`);
  }
  if (x.ndim !== 3 && x.ndim !== 4)
    throw new ShapeError(`conv2d: input must be [N, C, H, W] or [C, H, W], got ${fmtShapeOf(x.data)}`);
  if (w.ndim !== 4)
    throw new ShapeError(`conv2d: weight must be [Cout, Cin/groups, kh, kw], got ${fmtShapeOf(w.data)}`);
  const [cOut, cInGroup] = w.shape as [number, number];
  const cIn = x.shape[x.ndim - 3]!;
  if (!(Number.isInteger(groups) && groups >= 1) || cIn % groups !== 0 || cOut % groups !== 0)
    throw new RangeError(
      `conv2d: groups ${groups} must be a positive integer dividing the ${cIn} input and ${cOut} output channels`,
    );
  if (cInGroup * groups !== cIn)
    throw new ShapeError(
      `conv2d: weight ${fmtShapeOf(w.data)} with groups ${groups} expects ${cInGroup * groups} input channels, input ${fmtShapeOf(x.data)} has ${cIn}`,
    );
  if (b && (b.ndim !== 1 || b.shape[0] !== cOut))
    throw new ShapeError(
      `conv2d: bias ${fmtShapeOf(b.data)} must be [${cOut}] for weight ${fmtShapeOf(w.data)}`,
    );
}

/**
 * The images and symmetric padding that realise `options.padding`: for `'same'` with an odd total,
 * the images get the extra zero row and column at the bottom and right first (as PyTorch).
 */
function padded(
  images: Variable,
  kernel: [number, number],
  options: Conv2dOptions,
): { images: Variable; padding: Size2d } {
  const padding = options.padding ?? 0;
  if (padding === 'valid') return { images, padding: 0 };
  if (padding !== 'same') return { images, padding };
  const stride = typeof options.stride === 'number' ? [options.stride] : (options.stride ?? [1]);
  if (stride.some((s) => s !== 1))
    throw new RangeError(`conv2d: padding 'same' needs stride 1, got ${JSON.stringify(options.stride)}`);
  const dilation =
    typeof options.dilation === 'object' ? options.dilation : [options.dilation ?? 1, options.dilation ?? 1];
  const total = kernel.map((k, i) => dilation[i]! * (k - 1));
  let out = images;
  for (const axis of [0, 1]) {
    if (total[axis]! % 2 === 0) continue;
    const shape = [...out.shape];
    shape[2 + axis] = 1;
    out = concat([out, zeros(shape, { dtype: out.dtype })], 2 + axis);
  }
  return { images: out, padding: [Math.floor(total[0]! / 2), Math.floor(total[1]! / 2)] };
}
