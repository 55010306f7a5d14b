import type { MatmulArgs } from '../backend.js';
import { overlaps } from './kernel-operands.js';
import { type Region, runProductJob } from './matmul-job.js';
import { planTasks } from './matmul-plan.js';
import type { WasmRuntime } from './runtime.js';

/**
 * Products from this many multiply-adds (~10 µs on one thread) are offered to workers that are
 * awake (polling after a recent job): they join within a microsecond.
 */
export const AWAKE_SPLIT_MACS = 1 << 18;
/**
 * Products from this many multiply-adds (~50 µs) also wake sleeping workers: a wake costs the caller
 * a system call and the worker 25-50 µs in a VM, during which the caller works alone.
 */
export const WAKE_SPLIT_MACS = 1 << 20;

/** A matrix operand as the kernel reads it: element (i, p) of batch t at `offsets[t] + i*rs + p*cs`. */
interface Placed {
  data: Float32Array;
  offsets: Int32Array;
  rs: number;
  cs: number;
  /** Storage range [lo, hi) copied into the kernel memory. */
  lo: number;
  hi: number;
}

/**
 * Float32 batched matmul on the WASM kernels. Returns false (nothing done) for other dtypes or
 * problems too large for the kernel memory, so the caller falls back to the JS kernel.
 */
export function wasmMatmul(rt: WasmRuntime, args: MatmulArgs): boolean {
  const { a, b, out, k } = args;
  if (!(a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array)) return false;
  let { batch, m } = args;
  const n = args.n;
  if (batch === 0 || m === 0 || n === 0) return true;
  if (k === 0) {
    out.fill(0, 0, batch * m * n);
    return true;
  }
  let aOffsets = args.aOffsets;
  let bOffsets = args.bOffsets;
  if (batch > 1 && foldsIntoRows(args)) {
    // One B for every batch and A's batches stacked row after row: a single [batch*m, k] product.
    m *= batch;
    batch = 1;
    aOffsets = aOffsets.subarray(0, 1);
    bOffsets = bOffsets.subarray(0, 1);
  }
  const A = place(a, aOffsets, m, k, args.aRowStride, args.aColStride);
  const B = place(b, bOffsets, k, n, args.bRowStride, args.bColStride);
  // Views of one storage (q and k of a fused qkv projection, x and x): copy it once.
  const shared =
    A.data === B.data && Math.max(A.hi, B.hi) - Math.min(A.lo, B.lo) <= A.hi - A.lo + B.hi - B.lo;
  if (shared) {
    A.lo = B.lo = Math.min(A.lo, B.lo);
    A.hi = B.hi = Math.max(A.hi, B.hi);
  }
  const macs = batch * m * n * k;
  // Workers exist only over a shared memory (where the tensors live too).
  const workers = macs >= AWAKE_SPLIT_MACS ? rt.helpers(rt.threads, macs >= WAKE_SPLIT_MACS) : [];
  const threads = workers.length > 0 ? Math.max(...workers) + 2 : 1;
  const plan = planTasks(batch, m, n, k, workers.length + 1, rt.kernels.matmul_kc());
  const tasks = plan.packs + plan.products;
  // Operands that live in the memory are read where they lie, and C written there when `out` can take it.
  const aAt = rt.readAddress(A.data, A.lo, 4 * (A.hi - A.lo));
  const bAt = shared ? aAt : rt.readAddress(B.data, B.lo, 4 * (B.hi - B.lo));
  const cBytes = 4 * batch * m * n;
  let cAt = rt.writableBytes(out) >= cBytes ? rt.addressOf(out) : -1;
  if (
    (aAt >= 0 && overlaps(aAt, 4 * (A.hi - A.lo), cAt, cBytes)) ||
    (bAt >= 0 && overlaps(bAt, 4 * (B.hi - B.lo), cAt, cBytes))
  )
    cAt = -1;
  const ptrs = rt.arena(
    [
      4 * batch,
      4 * batch,
      aAt >= 0 ? 0 : 4 * (A.hi - A.lo),
      shared || bAt >= 0 ? 0 : 4 * (B.hi - B.lo),
      cAt >= 0 ? 0 : cBytes,
      plan.packedBytes,
      4 * tasks,
      4 * plan.spans.length,
    ],
    threads,
  );
  if (!ptrs) return false;
  const [aOff, bOff, aOwn, bOwn, cOwn, packed, done, spans] = ptrs as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const cPtr = cAt >= 0 ? cAt : cOwn;
  const aRegion = region(A, aAt, aOwn);
  const bRegion = shared ? aRegion : region(B, bAt, bOwn);
  const i32 = rt.i32;
  for (let t = 0; t < batch; t++) {
    i32[(aOff >> 2) + t] = A.offsets[t]! - A.lo;
    i32[(bOff >> 2) + t] = B.offsets[t]! - B.lo;
  }
  const [scratch, scratchStride] = rt.scratch();
  const desc = rt.desc;
  i32.set(
    [
      aRegion.ptr,
      bRegion.ptr,
      cPtr,
      batch,
      m,
      n,
      k,
      aOff,
      bOff,
      A.rs,
      A.cs,
      B.rs,
      B.cs,
      scratch,
      scratchStride,
      spans,
      plan.packs,
      plan.sliversPerPack,
      plan.packs > 0 ? packed : 0,
      tasks,
      threads,
      done,
    ],
    desc >> 2,
  );
  i32.set(plan.spans, spans >> 2);
  rt.lastThreads = runProductJob(rt, {
    desc,
    a: { region: aRegion, offsets: A.offsets, rs: A.rs, cs: A.cs },
    b: { region: bRegion, offsets: B.offsets, rs: B.rs, cs: B.cs },
    batch,
    m,
    n,
    k,
    plan,
    cPtr,
    out: cAt >= 0 ? null : out,
    done,
    workers,
  });
  return true;
}

/** The storage range of `p`: in place at `at` when that is an address (nothing to copy), else copied to `own`. */
function region(p: Placed, at: number, own: number): Region {
  return at >= 0
    ? { data: p.data, lo: p.lo, hi: p.hi, ptr: at, copied: p.hi }
    : { data: p.data, lo: p.lo, hi: p.hi, ptr: own, copied: p.lo };
}

/** True when every batch shares B and A's batches are consecutive row blocks of one matrix. */
function foldsIntoRows(args: MatmulArgs): boolean {
  const { aOffsets, bOffsets, batch, m, aRowStride } = args;
  const a0 = aOffsets[0]!;
  const b0 = bOffsets[0]!;
  for (let t = 1; t < batch; t++) {
    if (bOffsets[t] !== b0 || aOffsets[t] !== a0 + t * m * aRowStride) return false;
  }
  return true;
}

/**
 * Chooses what to copy into the kernel memory: the storage range the views span when it is at most
 * about 4 times the matrices themselves (a memcpy beats an element-wise gather up to several times
 * the data; transposed, broadcast and interleaved views such as the heads of a fused qkv projection
 * are then read in place), else a contiguous gather of each matrix.
 */
function place(
  data: Float32Array,
  offsets: Int32Array,
  rows: number,
  cols: number,
  rs: number,
  cs: number,
): Placed {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const o of offsets) {
    lo = Math.min(lo, o);
    hi = Math.max(hi, o);
  }
  lo += Math.min(0, (rows - 1) * rs) + Math.min(0, (cols - 1) * cs);
  hi += Math.max(0, (rows - 1) * rs) + Math.max(0, (cols - 1) * cs) + 1;
  const size = rows * cols;
  if (hi - lo <= 4 * offsets.length * size + 4096) return { data, offsets, rs, cs, lo, hi };
  const packed = new Float32Array(offsets.length * size);
  offsets.forEach((o, t) => {
    for (let i = 0; i < rows; i++) {
      const dst = t * size + i * cols;
      const src = o + i * rs;
      if (cs === 1) packed.set(data.subarray(src, src + cols), dst);
      else for (let p = 0; p < cols; p++) packed[dst + p] = data[src + p * cs]!;
    }
  });
  const contiguous = Int32Array.from(offsets, (_, t) => t * size);
  return { data: packed, offsets: contiguous, rs: cols, cs: 1, lo: 0, hi: packed.length };
}
