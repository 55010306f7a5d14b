import type { GPUKernels } from './kernels.js';
import type { WebGPURuntime } from './runtime.js';

/** Elementwise, copy, where and reduction kernels in WGSL. */
export function elementwiseKernels(
  _rt: WebGPURuntime,
): Pick<GPUKernels, 'unary' | 'binary' | 'copy' | 'where' | 'reduce'> {
  throw new Error('webgpu: elementwise kernels are not written yet');
}
