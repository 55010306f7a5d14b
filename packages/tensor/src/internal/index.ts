/**
 * Internals for the packages built on `@proj/tensor` (autograd, nn, train), for tests and for
 * benchmarks: typed-array storage and its reuse, the active backend's kernel table, and the CPU
 * backend objects. Not for applications: these change without a major version, and nothing here is
 * needed to use tensors or to write a backend (that is the main entry).
 */
export { jsBackend } from '../backend/js/index.js';
export { backendOf, getBackend, operandStorage } from '../backend/registry.js';
export { wasmBackend } from '../backend/wasm/index.js';
export { allocStorage } from '../dtype.js';
export { assignSlice } from '../ops/assign-slice.js';
export {
  type AllocationScope,
  type AllocationScopeOptions,
  beginAllocationScope,
  type StorageReuseStats,
  storageReuseStats,
} from '../storage-reuse.js';
