import { activationKernels } from './activation.js';
import { adamwKernels } from './adamw.js';
import type { GPUKernels } from './kernels.js';
import { lossKernels } from './loss.js';
import { normKernels } from './norm.js';
import type { WebGPURuntime } from './runtime.js';
import { windowKernels } from './window.js';
import { poolKernels } from './window-pool.js';

/** Layer norm, cross-entropy, activation gradients, AdamW and window kernels in WGSL. */
export function rowKernels(
  rt: WebGPURuntime,
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
  return {
    ...normKernels(rt),
    ...lossKernels(rt),
    ...activationKernels(rt),
    ...adamwKernels(rt),
    ...windowKernels(rt),
    ...poolKernels(rt),
  };
}
