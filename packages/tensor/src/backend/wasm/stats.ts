import { getRuntime } from './runtime.js';

/** What the WASM backend holds and did last: see {@link wasmStats}. */
export interface WasmStats {
  /**
   * Bytes of WebAssembly memory reserved: the kernels' arena, packed weights and, in a shared memory,
   * float32 tensors. It grows to the most these held at once and never shrinks (freed blocks are
   * reused), so over a training run it should stop growing after the first steps.
   */
  memoryBytes: number;
  /**
   * Whether the memory is shared: float32 tensors then live in it (kernels read and write them in
   * place) and worker threads can join it. False where `SharedArrayBuffer` is unavailable.
   */
  shared: boolean;
  /** Bytes of float32 tensors' storage in the memory (blocks the garbage collector has not returned yet). */
  residentBytes: number;
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
  return {
    memoryBytes: rt.memory.buffer.byteLength,
    shared: rt.shared,
    residentBytes: rt.residentBytes,
    relaxedSimd: rt.compiled.relaxed,
    threads: rt.effectiveThreads(),
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
