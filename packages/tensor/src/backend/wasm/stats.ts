import { getRuntime, getThreadRuntime } from './runtime.js';

/** What the WASM backend holds and did last: see {@link wasmStats}. */
export interface WasmStats {
  /**
   * Bytes of WebAssembly memory reserved: the unshared memory every kernel uses plus, once threads
   * are enabled, the shared one of products split across threads. Each is scratch space that grows
   * to the largest call seen and never shrinks, so over a training run the sum should stop changing
   * after the first step.
   */
  memoryBytes: number;
  /** Whether a memory shared with worker threads exists (it does once threads have been enabled). */
  shared: boolean;
  /**
   * Whether the kernels use relaxed-SIMD fused multiply-add (engines that validate it: Chrome 114+,
   * Node 22+, Node 20 with `--experimental-wasm-relaxed-simd`) rather than a multiply and an add,
   * which rounds float32 products differently in the last bit.
   */
  relaxedSimd: boolean;
  /** Threads the next large kernel will use (the caller's included). */
  threads: number;
  /** Threads that took part in the last matrix product; 0 before the first. */
  lastThreads: number;
  /**
   * Why `enableThreads` cannot start workers in this environment, or null when it can. For a page
   * without cross-origin isolation this says which response headers to add.
   */
  threadsUnavailable: string | null;
}

/**
 * Diagnostics of the WASM backend, for leak checks and for seeing whether threads are in use; null
 * where WebAssembly SIMD is unavailable (the `js` backend is the default there). Reading them
 * instantiates the kernels if nothing has yet.
 * @example
 * import { wasmStats } from '@proj/tensor';
 * const s = wasmStats();
 * if (s?.threadsUnavailable) console.warn(s.threadsUnavailable); // e.g. a page without COOP/COEP
 * console.log(`${(s?.memoryBytes ?? 0) / 2 ** 20} MiB reserved, last product on ${s?.lastThreads} threads`);
 */
export function wasmStats(): WasmStats | null {
  const rt = getRuntime();
  if (!rt) return null;
  const threaded = getThreadRuntime();
  return {
    memoryBytes: rt.memory.buffer.byteLength + (threaded?.memory.buffer.byteLength ?? 0),
    shared: threaded !== null,
    relaxedSimd: rt.compiled.relaxed,
    threads: threaded?.effectiveThreads() ?? 1,
    lastThreads: rt.lastThreads,
    threadsUnavailable: threadsUnavailable(),
  };
}

function threadsUnavailable(): string | null {
  const g = globalThis as { crossOriginIsolated?: boolean };
  if (typeof SharedArrayBuffer !== 'function' || g.crossOriginIsolated === false)
    return (
      'SharedArrayBuffer is unavailable: the page is not cross-origin isolated (serve it with ' +
      "'Cross-Origin-Opener-Policy: same-origin' and 'Cross-Origin-Embedder-Policy: require-corp')"
    );
  if (typeof Worker !== 'function' && !isNode())
    return 'this environment has no Worker: pass a spawn function to enableThreads';
  return null;
}

/** Node has no global `Worker`; its threads come from `enableThreads` of `@proj/tensor/node`. */
function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}
