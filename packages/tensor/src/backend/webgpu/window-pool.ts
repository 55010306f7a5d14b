import type { DeviceMemory } from '../memory.js';
import type { AvgPoolArgs, AvgPoolBackwardArgs, MaxPoolArgs, MaxPoolBackwardArgs } from '../window-args.js';
import type { GPUKernels } from './kernels.js';
import { SPECIAL_FLOATS_WGSL } from './rows-wgsl.js';
import type { Uniform, WebGPURuntime } from './runtime.js';
import { windowKernel } from './window-geometry.js';

/**
 * WGSL of average pooling's windows: `span(o, stride, pad, kernel, size)` is window `o` along one
 * axis as `(start, end)` clipped to the padded image and `(first, end)` clipped to the image;
 * `divisor(rows, cols)` is the override, or the padded or the image-only window size.
 */
const AVERAGE_WGSL = `fn span(o: i32, stride: i32, pad: i32, kernel: i32, size: i32) -> vec4i {
  let start = o * stride - pad;
  let end = min(start + kernel, size + pad);
  return vec4i(start, end, max(start, 0), min(end, size));
}
fn divisor(rows: vec4i, cols: vec4i) -> f32 {
  if (params.divisorOverride != 0.0) { return params.divisorOverride; }
  if (params.countIncludePad != 0u) { return f32((rows.y - rows.x) * (cols.y - cols.x)); }
  return f32(max(0, rows.w - rows.z) * max(0, cols.w - cols.z));
}`;

/** The uniforms `divisor` reads. */
function averageParams(args: Omit<AvgPoolArgs<DeviceMemory>, 'x' | 'out'>): Record<string, Uniform> {
  return {
    countIncludePad: ['u32', args.countIncludePad ? 1 : 0],
    divisorOverride: ['f32', args.divisorOverride],
  };
}

/** WGSL: `oh`, `ow` and `plane` of pooled element `idx`. */
const POOLED_POSITION = `  let ow = idx % params.outWidth;
  let oh = (idx / params.outWidth) % params.outHeight;
  let plane = idx / (params.outWidth * params.outHeight);`;

/** WGSL: `h`, `w` and `plane` of image element `idx`, and the windows that can hold it (`rows`, `cols`). */
function imagePosition(dilated: boolean): string {
  const [reachH, reachW] = dilated
    ? ['(params.kernelH - 1) * params.dilationH', '(params.kernelW - 1) * params.dilationW']
    : ['params.kernelH - 1', 'params.kernelW - 1'];
  return `  let w = idx % params.width;
  let h = (idx / params.width) % params.height;
  let plane = idx / (params.width * params.height);
  let rows = windowRange(h, params.padH, ${reachH}, params.strideH, params.outHeight);
  let cols = windowRange(w, params.padW, ${reachW}, params.strideW, params.outWidth);`;
}

/**
 * Max and average pooling in WGSL: the forwards are a thread per pooled element, the backwards
 * gather (a thread per image element visits the windows that can hold it, in the reference's order),
 * so no atomics are needed.
 */
export function poolKernels(
  rt: WebGPURuntime,
): Pick<GPUKernels, 'maxPool2d' | 'maxPool2dBackward' | 'avgPool2d' | 'avgPool2dBackward'> {
  return {
    maxPool2d: windowKernel<MaxPoolArgs<DeviceMemory>>(rt, 'maxPool2d', {
      buffers: [
        { name: 'x', extent: 'image' },
        { name: 'out', extent: 'pooled', write: true },
        { name: 'indices', extent: 'pooled', write: true, dtype: 'int32' },
      ],
      threads: 'pooled',
      helpers: SPECIAL_FLOATS_WGSL,
      body: `${POOLED_POSITION}
  var best = -infinity();
  var bestIndex = -1; // a window with no image element (dilated over padding) stays −∞, index −1
  for (var ki = 0; ki < params.kernelH; ki++) {
    let ih = oh * params.strideH - params.padH + ki * params.dilationH;
    if (ih < 0 || ih >= params.height) { continue; }
    for (var kj = 0; kj < params.kernelW; kj++) {
      let iw = ow * params.strideW - params.padW + kj * params.dilationW;
      if (iw < 0 || iw >= params.width) { continue; }
      let v = x[(plane * params.height + ih) * params.width + iw];
      if (v > best || isNan(v) || bestIndex < 0) {
        best = v;
        bestIndex = ih * params.width + iw;
      }
    }
  }
  out[i] = best;
  indices[i] = bestIndex;`,
    }),
    maxPool2dBackward: windowKernel<MaxPoolBackwardArgs<DeviceMemory>>(rt, 'maxPool2dBackward', {
      buffers: [
        { name: 'dy', extent: 'pooled' },
        { name: 'indices', extent: 'pooled', dtype: 'int32' },
        { name: 'dx', extent: 'image', write: true },
      ],
      threads: 'image',
      body: `${imagePosition(true)}
  let pixel = h * params.width + w;
  var total = 0.0;
  for (var oh = rows.x; oh <= rows.y; oh++) {
    for (var ow = cols.x; ow <= cols.y; ow++) {
      let o = (plane * params.outHeight + oh) * params.outWidth + ow;
      if (indices[o] == pixel) { total += dy[o]; }
    }
  }
  dx[i] = total;`,
    }),
    avgPool2d: windowKernel<AvgPoolArgs<DeviceMemory>>(rt, 'avgPool2d', {
      buffers: [
        { name: 'x', extent: 'image' },
        { name: 'out', extent: 'pooled', write: true },
      ],
      threads: 'pooled',
      params: averageParams,
      helpers: AVERAGE_WGSL,
      body: `${POOLED_POSITION}
  let rows = span(oh, params.strideH, params.padH, params.kernelH, params.height);
  let cols = span(ow, params.strideW, params.padW, params.kernelW, params.width);
  var total = 0.0;
  for (var ih = rows.z; ih < rows.w; ih++) {
    for (var iw = cols.z; iw < cols.w; iw++) { total += x[(plane * params.height + ih) * params.width + iw]; }
  }
  out[i] = select(0.0, total / divisor(rows, cols), rows.z < rows.w && cols.z < cols.w);`,
    }),
    avgPool2dBackward: windowKernel<AvgPoolBackwardArgs<DeviceMemory>>(rt, 'avgPool2dBackward', {
      buffers: [
        { name: 'dy', extent: 'pooled' },
        { name: 'dx', extent: 'image', write: true },
      ],
      threads: 'image',
      params: averageParams,
      helpers: AVERAGE_WGSL,
      body: `${imagePosition(false)}
  var total = 0.0;
  for (var oh = rows.x; oh <= rows.y; oh++) {
    let windowRows = span(oh, params.strideH, params.padH, params.kernelH, params.height);
    for (var ow = cols.x; ow <= cols.y; ow++) {
      let windowCols = span(ow, params.strideW, params.padW, params.kernelW, params.width);
      total += dy[(plane * params.outHeight + oh) * params.outWidth + ow] / divisor(windowRows, windowCols);
    }
  }
  dx[i] = total;`,
    }),
  };
}
