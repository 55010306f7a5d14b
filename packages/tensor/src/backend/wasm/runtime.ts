import { BlockAllocator } from './block-allocator.js';
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
 * Bytes the blocks may reach: 2 GiB, so every address is a positive int32 (the kernels' pointers)
 * and `ptr >> 2` indexes the memory's Float32Array.
 */
const MAX_BLOCK_END = 2 ** 31;
/** Most bytes tensors' storage may hold in a shared memory; beyond it new tensors get ordinary arrays. */
const MAX_RESIDENT_BYTES = 2 ** 30;
/**
 * Growth of tensors' storage in the memory after which the runtime asks for a full garbage
 * collection (see {@link setCollectionRequest}): blocks return only when one finds their arrays
 * dead, and a JS heap of a few MB rarely has one. Until some block has returned, tensors may grow
 * this much more in the memory; beyond that new ones get ordinary arrays (a synchronous stretch of
 * work, where the returning callbacks cannot run, then keeps the memory bounded).
 */
const COLLECT_AFTER_BYTES = 64 * 2 ** 20;
/** Shortest float32 storage kept in the kernel memory: smaller arrays cost more to track than to copy. */
export const MIN_RESIDENT_FLOATS = 256;

/**
 * A kernel instance and its memory. The memory's blocks ({@link BlockAllocator}) hold the per-call
 * operand arena (per-thread scratch first), packed weights, and, in a shared memory, the storage of
 * float32 tensors ({@link WasmRuntime.allocFloat32}): kernels read and write those where they lie and
 * copy only other arrays through the arena. A shared memory grows in place, so views of it stay valid;
 * an unshared one detaches its views when it grows, so it holds no tensors.
 */
export class WasmRuntime {
  readonly memory: WebAssembly.Memory;
  readonly compiled: CompiledKernels;
  readonly kernels: KernelExports;
  /** Threads a parallel kernel may use (the caller plus ready workers, at most). */
  threads = 1;
  /**
   * Threads the last parallel kernel (a matrix product, a fused attention) ran on, kept on the
   * runtime every kernel starts from; for tests and diagnostics.
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
  /** The memory's blocks above the fixed layout: the arena, packed weights, tensors' storage. */
  readonly blocks: BlockAllocator;
  private readonly scratchPerThread: number;
  private arenaPtr = -1;
  private arenaBytes = 0;
  /** The memory's buffers seen so far (a shared memory's `buffer` is a new object after each growth). */
  private readonly ownBuffers = new WeakSet<ArrayBufferLike>();
  /** Block size of each array {@link WasmRuntime.allocFloat32} made. */
  private readonly owners = new WeakMap<ArrayBufferView, number>();
  /** Frees a tensor's block once the garbage collector has taken its array. */
  private readonly collected = new FinalizationRegistry<number>((ptr) => this.freeResident(ptr));
  private residentTotal = 0;
  /** Resident bytes when a collection was last asked for (or none was needed yet). */
  private collectedAt = 0;
  /** Whether a collection was asked for and no block has returned since. */
  private awaitingReturns = false;
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
    this.blocks = new BlockAllocator(memory, SCRATCH_BYTE, MAX_BLOCK_END);
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

  /** Per-thread scratch of the last {@link WasmRuntime.arena}: base address and bytes per thread. */
  scratch(): [number, number] {
    return [this.arenaPtr, this.scratchPerThread];
  }

  /**
   * Lays out blocks of the given byte sizes (64-byte aligned) after the scratch area of `threads`
   * threads in the arena, which moves to a larger block of the memory when it is too small; returns
   * their addresses (valid until the next call), or null when too large.
   */
  arena(sizes: readonly number[], threads: number): number[] | null {
    const scratchBytes = threads * this.scratchPerThread;
    let top = scratchBytes;
    const offsets = sizes.map((size) => {
      const at = top;
      top = align(top + size, 64);
      return at;
    });
    if (top > MAX_ARENA_BYTES) return null;
    if (top > this.arenaBytes) {
      if (this.arenaPtr >= 0) this.blocks.free(this.arenaPtr);
      // At least a quarter more than before, so a slowly rising need does not move it on every call.
      this.arenaPtr = this.blocks.alloc(Math.max(top, Math.ceil(this.arenaBytes * 1.25)));
      if (this.arenaPtr < 0) this.arenaPtr = this.blocks.alloc(top);
      this.arenaBytes = this.arenaPtr < 0 ? 0 : this.blocks.sizeOf(this.arenaPtr);
      if (this.arenaPtr < 0) return null;
    }
    return offsets.map((at) => this.arenaPtr + at);
  }

  /**
   * A zeroed float32 array of `length` elements in this memory, whose block returns to the memory
   * when the garbage collector takes the array; null where tensors do not live here (an unshared
   * memory, an array under {@link MIN_RESIDENT_FLOATS}, the resident budget spent, the memory full).
   * Views made from it (`subarray`) must not outlive it.
   */
  allocFloat32(length: number): Float32Array | null {
    if (!this.shared || length < MIN_RESIDENT_FLOATS || this.residentTotal + 4 * length > MAX_RESIDENT_BYTES)
      return null;
    if (this.residentTotal > this.collectedAt + COLLECT_AFTER_BYTES) {
      if (this.awaitingReturns) return null;
      this.collectedAt = this.residentTotal;
      this.awaitingReturns = true;
      requestCollection?.();
    }
    const ptr = this.blocks.alloc(4 * length);
    if (ptr < 0) return null;
    const size = this.blocks.sizeOf(ptr);
    if (this.blocks.lastReused) this.kernels.zero_bytes(ptr, size);
    this.residentTotal += size;
    const array = new Float32Array(this.f32.buffer, ptr, length);
    this.owners.set(array, size);
    this.collected.register(array, ptr);
    return array;
  }

  /** Zeroes `array` when it is a view of this memory (at memset speed); false otherwise. */
  zeroFloat32(array: Float32Array): boolean {
    const at = this.addressOf(array);
    if (at >= 0) this.kernels.zero_bytes(at, array.byteLength);
    return at >= 0;
  }

  /** Bytes of tensors' storage in this memory (blocks whose arrays the collector has not taken yet). */
  get residentBytes(): number {
    return this.residentTotal;
  }

  /** Byte address of `array`'s first element when it is a view of this memory, else -1. */
  addressOf(array: ArrayBufferView): number {
    return this.ownBuffers.has(array.buffer) ? array.byteOffset : -1;
  }

  /**
   * Byte address of element `lo` of `array` when it is a view of this memory and `bytes` bytes from
   * there, and one 16-float step more (vector loads may run past a row's end), lie in the memory: what
   * a kernel reads in place. Else -1.
   */
  readAddress(array: Float32Array | Int32Array | Uint8Array, lo: number, bytes: number): number {
    const at = this.addressOf(array);
    const ptr = at + array.BYTES_PER_ELEMENT * lo;
    return at >= 0 && ptr + bytes + 64 <= this.memory.buffer.byteLength ? ptr : -1;
  }

  /**
   * Bytes a kernel may write from `array`'s first element in place: its block's size for an array
   * {@link WasmRuntime.allocFloat32} made (vector kernels round lengths up), else 0.
   */
  writableBytes(array: ArrayBufferView): number {
    return this.owners.get(array) ?? 0;
  }

  private freeResident(ptr: number): void {
    this.residentTotal -= this.blocks.sizeOf(ptr);
    this.collectedAt = Math.min(this.collectedAt, this.residentTotal);
    this.awaitingReturns = false;
    this.blocks.free(ptr);
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
    this.ownBuffers.add(buffer);
    this.f32View = new Float32Array(buffer);
    this.i32View = new Int32Array(buffer);
    this.u8View = new Uint8Array(buffer);
  }
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

let runtime: WasmRuntime | null | undefined;
let requestCollection: (() => void) | null = null;

/**
 * Sets how the runtime asks for a full garbage collection when tensors' storage in its memory has
 * grown by 64 MiB since the last time (blocks return to the memory once a collection finds their
 * arrays dead; the callbacks that return them run between tasks). `@proj/tensor/node` passes V8's
 * `gc`; elsewhere the engine's own collections return them, later, and until they do new tensors
 * get ordinary arrays. Null stops asking.
 */
export function setCollectionRequest(request: (() => void) | null): void {
  requestCollection = request;
}

/**
 * The process-wide runtime, created on first use: over a shared memory where `SharedArrayBuffer`
 * exists, so float32 tensors live in it (no copies in and out of kernels) and worker threads can join
 * it; else over an unshared memory that kernels copy operands through. Null where WebAssembly SIMD is
 * unavailable.
 */
export function getRuntime(): WasmRuntime | null {
  if (runtime === undefined) runtime = tryRuntime(true) ?? tryRuntime(false);
  return runtime;
}

/** The runtime when its memory is shared (worker threads can join it); null otherwise. */
export function getThreadRuntime(): WasmRuntime | null {
  const rt = getRuntime();
  return rt?.shared ? rt : null;
}

/** Stops the runtime's workers; kernels run on the calling thread (the memory and its tensors stay). */
export function stopThreads(): void {
  runtime?.stopWorkers();
  if (runtime) runtime.threads = 1;
}

function tryRuntime(shared: boolean): WasmRuntime | null {
  try {
    return new WasmRuntime(shared);
  } catch {
    return null;
  }
}
