import type { DeviceMemory } from '../memory.js';
import type { FoldArgs, UnfoldArgs } from '../window-args.js';
import type { GPUKernels } from './kernels.js';
import type { WebGPURuntime } from './runtime.js';
import { windowKernel } from './window-geometry.js';

/**
 * im2col and col2im in WGSL. `unfold` is a thread per column entry (a copy, or 0 in the padding);
 * `fold` gathers, a thread per image element summing the column entries that read it in the
 * reference's order (kernel row, then kernel column), so no two threads write one element and no
 * atomics are needed.
 */
export function windowKernels(rt: WebGPURuntime): Pick<GPUKernels, 'unfold' | 'fold'> {
  return {
    unfold: windowKernel<UnfoldArgs<DeviceMemory>>(rt, 'unfold', {
      buffers: [
        { name: 'x', extent: 'image' },
        { name: 'cols', extent: 'columns', write: true },
      ],
      threads: 'columns',
      body: `  let ow = idx % params.outWidth;
  let oh = (idx / params.outWidth) % params.outHeight;
  let row = idx / (params.outHeight * params.outWidth); // (plane·kernelH + ki)·kernelW + kj
  let kj = row % params.kernelW;
  let ki = (row / params.kernelW) % params.kernelH;
  let plane = row / (params.kernelW * params.kernelH);
  let ih = oh * params.strideH - params.padH + ki * params.dilationH;
  let iw = ow * params.strideW - params.padW + kj * params.dilationW;
  var value = 0.0;
  if (ih >= 0 && ih < params.height && iw >= 0 && iw < params.width) {
    value = x[(plane * params.height + ih) * params.width + iw];
  }
  cols[i] = value;`,
    }),
    fold: windowKernel<FoldArgs<DeviceMemory>>(rt, 'fold', {
      buffers: [
        { name: 'cols', extent: 'columns' },
        { name: 'x', extent: 'image', write: true },
      ],
      threads: 'image',
      body: `  let w = idx % params.width;
  let h = (idx / params.width) % params.height;
  let plane = idx / (params.width * params.height);
  var total = 0.0;
  for (var ki = 0; ki < params.kernelH; ki++) {
    let top = h + params.padH - ki * params.dilationH; // oh·strideH when kernel row ki of window oh reads row h
    if (top < 0 || top % params.strideH != 0 || top / params.strideH >= params.outHeight) { continue; }
    for (var kj = 0; kj < params.kernelW; kj++) {
      let left = w + params.padW - kj * params.dilationW;
      if (left < 0 || left % params.strideW != 0 || left / params.strideW >= params.outWidth) { continue; }
      let row = (plane * params.kernelH + ki) * params.kernelW + kj;
      total += cols[(row * params.outHeight + top / params.strideH) * params.outWidth + left / params.strideW];
    }
  }
  x[i] = total;`,
    }),
  };
}
