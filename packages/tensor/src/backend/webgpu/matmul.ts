import type { GPUKernels } from './kernels.js';
import type { WebGPURuntime } from './runtime.js';

/** Matrix product, softmax and attention kernels in WGSL. */
export function matmulKernels(
  _rt: WebGPURuntime,
): Pick<
  GPUKernels,
  | 'matmul'
  | 'softmax'
  | 'softmaxBackward'
  | 'attentionSoftmax'
  | 'attentionSoftmaxBackward'
  | 'attention'
  | 'attentionBackward'
> {
  throw new Error('webgpu: matmul kernels are not written yet');
}
