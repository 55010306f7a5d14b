import { FUSED_KERNEL_NAMES } from '../../backend/fused-kernels.js';
import { jsBackend } from '../../backend/js/index.js';
import type { AnyBackend } from '../../backend/registry.js';

/** Members of a backend that are not kernels: its name and how it allocates and moves memory. */
const NOT_KERNELS = new Set(['name', 'memory', 'dtypes', 'alloc', 'upload', 'readAsync']);

/**
 * Kernels a backend may lack: the fused kernels (their tensor-level functions compose a default from
 * the primitives), the row kernels (composed from a one-hot matrix product), gather and scatter-add
 * (composed from comparisons and sums) and `copyInto` (writes into views; host ops write those in
 * JavaScript). The suite tests each one a backend has.
 */
export const OPTIONAL_KERNELS: readonly string[] = [
  ...FUSED_KERNEL_NAMES,
  'indexSelect',
  'indexAdd',
  'gather',
  'scatterAdd',
];

/** Kernels only host backends have: a packed weight computes on typed arrays synchronously. */
export const HOST_ONLY_KERNELS: readonly string[] = ['packLinear'];

/** The kernels of the backend table: every function of the JS reference (or of `backend`), sorted. */
export function kernelNames(backend: AnyBackend = jsBackend): string[] {
  return Object.keys(backend)
    .filter((key) => !NOT_KERNELS.has(key))
    .sort();
}
