import { KernelHeap } from './kernel-heap.js';
import { DESC_BYTE, PARALLEL_KERNELS, type ParallelKernel, SCRATCH_BYTE } from './layout.js';
import {
  type CompiledKernels,
  compileKernels,
  createMemory,
  instantiate,
  type KernelExports,
} from './module.js';
import type { ThreadPool } from './thread-pool.js';

/** Largest operand arena a call may use; bigger problems go to the JS kernels. */
const MAX_ARENA_BYTES = 1.5 * 2 ** 30;

/**
 * A kernel instance and its memory. The memory is scratch space: each call copies its operands
 * into the arena, runs the kernels and copies the result out, so no tensor ever aliases it (no
 * use-after-free is reachable). The memory grows to the largest call seen and is then reused. Above
 * the arena, the {@link KernelHeap} holds what outlives a call (packed weights).
 */
export class WasmRuntime {
  readonly memory: WebAssembly.Memory;
  readonly compiled: CompiledKernels;
  readonly kernels: KernelExports;
  /** Threads a parallel kernel may use (the caller plus ready workers, at most). */
  threads = 1;
  /**
   * Threads the last parallel kernel (a matrix product, a fused attention) ran on, kept on the
   * unshared runtime; for tests and diagnostics.
   */
  lastThreads = 0;
  /**
   * Whether the calling thread takes tasks of a job it offered to workers. Tests turn it off to make
   * the workers run every task; otherwise the caller works too, taking whatever the workers have not.
   */
  callerTakesTasks = true;
  /**
   * Worker threads over this runtime's memory, set by `enableThreads` when the memory is shared.
   * Only a type here, so a bundle that never starts threads leaves out the pool and the worker script.
   */
  pool: ThreadPool | null = null;
  /** Long-lived blocks above the arena (packed weights). */
  readonly heap: KernelHeap;
  private readonly scratchPerThread: number;
  private buffer: ArrayBufferLike | null = null;
  private f32View = new Float32Array(0);
  private i32View = new Int32Array(0);
  private u8View = new Uint8Array(0);

  /** @throws Error when a shared memory is requested but unavailable. */
  constructor(shared: boolean) {
    const memory = createMemory(32, shared);
    if (!memory) throw new Error('wasm backend: shared WebAssembly memory is unavailable');
    this.memory = memory;
    this.compiled = compileKernels(shared);
    this.kernels = instantiate(this.compiled, memory);
    this.scratchPerThread = align(this.kernels.matmul_scratch_bytes(), 64);
    this.heap = new KernelHeap(memory);
  }

  /** Whether worker threads can join (the memory is shared). */
  get shared(): boolean {
    return this.compiled.shared;
  }

  /** Threads the next parallel call will use. */
  effectiveThreads(): number {
    return this.pool ? Math.min(this.threads, this.pool.readyCount() + 1) : 1;
  }

  /** Stops all workers. */
  stopWorkers(): void {
    this.pool?.terminate();
    this.pool = null;
  }

  /** Byte address of the job descriptor block. */
  get desc(): number {
    return DESC_BYTE;
  }

  /** Per-thread scratch: base address and bytes per thread. */
  scratch(): [number, number] {
    return [SCRATCH_BYTE, this.scratchPerThread];
  }

  /**
   * Lays out blocks of the given byte sizes (64-byte aligned) after the scratch area of `threads`
   * threads, growing the memory (and moving the heap up) when needed; returns their addresses, or
   * null when too large.
   */
  arena(sizes: readonly number[], threads: number): number[] | null {
    let top = SCRATCH_BYTE + threads * this.scratchPerThread;
    const ptrs = sizes.map((size) => {
      const ptr = top;
      top = align(top + size, 64);
      return ptr;
    });
    if (top - SCRATCH_BYTE > MAX_ARENA_BYTES || !this.heap.reserveBelow(top)) return null;
    return ptrs;
  }

  /** A Float32Array over the whole memory (refreshed after growth). */
  get f32(): Float32Array {
    this.refresh();
    return this.f32View;
  }

  /** An Int32Array over the whole memory (refreshed after growth). */
  get i32(): Int32Array {
    this.refresh();
    return this.i32View;
  }

  /** A Uint8Array over the whole memory (refreshed after growth). */
  get u8(): Uint8Array {
    this.refresh();
    return this.u8View;
  }

  /** Copies `src` into the memory at byte address `ptr`. */
  put(ptr: number, src: Float32Array | Int32Array): void {
    if (src instanceof Float32Array) this.f32.set(src, ptr >> 2);
    else this.i32.set(src, ptr >> 2);
  }

  /** Copies `out.length` floats at byte address `ptr` into `out`. */
  get(ptr: number, out: Float32Array): void {
    out.set(this.f32.subarray(ptr >> 2, (ptr >> 2) + out.length));
  }

  /**
   * Ready workers that may join the next job of self-claimed tasks (see {@link WasmRuntime.offer}):
   * up to `threads - 1` of them, only those awake now unless `wake` is set.
   */
  helpers(threads: number, wake: boolean): number[] {
    return this.pool && threads > 1 ? this.pool.helpers(threads - 1, wake) : [];
  }

  /**
   * Offers `kernel(desc, worker + 1, 0)` to `workers` (from {@link WasmRuntime.helpers}) and returns
   * at once; the kernel claims its tasks itself and the caller tracks them.
   */
  offer(kernel: ParallelKernel, desc: number, workers: readonly number[]): void {
    if (this.pool && workers.length > 0) this.pool.offer(PARALLEL_KERNELS.indexOf(kernel), desc, workers);
  }

  /** Whether a worker's share of the current job threw. */
  workerFailed(): boolean {
    return this.pool?.failed() ?? false;
  }

  /** Whether this thread may sleep in `Atomics.wait` while workers finish. */
  get canBlock(): boolean {
    return this.pool?.canBlock ?? false;
  }

  /**
   * Runs `kernel(desc, tid, nt)` on `threads` threads (fewer when fewer workers are ready; with `wake`
   * false only workers polling now, which join within a microsecond), each taking its share; returns
   * the thread count used.
   * @throws Error when a worker's share threw.
   */
  parallel(kernel: ParallelKernel, desc: number, threads: number, wake = true): number {
    const fn = this.kernels[kernel];
    if (!this.pool || threads <= 1) {
      fn(desc, 0, 1);
      return 1;
    }
    return this.pool.run(
      PARALLEL_KERNELS.indexOf(kernel),
      desc,
      threads,
      (tid, nt) => fn(desc, tid, nt),
      wake,
    );
  }

  private refresh(): void {
    const buffer = this.memory.buffer;
    if (buffer === this.buffer && this.f32View.byteLength === buffer.byteLength) return;
    this.buffer = buffer;
    this.f32View = new Float32Array(buffer);
    this.i32View = new Int32Array(buffer);
    this.u8View = new Uint8Array(buffer);
  }
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

let runtime: WasmRuntime | null | undefined;
let threadRuntime: WasmRuntime | null = null;

/**
 * The process-wide runtime over an unshared memory, created on first use; null where WebAssembly
 * SIMD is unavailable. Every kernel runs here except products split across threads: V8 copies
 * between JS arrays and a shared memory about half as fast, so the shared one is used only where
 * threads pay for it.
 */
export function getRuntime(): WasmRuntime | null {
  if (runtime === undefined) {
    try {
      runtime = new WasmRuntime(false);
    } catch {
      runtime = null;
    }
  }
  return runtime;
}

/**
 * The runtime over a shared memory that worker threads join (products split across threads run
 * there), created when `create` is set and there is none; null where shared memory is unavailable.
 */
export function getThreadRuntime(create = false): WasmRuntime | null {
  if (threadRuntime || !create || !getRuntime()) return threadRuntime;
  try {
    threadRuntime = new WasmRuntime(true);
  } catch {
    return null;
  }
  return threadRuntime;
}

/** Stops the thread runtime's workers and lets its memory go. */
export function dropThreadRuntime(): void {
  threadRuntime?.stopWorkers();
  threadRuntime = null;
}
