import type { Backend } from '../backend/backend.js';
import { FUSED_KERNEL_NAMES } from '../backend/fused-kernels.js';
import type { KernelMemory } from '../backend/memory.js';

/**
 * A copy of `backend` named `name` without its optional fused kernels, so that the tensor-level
 * functions (`layerNormForward`, `scaledDotProductAttentionForward`, `adamwStep`, …) run their
 * defaults composed from its primitives: how a new backend runs before it has fused kernels. The
 * `softmax` kernel stays, as the `softmax` and `logSoftmax` ops still call it directly.
 * @example registerBackend(withoutFusedKernels(jsBackend, 'primitives-only'));
 */
export function withoutFusedKernels<M extends KernelMemory>(backend: Backend<M>, name: string): Backend<M> {
  const copy: Backend<M> = { ...backend, name };
  for (const kernel of FUSED_KERNEL_NAMES) if (kernel !== 'softmax') delete copy[kernel];
  return copy;
}
