import type { Backend, HostBackend } from './backend.js';
import type { HostMemory } from './memory.js';

/**
 * The fused kernels: optional in a {@link Backend}. Each has a tensor-level function in `@proj/tensor`
 * (`layerNormForward`, `crossEntropyForward`, `scaledDotProductAttentionForward`, `adamwStep`, …) that
 * calls the kernel when the backend holding its operands has it and otherwise computes the same result
 * from the primitive kernels, so a new backend works with the primitives alone and gets faster kernel
 * by kernel.
 */
export const FUSED_KERNEL_NAMES = [
  'layerNorm',
  'layerNormBackward',
  'crossEntropy',
  'crossEntropyBackward',
  'softmax',
  'softmaxBackward',
  'attentionSoftmax',
  'attentionSoftmaxBackward',
  'attention',
  'attentionBackward',
  'unaryBackward',
  'adamw',
] as const;

/** Name of a fused kernel (see {@link FUSED_KERNEL_NAMES}). */
export type FusedKernelName = (typeof FUSED_KERNEL_NAMES)[number];

/** A CPU backend with every fused kernel, as the JS reference and the WASM backend are. */
export type FusedHostBackend = HostBackend & Required<Pick<Backend<HostMemory>, FusedKernelName>>;
