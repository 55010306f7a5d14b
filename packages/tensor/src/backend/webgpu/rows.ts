import type { GPUKernels } from './kernels.js';
import type { WebGPURuntime } from './runtime.js';

/** Layer norm, cross-entropy, activation gradients, AdamW and window kernels in WGSL. */
export function rowKernels(
  _rt: WebGPURuntime,
): Pick<
  GPUKernels,
  | 'layerNorm'
  | 'layerNormBackward'
  | 'crossEntropy'
  | 'crossEntropyBackward'
  | 'unaryBackward'
  | 'adamw'
  | 'unfold'
  | 'fold'
  | 'maxPool2d'
  | 'maxPool2dBackward'
  | 'avgPool2d'
  | 'avgPool2dBackward'
> {
  throw new Error('webgpu: row kernels are not written yet');
}
