import type { FloatArray } from '../../dtype.js';
import type {
  AvgPoolArgs,
  AvgPoolBackwardArgs,
  FoldArgs,
  MaxPoolArgs,
  MaxPoolBackwardArgs,
  UnfoldArgs,
  WindowGeometry,
} from '../window-args.js';

/**
 * im2col (`toColumns`) or its adjoint col2im: walks every row of `cols` (kernel element `(i, j)` of
 * channel `c`) and every window row `oh`, copying image elements in or adding `cols` entries back.
 * Plain loops over locals, with each kernel column's range of windows inside the image worked out
 * once: this is the hot path of every convolution.
 */
function im2col(g: WindowGeometry, x: FloatArray, cols: FloatArray, toColumns: boolean): void {
  const { height, width, kernelH, kernelW, outHeight, outWidth } = g;
  const { strideH, strideW, padH, padW, dilationH, dilationW } = g;
  // windows ow in [first[j], end[j]) read image column ow·strideW + j·dilationW − padW inside the image
  const first = new Int32Array(kernelW);
  const end = new Int32Array(kernelW);
  for (let j = 0; j < kernelW; j++) {
    const offset = j * dilationW - padW;
    first[j] = Math.min(outWidth, Math.max(0, Math.ceil(-offset / strideW)));
    end[j] = Math.max(first[j]!, Math.min(outWidth, Math.floor((width - 1 - offset) / strideW) + 1));
  }
  let colRow = 0;
  for (let p = 0; p < g.batch * g.channels; p++) {
    const plane = p * height * width;
    for (let i = 0; i < kernelH; i++) {
      for (let j = 0; j < kernelW; j++) {
        const f = first[j]!;
        const e = end[j]!;
        const column = j * dilationW - padW + f * strideW;
        for (let oh = 0; oh < outHeight; oh++, colRow += outWidth) {
          const ih = oh * strideH - padH + i * dilationH;
          const inside = ih >= 0 && ih < height;
          let at = plane + ih * width + column;
          if (toColumns) {
            if (!inside) {
              for (let ow = 0; ow < outWidth; ow++) cols[colRow + ow] = 0;
              continue;
            }
            for (let ow = 0; ow < f; ow++) cols[colRow + ow] = 0;
            for (let ow = f; ow < e; ow++, at += strideW) cols[colRow + ow] = x[at]!;
            for (let ow = e; ow < outWidth; ow++) cols[colRow + ow] = 0;
          } else if (inside) {
            for (let ow = f; ow < e; ow++, at += strideW) x[at]! += cols[colRow + ow]!;
          }
        }
      }
    }
  }
}

/** Reference im2col; see {@link UnfoldArgs}. */
export function unfold(args: UnfoldArgs): void {
  im2col(args, args.x, args.cols, true);
}

/** Reference col2im; see {@link FoldArgs}. */
export function fold(args: FoldArgs): void {
  args.x.fill(0, 0, args.batch * args.channels * args.height * args.width);
  im2col(args, args.x, args.cols, false);
}

/** Reference max pooling with indices; see {@link MaxPoolArgs}. */
export function maxPool2d(args: MaxPoolArgs): void {
  const { x, out, indices, height, width, kernelH, kernelW, dilationH, dilationW } = args;
  let at = 0;
  for (let p = 0; p < args.batch * args.channels; p++) {
    const plane = p * height * width;
    for (let oh = 0; oh < args.outHeight; oh++) {
      const h0 = oh * args.strideH - args.padH;
      for (let ow = 0; ow < args.outWidth; ow++, at++) {
        const w0 = ow * args.strideW - args.padW;
        let best = Number.NEGATIVE_INFINITY;
        let bestIndex = -1; // a window with no image element (dilated over padding) stays −∞, index −1
        for (let i = 0; i < kernelH; i++) {
          const ih = h0 + i * dilationH;
          if (ih < 0 || ih >= height) continue;
          for (let j = 0; j < kernelW; j++) {
            const iw = w0 + j * dilationW;
            if (iw < 0 || iw >= width) continue;
            const v = x[plane + ih * width + iw]!;
            if (v > best || Number.isNaN(v) || bestIndex < 0) {
              best = v;
              bestIndex = ih * width + iw;
            }
          }
        }
        out[at] = best;
        indices[at] = bestIndex;
      }
    }
  }
}

/** Reference max pooling backward; see {@link MaxPoolBackwardArgs}. */
export function maxPool2dBackward(args: MaxPoolBackwardArgs): void {
  const { dy, indices, dx, height, width, outHeight, outWidth } = args;
  const planes = args.batch * args.channels;
  dx.fill(0, 0, planes * height * width);
  const L = outHeight * outWidth;
  for (let p = 0; p < planes; p++) {
    for (let o = p * L; o < (p + 1) * L; o++) {
      if (indices[o]! >= 0) dx[p * height * width + indices[o]!]! += dy[o]!;
    }
  }
}

/**
 * Average pooling (`forward`) or its backward: each window's image rows and columns clipped to the
 * image and its divisor (see {@link AvgPoolArgs}), then the sum over them, or `dy / divisor` spread back.
 */
function averageWindows(
  args: Omit<AvgPoolArgs, 'x' | 'out'>,
  x: FloatArray,
  y: FloatArray,
  forward: boolean,
) {
  const { height, width, kernelH, kernelW, padH, padW, countIncludePad, divisorOverride } = args;
  let at = 0;
  for (let p = 0; p < args.batch * args.channels; p++) {
    const plane = p * height * width;
    for (let oh = 0; oh < args.outHeight; oh++) {
      const h0 = oh * args.strideH - padH;
      const h1 = Math.min(h0 + kernelH, height + padH); // the window, clipped to the padded image
      const r0 = Math.max(h0, 0);
      const r1 = Math.min(h1, height);
      for (let ow = 0; ow < args.outWidth; ow++, at++) {
        const w0 = ow * args.strideW - padW;
        const w1 = Math.min(w0 + kernelW, width + padW);
        const c0 = Math.max(w0, 0);
        const c1 = Math.min(w1, width);
        const divisor =
          divisorOverride !== 0
            ? divisorOverride
            : countIncludePad
              ? (h1 - h0) * (w1 - w0)
              : Math.max(0, r1 - r0) * Math.max(0, c1 - c0);
        if (forward) {
          let total = 0;
          for (let ih = r0; ih < r1; ih++)
            for (let iw = c0; iw < c1; iw++) total += x[plane + ih * width + iw]!;
          y[at] = r0 < r1 && c0 < c1 ? total / divisor : 0;
        } else {
          const share = y[at]! / divisor;
          for (let ih = r0; ih < r1; ih++)
            for (let iw = c0; iw < c1; iw++) x[plane + ih * width + iw]! += share;
        }
      }
    }
  }
}

/** Reference average pooling; see {@link AvgPoolArgs}. */
export function avgPool2d(args: AvgPoolArgs): void {
  averageWindows(args, args.x, args.out, true);
}

/** Reference average pooling backward; see {@link AvgPoolBackwardArgs}. */
export function avgPool2dBackward(args: AvgPoolBackwardArgs): void {
  args.dx.fill(0, 0, args.batch * args.channels * args.height * args.width);
  averageWindows(args, args.dx, args.dy, false);
}
