/// <reference types="node" />
/**
 * Node-only helpers of `@proj/tensor`: worker threads for the WASM backend through
 * `node:worker_threads`, Dawn's WebGPU, and relaxed SIMD on Node 20. Kept out of the main entry so it
 * stays free of `node:` imports.
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { registerBackend, setBackend } from '../backend/registry.js';
import { relaxedSimdSupported } from '../backend/wasm/module.js';
import { setCollectionRequest } from '../backend/wasm/runtime.js';
import { enableThreads as enableWith } from '../backend/wasm/threads.js';
import { requestNodeGPU } from '../backend/webgpu/dawn.js';
import { createWebGPUBackend, type WebGPUBackend } from '../backend/webgpu/index.js';

export { disableThreads, getNumThreads, setNumThreads } from '../backend/wasm/threads.js';
export { requestNodeGPU } from '../backend/webgpu/dawn.js';

/**
 * Node 20's V8 (11.3) implements WebAssembly relaxed SIMD but validates it only behind
 * `--experimental-wasm-relaxed-simd`; Node 22 and browsers ship it. Importing this entry turns the
 * flag on where the engine lacks it, so the WASM kernels compile their fused multiply-add build (about
 * 15% off a training step) on Node 20 too. The kernels compile on the first op, so this must run
 * before it: an `import` of this entry does. `wasmStats().relaxedSimd` says which build runs.
 */
function enableRelaxedSimd(): void {
  if (!relaxedSimdSupported()) setFlagsFromString('--experimental-wasm-relaxed-simd');
}
enableRelaxedSimd();

/**
 * The WASM backend keeps float32 tensors in its memory and gets a tensor's block back once a full
 * garbage collection has found its array dead. A training step allocates tens of MB there but only a
 * few MB of JS objects, so V8 would seldom collect in full; importing this entry lets the backend ask
 * for one (V8's `gc`, taken from a fresh context so no global changes) each time its tensors have
 * grown by 64 MiB. A full collection of a small JS heap takes about a millisecond.
 */
function enableCollectionRequests(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  if (typeof gc === 'function') setCollectionRequest(gc);
}
enableCollectionRequests();

/**
 * Starts `threads - 1` worker threads (default: one per core) so large float32 matrix products run
 * on `threads` cores, and resolves with the thread count in use (1 where WebAssembly SIMD is
 * unavailable). Ops stay synchronous; workers are unref'd, so they never keep the process alive.
 * @example
 * import { enableThreads } from '@proj/tensor/node';
 * await enableThreads(2); // matmul now splits across 2 threads
 */
export function enableThreads(threads: number = availableParallelism()): Promise<number> {
  return enableWith(threads, {
    spawn: (source, init) => {
      const worker = new Worker(source, { eval: true, workerData: init });
      worker.unref();
      return worker;
    },
  });
}

/**
 * Builds the WebGPU backend on this machine's GPU (Dawn through `webgpu`), registers it and makes it
 * the active backend: tensors created from now on live in GPU memory.
 * @throws Error when the `webgpu` package is not installed or finds no adapter (the message says which).
 * @example
 * const backend = await enableWebGPU();
 * console.log(backend.adapterName);
 */
export async function enableWebGPU(): Promise<WebGPUBackend> {
  const gpu = await requestNodeGPU();
  if (!gpu)
    throw new Error('enableWebGPU: the optional `webgpu` package is not installed (npm install webgpu)');
  const backend = await createWebGPUBackend({ gpu });
  registerBackend(backend);
  setBackend(backend.name);
  return backend;
}
