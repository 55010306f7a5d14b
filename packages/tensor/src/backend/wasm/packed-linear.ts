import { toHalfBits } from '../../half-precision.js';
import type { PackedLinearKernel, PackLinearArgs } from '../backend.js';
import type { HeapBlock } from './kernel-heap.js';
import { AWAKE_SPLIT_MACS, WAKE_SPLIT_MACS } from './matmul.js';
import { getRuntime, getThreadRuntime, type WasmRuntime } from './runtime.js';

/** Descriptor words of `linear_packed_f32` (see asm/linear-packed.wat). */
const DESC_WORDS = 12;
/** Most 8-column slivers per claimed chunk: a half-precision chunk is widened into KC·NC floats of scratch. */
const MAX_CHUNK = 64;
/** Chunks per thread to aim for, so a thread slowed by another process hands its last ones on. */
const CHUNKS_PER_THREAD = 4;
const DTYPE_CODES = { float32: 0, float16: 1, bfloat16: 2 } as const;

/**
 * {@link Backend.packLinear} on the WASM kernels: the weight goes into the heap of the kernel memory
 * where products run (the threads' shared memory once `enableThreads` has made it, so they split
 * across threads; else the unshared one), as the pre-packed B of the matmul kernel (B = Wᵀ in
 * 8-column slivers per 256-row slice; see asm/linear-packed.wat), in float32 or as 16-bit patterns,
 * the bias after it. Products then copy only x in and y out. Null when the memory cannot hold it.
 */
export function wasmPackLinear(args: PackLinearArgs): PackedLinearKernel | null {
  const { weight, bias, n, k, dtype } = args;
  const rt = getThreadRuntime() ?? getRuntime();
  if (!rt) return null;
  const half = dtype === 'float32' ? null : toHalfBits('packLinear', weight, dtype, k);
  const esize = half ? 2 : 4;
  const n8 = Math.ceil(n / 8) * 8;
  const weightBytes = Math.ceil((n8 * k * esize) / 64) * 64;
  const block = rt.heap.alloc(weightBytes + 4 * n);
  if (!block) return null;
  const count = n8 * k;
  const packed = half
    ? new Uint16Array(rt.memory.buffer, block.ptr, count)
    : new Float32Array(rt.memory.buffer, block.ptr, count);
  packSlivers(half ?? weight, packed, n, k, rt.kernels.matmul_kc());
  if (bias) rt.f32.set(bias, (block.ptr + weightBytes) >> 2);
  const kernel = new WasmPackedLinear(rt, block, n, k, DTYPE_CODES[dtype], bias ? weightBytes : -1);
  return kernel;
}

/** Where column c of a step goes: float32 in order, 16-bit values as 0 4 1 5 2 6 3 7 (see the kernel). */
const ORDER_F32 = [0, 1, 2, 3, 4, 5, 6, 7];
const ORDER_HALF = [0, 2, 4, 6, 1, 3, 5, 7];

/**
 * Writes `w` `[n, k]` (row-major) as slivers: for each `kc`-row slice of the k axis, for each group of
 * 8 rows of w (columns of wᵀ), the 8 values of each k step side by side (16-bit ones interleaved);
 * rows past n are zeros.
 */
function packSlivers(
  w: Float32Array | Uint16Array,
  out: Float32Array | Uint16Array,
  n: number,
  k: number,
  kc: number,
): void {
  const n8 = Math.ceil(n / 8) * 8;
  const order = w instanceof Uint16Array ? ORDER_HALF : ORDER_F32;
  for (let pc = 0; pc < k; pc += kc) {
    const depth = Math.min(kc, k - pc);
    for (let s = 0; s < n8 / 8; s++) {
      const base = pc * n8 + s * depth * 8;
      for (let c = 0; c < 8; c++) {
        const at = base + order[c]!;
        const from = (s * 8 + c) * k + pc;
        if (s * 8 + c < n) for (let p = 0; p < depth; p++) out[at + p * 8] = w[from + p]!;
        else for (let p = 0; p < depth; p++) out[at + p * 8] = 0;
      }
    }
  }
}

/** A weight in a runtime's heap and the products with it. */
class WasmPackedLinear implements PackedLinearKernel {
  private block: HeapBlock | null;

  constructor(
    private readonly rt: WasmRuntime,
    block: HeapBlock,
    private readonly n: number,
    private readonly k: number,
    private readonly dtypeCode: number,
    /** Byte offset of the bias in the block; -1 without one. */
    private readonly biasAt: number,
  ) {
    this.block = block;
  }

  get bytes(): number {
    return this.block?.bytes ?? 0;
  }

  apply(x: Float32Array, m: number, out: Float32Array): void {
    const { rt, n, k } = this;
    const block = this.block;
    if (!block) throw new Error('packedLinear: the packed weight was released');
    if (rt !== getRuntime() && rt !== getThreadRuntime())
      throw new Error(
        'packedLinear: the weight was packed in the memory of the worker threads, which disableThreads() released; pack it again',
      );
    if (m === 0) return;
    const macs = m * n * k;
    const threads = rt.pool && macs >= AWAKE_SPLIT_MACS ? rt.threads : 1;
    const slivers = Math.ceil(n / 8);
    const chunk = Math.min(MAX_CHUNK, Math.max(1, Math.ceil(slivers / (CHUNKS_PER_THREAD * threads))));
    const ptrs = rt.arena([4 * m * k, 4 * m * n, 4 * DESC_WORDS], threads);
    if (!ptrs) throw new Error(`packedLinear: a product of ${m} rows does not fit the kernel memory`);
    const [xPtr, outPtr, desc] = ptrs as [number, number, number];
    rt.f32.set(x.subarray(0, m * k), xPtr >> 2);
    const [scratch, scratchStride] = rt.scratch();
    const bias = this.biasAt < 0 ? 0 : block.ptr + this.biasAt;
    rt.i32.set(
      [xPtr, m, n, k, block.ptr, this.dtypeCode, bias, outPtr, chunk, 0, scratch, scratchStride],
      desc >> 2,
    );
    const ran = rt.parallel('linear_packed_f32', desc, threads, macs >= WAKE_SPLIT_MACS);
    const primary = getRuntime();
    if (primary) primary.lastThreads = ran;
    out.set(rt.f32.subarray(outPtr >> 2, (outPtr >> 2) + m * n));
  }

  release(): void {
    if (this.block) this.rt.heap.free(this.block);
    this.block = null;
  }
}
