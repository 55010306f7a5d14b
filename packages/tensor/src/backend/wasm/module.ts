import { applyDelta } from './delta.js';
import {
  MAX_MEMORY_PAGES,
  MEMORY_FLAG_OFFSET,
  PLAIN_WASM_DELTA,
  RELAXED_WASM_DELTA,
} from './kernels.generated.js';

/** Exports of the kernel module (see `asm/*.wat`). Pointers are byte addresses in the kernel memory. */
export interface KernelExports {
  /** Bytes of packing scratch one thread needs for {@link KernelExports.matmul_f32}. */
  matmul_scratch_bytes(): number;
  /** Claims and runs tasks of the open product job at `desc` as thread `tid` until none is left. */
  matmul_f32(desc: number, tid: number, nt: number): void;
  /**
   * Claims and runs one task of the open product job on the calling thread: its index, -1 when none
   * is left, -2 when the next one waits for pack tasks other threads run.
   */
  matmul_f32_task(desc: number): number;
  /** Byte address of the product job's shared words (counter, inputs ready, done, packs done). */
  matmul_job_byte(): number;
  /** Rows of B in one KC slice of the product (a pack task packs one slice of some columns). */
  matmul_kc(): number;
  /** In-place elementwise function `op` (a code of `UNARY_CODES`) over `n` floats at `p` (n % 16 == 0). */
  unary_f32(op: number, p: number, n: number): void;
  /** `out = op(a, b)` over a [rows, cols] grid (element strides; inner strides 0 or 1). */
  binary_f32(
    op: number,
    a: number,
    b: number,
    out: number,
    rows: number,
    cols: number,
    ars: number,
    brs: number,
    acs: number,
    bcs: number,
  ): void;
  /** Copies a strided view (sizes and element strides of 4 axes at `dims`) into contiguous `out`. */
  copy_f32(src: number, out: number, dims: number): void;
  copy_bytes(dst: number, src: number, bytes: number): void;
  zero_bytes(ptr: number, bytes: number): void;
  /** `out = c ? a : b` over a [rows, cols] grid; `c` bytes, strides in elements, inner strides 0 or 1. */
  where_f32(
    c: number,
    a: number,
    b: number,
    out: number,
    rows: number,
    cols: number,
    crs: number,
    ars: number,
    brs: number,
    ccs: number,
    acs: number,
    bcs: number,
  ): void;
  /** Reduces each row of a contiguous [outer, inner] block into `out`. */
  reduce_f32(op: number, x: number, out: number, outer: number, inner: number): void;
  /** In-place `dy *= f'(x)` over `n` floats (n % 16 == 0); op codes of `UNARY_GRAD_CODES`. */
  unary_backward_f32(op: number, x: number, dy: number, n: number): void;
  /** In-place softmax (log: log-softmax) of each row. */
  softmax_f32(p: number, rows: number, cols: number, log: number): void;
  /** Softmax backward from the output `y` (times `scale`, softmax only); dx overwrites `dy`. */
  softmax_backward_f32(y: number, dy: number, rows: number, cols: number, log: number, scale: number): void;
  /** Scaled, optionally causal softmax in place over `[batch·L, S]` scores. */
  attention_softmax_f32(p: number, batch: number, L: number, S: number, scale: number, causal: number): void;
  /** Bytes of work space the fused attention forward (backward = 0) or backward (1) needs. */
  attention_ws_bytes(L: number, S: number, E: number, Ev: number, backward: number): number;
  /**
   * Fused attention forward from the descriptor at `desc` (word layout in `asm/attention.wat`), as
   * thread `tid` of `nt`: a contiguous run of key/value heads.
   */
  attention_f32(desc: number, tid: number, nt: number): void;
  /** Fused attention backward from the descriptor at `desc`, as thread `tid` of `nt`: writes dq, dk, dv. */
  attention_backward_f32(desc: number, tid: number, nt: number): void;
  /**
   * Product with a packed weight from the descriptor at `desc` (word layout in `asm/linear-packed.wat`),
   * as thread `tid`: claims chunks of output columns until none is left.
   */
  linear_packed_f32(desc: number, tid: number, nt: number): void;
  /**
   * Packs `rows` float32 weight rows (k apart, at `src`) as the slivers of every KC slice, for a
   * weight of `n8` packed columns of which these start at column `r0` (layout in `asm/linear-packed.wat`).
   */
  pack_weight_rows(src: number, rows: number, k: number, dst: number, n8: number, r0: number): void;
  /**
   * Rounds `count` float32s at `src` to float16 (`dtype` 1) or bfloat16 (2) bits at `dst`, nearest with
   * ties to even, each group of 8 interleaved as the packed kernels read them.
   */
  round_to_half(src: number, dst: number, count: number, dtype: number): void;
  /** Layer/RMS norm in place over `x`; writes `mean` (unless rms) and `rstd`. */
  layer_norm_f32(
    x: number,
    w: number,
    b: number,
    mean: number,
    rstd: number,
    rows: number,
    cols: number,
    eps: number,
    rms: number,
  ): void;
  /** Layer/RMS norm backward; dx overwrites `dy`, `dw`/`db` are written. */
  layer_norm_backward_f32(
    dy: number,
    x: number,
    w: number,
    mean: number,
    rstd: number,
    dw: number,
    db: number,
    rows: number,
    cols: number,
    rms: number,
  ): void;
  /** Cross-entropy forward: per-row losses and log-sum-exp. */
  cross_entropy_f32(
    x: number,
    targets: number,
    losses: number,
    lse: number,
    rows: number,
    classes: number,
    ignore: number,
    smoothing: number,
  ): void;
  /** Cross-entropy backward; dlogits overwrite the logits. */
  cross_entropy_backward_f32(
    x: number,
    targets: number,
    lse: number,
    scale: number,
    rows: number,
    classes: number,
    ignore: number,
    smoothing: number,
  ): void;
  /** One AdamW step over `n` floats (n % 4 == 0), in place. */
  adamw_f32(
    p: number,
    g: number,
    m: number,
    v: number,
    n: number,
    beta1: number,
    beta2: number,
    eps: number,
    decay: number,
    stepSize: number,
    bc2: number,
  ): void;
}

/** A compiled kernel module and the memory flavour it was compiled for. */
export interface CompiledKernels {
  module: WebAssembly.Module;
  /** Uses relaxed-SIMD fused multiply-add. */
  relaxed: boolean;
  /** Imports a shared memory (threads possible). */
  shared: boolean;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

let plainBytes: Uint8Array<ArrayBuffer> | undefined;

/** The plain-SIMD kernels, rebuilt once; callers copy before patching. */
function plainKernels(): Uint8Array<ArrayBuffer> {
  plainBytes ??= applyDelta(new Uint8Array(0), decodeBase64(PLAIN_WASM_DELTA));
  return plainBytes;
}

/** The relaxed-SIMD kernels, rebuilt from the plain ones and the shipped edits. */
export function relaxedKernels(): Uint8Array<ArrayBuffer> {
  return applyDelta(plainKernels(), decodeBase64(RELAXED_WASM_DELTA));
}

const ZERO_V128 = [0xfd, 12, ...new Array<number>(16).fill(0)];
/**
 * `(func (result v128) (f32x4.relaxed_madd (v128.const 0) (v128.const 0) (v128.const 0)))`: a type,
 * a function and a code section whose one body is 59 bytes.
 */
export const RELAXED_PROBE = Uint8Array.of(
  ...[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0, 10, 61, 1, 59, 0],
  ...ZERO_V128,
  ...ZERO_V128,
  ...ZERO_V128,
  ...[0xfd, 0x85, 2, 0x0b],
);

/** True when this engine validates relaxed SIMD (checked on an 82-byte probe, not the kernels). */
export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(RELAXED_PROBE);
}

/** True when this engine runs WebAssembly with fixed-width SIMD (the plain kernels validate). */
export function wasmSimdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(plainKernels());
  } catch {
    return false;
  }
}

/**
 * Compiles the kernels: the relaxed-SIMD build where the engine supports relaxed SIMD (rebuilt only
 * there) and validates it, else the plain one; for an unshared memory the memory-import flag is
 * patched from shared to unshared.
 */
export function compileKernels(shared: boolean): CompiledKernels {
  const relaxedBytes = relaxedSimdSupported() ? relaxedKernels() : null;
  const relaxed = relaxedBytes !== null && WebAssembly.validate(relaxedBytes);
  const bytes = relaxed ? relaxedBytes : plainKernels().slice();
  if (!shared) bytes[relaxed ? MEMORY_FLAG_OFFSET.relaxed : MEMORY_FLAG_OFFSET.plain] = 1;
  return { module: new WebAssembly.Module(bytes), relaxed, shared };
}

/**
 * A memory for the kernels. Unshared by default: copies in and out of a shared memory are several
 * times slower in V8, so a shared one (which worker threads need, with a declared maximum) is made
 * only on request, and only where `SharedArrayBuffer` exists; smaller maxima are tried where a large
 * reservation fails (32-bit hosts). Returns null when a shared memory cannot be made.
 */
export function createMemory(initialPages: number, shared: boolean): WebAssembly.Memory | null {
  if (!shared) return new WebAssembly.Memory({ initial: initialPages, maximum: MAX_MEMORY_PAGES });
  if (typeof SharedArrayBuffer !== 'function') return null;
  for (const maximum of [MAX_MEMORY_PAGES, 16384, 4096]) {
    try {
      return new WebAssembly.Memory({ initial: initialPages, maximum, shared: true });
    } catch {
      // try a smaller reservation
    }
  }
  return null;
}

/** Instantiates `compiled` over `memory` (synchronously; the module is small). */
export function instantiate(compiled: CompiledKernels, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(compiled.module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}
