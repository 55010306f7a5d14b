import { getThreadRuntime, stopThreads } from './runtime.js';
import { type SpawnWorker, ThreadPool } from './thread-pool.js';

/** Options of {@link enableThreads}. */
export interface EnableThreadsOptions {
  /**
   * How to start a worker. Defaults to a Web Worker on a Blob URL where `Worker` exists (browsers,
   * Deno, Bun); Node passes `worker_threads` through `enableThreads` of `@proj/tensor/node`.
   */
  spawn?: SpawnWorker;
  /** Give up waiting for workers to start after this long (default 10 000 ms). */
  timeoutMs?: number;
}

/**
 * Starts worker threads for the WASM backend so large matrix products are split across cores, and
 * resolves with the number of threads that will be used (the caller's thread included). Tensor ops
 * stay synchronous: the calling thread takes tasks of a product too and returns once all are done.
 * The workers instantiate the kernels over the backend's shared memory, where float32 tensors live.
 *
 * Degrades to 1 where threads are unavailable: no WebAssembly SIMD, no `SharedArrayBuffer` (a page
 * without cross-origin isolation), or no way to start a worker. In Node use `enableThreads` from
 * `@proj/tensor/node`. Calling it again with a larger count adds workers.
 * @example await enableThreads(4); // browsers; in Node: import { enableThreads } from '@proj/tensor/node'
 */
export async function enableThreads(threads?: number, options: EnableThreadsOptions = {}): Promise<number> {
  const spawn = options.spawn ?? webWorkerSpawn();
  const count = Math.max(1, Math.floor(threads ?? defaultThreads()));
  if (!spawn || count === 1) return 1;
  const rt = getThreadRuntime();
  if (!rt) return 1;
  const pool = (rt.pool ??= new ThreadPool(rt.memory, rt.compiled.module));
  pool.grow(spawn, count - 1);
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (pool.readyCount() < Math.min(count - 1, pool.size) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 1));
  rt.threads = count;
  return rt.effectiveThreads();
}

/**
 * Sets how many threads (the caller's included) large kernels may use, up to the workers started by
 * {@link enableThreads}; `1` turns threading off without stopping the workers.
 * @throws RangeError unless `threads` is a positive integer.
 */
export function setNumThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1)
    throw new RangeError(`setNumThreads: expected a positive integer, got ${threads}`);
  const rt = getThreadRuntime();
  if (rt) rt.threads = threads;
}

/** Threads the WASM backend uses for large kernels now (1 without started workers). */
export function getNumThreads(): number {
  return getThreadRuntime()?.effectiveThreads() ?? 1;
}

/**
 * Stops the worker threads started by {@link enableThreads}; kernels run on the caller's thread (the
 * memory and the tensors in it stay).
 */
export function disableThreads(): void {
  stopThreads();
}

function defaultThreads(): number {
  return (typeof navigator === 'object' && navigator.hardwareConcurrency) || 1;
}

let blobUrl: string | undefined;

function webWorkerSpawn(): SpawnWorker | undefined {
  if (typeof Worker !== 'function' || typeof Blob !== 'function' || typeof URL.createObjectURL !== 'function')
    return undefined;
  return (source, init) => {
    blobUrl ??= URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const worker = new Worker(blobUrl);
    worker.postMessage(init);
    return worker;
  };
}
