import { halfRangeError, type WeightDType } from '../../half-precision.js';
import type { PackedLinearKernel, PackLinearArgs } from '../backend.js';
import { AWAKE_SPLIT_MACS, WAKE_SPLIT_MACS } from './matmul.js';
import { getRuntime, type WasmRuntime } from './runtime.js';

/** Descriptor words of `linear_packed_f32` (see asm/linear-packed.wat). */
const DESC_WORDS = 12;
/** Most 8-column slivers per claimed chunk: a half-precision chunk is widened into KC·NC floats of scratch. */
const MAX_CHUNK = 64;
/** Chunks per thread to aim for, so a thread slowed by another process hands its last ones on. */
const CHUNKS_PER_THREAD = 4;
const DTYPE_CODES = { float32: 0, float16: 1, bfloat16: 2 } as const;

/**
 * {@link Backend.packLinear} on the WASM kernels: the weight goes into a block of the kernel memory
 * where products run (the threads' shared memory once `enableThreads` has made it, so they split
 * across threads; else the unshared one), as the pre-packed B of the matmul kernel (B = Wᵀ in
 * 8-column slivers per 256-row slice; see asm/linear-packed.wat), in float32 or as 16-bit patterns,
 * the bias after it. Products then copy only x in and y out. Null when the memory cannot hold it.
 */
export function wasmPackLinear(args: PackLinearArgs): PackedLinearKernel | null {
  const { weight, bias, n, k, dtype } = args;
  const rt = getRuntime();
  if (!rt) return null;
  if (dtype !== 'float32') checkHalfRange('packLinear', weight, dtype, k);
  const esize = dtype === 'float32' ? 4 : 2;
  const weightBytes = Math.ceil((Math.ceil(n / 8) * 8 * k * esize) / 64) * 64;
  const block = rt.blocks.alloc(weightBytes + 4 * n);
  if (block < 0) return null;
  if (!packInto(rt, block, weight, n, k, dtype)) {
    rt.blocks.free(block);
    return null;
  }
  if (bias) rt.f32.set(bias, (block + weightBytes) >> 2);
  return new WasmPackedLinear(rt, block, n, k, DTYPE_CODES[dtype], bias ? weightBytes : -1);
}

/** Rows of the weight packed per kernel call (a few hundred KB of arena for a GPT-2 width). */
const PACK_ROWS = 256;

/**
 * Packs `weight` `[n, k]` into `block` a few hundred rows at a time: the rows are copied into the
 * arena and laid out as slivers by the kernel's B packing (4×4 transposes); 16-bit weights are
 * packed in float32 first, then rounded into the block by the kernel (each step's values
 * interleaved). False when the arena cannot grow.
 */
function packInto(
  rt: WasmRuntime,
  block: number,
  weight: Float32Array,
  n: number,
  k: number,
  dtype: WeightDType,
): boolean {
  const n8 = Math.ceil(n / 8) * 8;
  const kc = rt.kernels.matmul_kc();
  for (let r0 = 0; r0 < n; r0 += PACK_ROWS) {
    const rows = Math.min(PACK_ROWS, n - r0);
    const rows8 = Math.ceil(rows / 8) * 8;
    const ptrs = rt.arena([4 * rows * k, dtype === 'float32' ? 0 : 4 * rows8 * k], 1);
    if (!ptrs) return false;
    const [src, staged] = ptrs as [number, number];
    rt.f32.set(weight.subarray(r0 * k, (r0 + rows) * k), src >> 2);
    if (dtype === 'float32') {
      rt.kernels.pack_weight_rows(src, rows, k, block, n8, r0);
      continue;
    }
    rt.kernels.pack_weight_rows(src, rows, k, staged, rows8, 0);
    for (let pc = 0; pc < k; pc += kc) {
      const depth = Math.min(kc, k - pc);
      const to = block + 2 * (pc * n8 + r0 * depth);
      rt.kernels.round_to_half(staged + 4 * pc * rows8, to, rows8 * depth, DTYPE_CODES[dtype]);
    }
  }
  return true;
}

/** The smallest float32 that rounds to bfloat16's Infinity (0x7f7f8000: a tie, to the even Infinity). */
const BFLOAT16_OVERFLOW = 3.3961775292304718e38;

/**
 * @throws RangeError naming the first element of `weight` `[n, k]` a 16-bit `dtype` cannot hold: not
 * finite, or at least the smallest value that rounds to Infinity (65520 for float16).
 */
function checkHalfRange(op: string, weight: Float32Array, dtype: 'float16' | 'bfloat16', k: number): void {
  const limit = dtype === 'float16' ? 65520 : BFLOAT16_OVERFLOW;
  for (let i = 0; i < weight.length; i++)
    if (!(Math.abs(weight[i]!) < limit)) throw halfRangeError(op, weight, i, k, dtype);
}

/** A weight in a block of a runtime's memory and the products with it. */
class WasmPackedLinear implements PackedLinearKernel {
  /** Byte address of the packed weight's block; -1 once released. */
  private block: number;

  constructor(
    private readonly rt: WasmRuntime,
    block: number,
    private readonly n: number,
    private readonly k: number,
    private readonly dtypeCode: number,
    /** Byte offset of the bias in the block; -1 without one. */
    private readonly biasAt: number,
  ) {
    this.block = block;
  }

  get bytes(): number {
    return this.block < 0 ? 0 : this.rt.blocks.sizeOf(this.block);
  }

  apply(x: Float32Array, m: number, out: Float32Array): void {
    const { rt, n, k } = this;
    const block = this.block;
    if (block < 0) throw new Error('packedLinear: the packed weight was released');
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
    const bias = this.biasAt < 0 ? 0 : block + this.biasAt;
    rt.i32.set(
      [xPtr, m, n, k, block, this.dtypeCode, bias, outPtr, chunk, 0, scratch, scratchStride],
      desc >> 2,
    );
    const ran = rt.parallel('linear_packed_f32', desc, threads, macs >= WAKE_SPLIT_MACS);
    rt.lastThreads = ran;
    out.set(rt.f32.subarray(outPtr >> 2, (outPtr >> 2) + m * n));
  }

  release(): void {
    if (this.block >= 0) this.rt.blocks.free(this.block);
    this.block = -1;
  }
}
