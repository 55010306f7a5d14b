/**
 * How a batched product is cut into the tasks threads claim (see asm/matmul-tasks.wat): groups of
 * whole matrices when the batch alone gives every thread several; blocks of columns of each matrix
 * when it has at most 4 rows (a matrix-vector product); else blocks of rows of each matrix, whose B
 * is then packed once by pack tasks that run first instead of once per row block.
 * Product tasks shrink as the work runs out (guided self-scheduling): large ones keep per-task costs
 * low, small last ones keep the threads finishing together and the caller's last copy-out short.
 */
export interface TaskPlan {
  /** Product tasks' spans, 6 per task: first and end matrix, row and column ({@link SPAN}). */
  spans: Int32Array;
  /** Product tasks. */
  products: number;
  /** Pack tasks (0: each product task packs its own B). */
  packs: number;
  /** 8-column B slivers one pack task packs (of one KC slice of B's rows). */
  sliversPerPack: number;
  /** Rows of B in a KC slice: each pack task packs one slice. */
  kc: number;
  /** Pack tasks per KC slice of a matrix. */
  packsPerSlice: number;
  /** Pack tasks per matrix (slices × per slice). */
  packsPerMatrix: number;
  /** Bytes of the packed B of every matrix (0 without pack tasks). */
  packedBytes: number;
}

/** Numbers per product task in {@link TaskPlan.spans}: b0, b1 (matrices), i0, i1 (rows), j0, j1 (columns). */
export const SPAN = 6;

/**
 * Tasks per thread to aim for at least: enough that a thread slowed by another process hands its
 * last tasks to the others.
 */
const TASKS_PER_THREAD = 6;
/** Smallest product task worth claiming, in multiply-adds (~20 µs). */
const MIN_TASK_MACS = 1 << 19;
/**
 * Packed B larger than this many bytes (half a typical L2) does not stay in cache between tasks:
 * every row block streams all of it again, so row blocks are then at least {@link BIG_B_ROWS} rows.
 */
const L2_HALF = 1 << 18;
/** Fewest rows per task when B is large (see {@link L2_HALF}). */
const BIG_B_ROWS = 64;
/** Smallest pack task, in B elements. */
const MIN_PACK = 1 << 15;
/** Most pack tasks (the task counter has 16 bits). */
const MAX_PACKS = 4096;

/**
 * Splits `batch` products `[m, k]·[k, n]` for `threads` threads (one task on one thread); `kc` is
 * the kernel's KC (rows of B per packed slice).
 */
export function planTasks(
  batch: number,
  m: number,
  n: number,
  k: number,
  threads: number,
  kc: number,
): TaskPlan {
  const none = { packs: 0, sliversPerPack: 1, kc, packsPerSlice: 0, packsPerMatrix: 0, packedBytes: 0 };
  if (threads <= 1) return { ...none, spans: Int32Array.of(0, batch, 0, m, 0, n), products: 1 };
  const want = Math.max(
    threads,
    Math.min(TASKS_PER_THREAD * threads, Math.floor((batch * m * n * k) / MIN_TASK_MACS)),
  );
  const spans: number[] = [];
  if (batch >= want) {
    const least = Math.max(1, Math.ceil(MIN_TASK_MACS / (m * n * k)));
    for (const [b0, b1] of guided(batch, threads, least, 1)) spans.push(b0, b1, 0, m, 0, n);
    return { ...none, spans: Int32Array.from(spans), products: spans.length / SPAN };
  }
  if (m <= 4) {
    // few rows: blocks of 8-column slivers, each task packing its own part of B
    const least = Math.max(8, Math.ceil(MIN_TASK_MACS / (m * k) / 8) * 8);
    for (let b = 0; b < batch; b++)
      for (const [j0, j1] of guided(n, Math.ceil(threads / batch), least, 8))
        spans.push(b, b + 1, 0, m, j0, j1);
    return { ...none, spans: Int32Array.from(spans), products: spans.length / SPAN };
  }
  const least = Math.max(4 * n * k > L2_HALF ? BIG_B_ROWS : 4, Math.ceil(MIN_TASK_MACS / (n * k) / 4) * 4);
  for (let b = 0; b < batch; b++)
    for (const [i0, i1] of guided(m, Math.ceil(threads / batch), least, 4))
      spans.push(b, b + 1, i0, i1, 0, n);
  const slivers = Math.ceil(n / 8);
  const slices = Math.ceil(k / kc);
  const group = Math.max(
    Math.ceil(MIN_PACK / (8 * Math.min(k, kc))),
    Math.ceil((batch * slices * slivers) / MAX_PACKS),
  );
  const packsPerSlice = Math.ceil(slivers / group);
  return {
    spans: Int32Array.from(spans),
    products: spans.length / SPAN,
    packs: batch * slices * packsPerSlice,
    sliversPerPack: group,
    kc,
    packsPerSlice,
    packsPerMatrix: slices * packsPerSlice,
    packedBytes: batch * slivers * 32 * k,
  };
}

/**
 * Cuts `[0, total)` into pieces of a multiple of `unit` (but the last), each about half of what is
 * left per thread and at least `least`: large first, small last.
 */
function guided(total: number, threads: number, least: number, unit: number): [number, number][] {
  const pieces: [number, number][] = [];
  for (let at = 0; at < total; ) {
    const size = Math.max(least, Math.ceil((total - at) / (2 * threads) / unit) * unit);
    pieces.push([at, Math.min(total, at + size)]);
    at += size;
  }
  return pieces;
}
