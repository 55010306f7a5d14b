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
 * Calls `visitRow(plane, colRow, ih, j)` for every row of `cols` and every window row `oh`, in
 * `cols` order: `plane` is the channel's offset in the images, `colRow` the offset in `cols` of the
 * `outWidth` entries for kernel element `(i, j)` of the windows in row `oh`, and `ih` the image row
 * they read (outside `[0, height)` for padding).
 */
function forEachWindowRow(
  g: WindowGeometry,
  visitRow: (plane: number, colRow: number, ih: number, j: number) => void,
): void {
  const { channels, height, width, kernelH, kernelW, outHeight, outWidth } = g;
  const L = outHeight * outWidth;
  for (let b = 0; b < g.batch; b++) {
    for (let c = 0; c < channels; c++) {
      const plane = (b * channels + c) * height * width;
      for (let i = 0; i < kernelH; i++) {
        for (let j = 0; j < kernelW; j++) {
          const colBase = (((b * channels + c) * kernelH + i) * kernelW + j) * L;
          for (let oh = 0; oh < outHeight; oh++) {
            const ih = oh * g.strideH - g.padH + i * g.dilationH;
            visitRow(plane, colBase + oh * outWidth, ih, j);
          }
        }
      }
    }
  }
}

/** The first and end window columns `ow` whose element `j` lies inside the image (a range, maybe empty). */
function insideColumns(g: WindowGeometry, j: number): [number, number] {
  const offset = j * g.dilationW - g.padW; // iw = ow·strideW + offset
  const first = Math.max(0, Math.ceil(-offset / g.strideW));
  const end = Math.min(g.outWidth, Math.floor((g.width - 1 - offset) / g.strideW) + 1);
  return [first, Math.max(first, end)];
}

/** Reference im2col; see {@link UnfoldArgs}. */
export function unfold(args: UnfoldArgs): void {
  const { x, cols, height, width, outWidth, strideW } = args;
  const ranges = Array.from({ length: args.kernelW }, (_, j) => insideColumns(args, j));
  forEachWindowRow(args, (plane, colRow, ih, j) => {
    if (ih < 0 || ih >= height) {
      cols.fill(0, colRow, colRow + outWidth);
      return;
    }
    const [first, end] = ranges[j]!;
    cols.fill(0, colRow, colRow + first);
    let src = plane + ih * width + first * strideW + j * args.dilationW - args.padW;
    for (let ow = first; ow < end; ow++, src += strideW) cols[colRow + ow] = x[src]!;
    cols.fill(0, colRow + end, colRow + outWidth);
  });
}

/** Reference col2im; see {@link FoldArgs}. */
export function fold(args: FoldArgs): void {
  const { x, cols, height, width, strideW } = args;
  x.fill(0, 0, args.batch * args.channels * height * width);
  const ranges = Array.from({ length: args.kernelW }, (_, j) => insideColumns(args, j));
  forEachWindowRow(args, (plane, colRow, ih, j) => {
    if (ih < 0 || ih >= height) return;
    const [first, end] = ranges[j]!;
    let dst = plane + ih * width + first * strideW + j * args.dilationW - args.padW;
    for (let ow = first; ow < end; ow++, dst += strideW) x[dst]! += cols[colRow + ow]!;
  });
}

/**
 * Calls `visit(plane, at, [h0, dilationH], [w0, dilationW])` for every window of every channel of every
 * image: `plane` is the channel's offset in the images, `at` the window's offset in the output, and
 * `(h0, w0)` the image position of its first element (negative in the padding).
 */
function forEachWindow(
  g: WindowGeometry,
  visit: (planeIn: number, at: number, rows: [number, number], columns: [number, number]) => void,
): void {
  const { height, width, outHeight, outWidth } = g;
  for (let p = 0; p < g.batch * g.channels; p++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * g.strideH - g.padH;
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * g.strideW - g.padW;
        visit(p * height * width, (p * outHeight + oh) * outWidth + ow, [h0, g.dilationH], [w0, g.dilationW]);
      }
    }
  }
}

/** Reference max pooling with indices; see {@link MaxPoolArgs}. */
export function maxPool2d(args: MaxPoolArgs): void {
  const { x, out, indices, height, width, kernelH, kernelW } = args;
  forEachWindow(args, (plane, at, [h0, dh], [w0, dw]) => {
    let best = Number.NEGATIVE_INFINITY;
    let bestIndex = -1; // a window with no image element (dilated over padding) stays −∞, index −1
    for (let i = 0; i < kernelH; i++) {
      const ih = h0 + i * dh;
      if (ih < 0 || ih >= height) continue;
      for (let j = 0; j < kernelW; j++) {
        const iw = w0 + j * dw;
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
  });
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

/** The window's image rows (or columns) `[first, end)` and its size clipped to the padded image. */
function clip(start: number, kernel: number, size: number, pad: number): [number, number, number] {
  const end = Math.min(start + kernel, size + pad);
  return [Math.max(start, 0), Math.min(end, size), end - start];
}

/** `visit(plane, at, rows, columns, divisor)` for each average-pooling window (see {@link AvgPoolArgs}). */
function forEachAverage(
  args: Omit<AvgPoolArgs, 'x' | 'out'>,
  visit: (
    plane: number,
    at: number,
    rows: [number, number],
    columns: [number, number],
    divisor: number,
  ) => void,
): void {
  const { height, width, kernelH, kernelW, padH, padW } = args;
  forEachWindow(args, (plane, at, [h0], [w0]) => {
    const [r0, r1, poolH] = clip(h0, kernelH, height, padH);
    const [c0, c1, poolW] = clip(w0, kernelW, width, padW);
    const divisor =
      args.divisorOverride !== 0
        ? args.divisorOverride
        : args.countIncludePad
          ? poolH * poolW
          : Math.max(0, r1 - r0) * Math.max(0, c1 - c0);
    visit(plane, at, [r0, r1], [c0, c1], divisor);
  });
}

/** Reference average pooling; see {@link AvgPoolArgs}. */
export function avgPool2d(args: AvgPoolArgs): void {
  const { x, out, width } = args;
  forEachAverage(args, (plane, at, [r0, r1], [c0, c1], divisor) => {
    if (r0 >= r1 || c0 >= c1) {
      out[at] = 0;
      return;
    }
    let total = 0;
    for (let ih = r0; ih < r1; ih++) for (let iw = c0; iw < c1; iw++) total += x[plane + ih * width + iw]!;
    out[at] = total / divisor;
  });
}

/** Reference average pooling backward; see {@link AvgPoolBackwardArgs}. */
export function avgPool2dBackward(args: AvgPoolBackwardArgs): void {
  const { dy, dx, width } = args;
  dx.fill(0, 0, args.batch * args.channels * args.height * width);
  forEachAverage(args, (plane, at, [r0, r1], [c0, c1], divisor) => {
    const share = dy[at]! / divisor;
    for (let ih = r0; ih < r1; ih++) for (let iw = c0; iw < c1; iw++) dx[plane + ih * width + iw]! += share;
  });
}
