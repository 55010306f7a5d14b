/**
 * How a batched product is cut into the tasks threads claim (see asm/matmul-tasks.wat): whole
 * matrices when the batch alone gives every thread several, else row blocks of each matrix, whose B
 * is then packed once by pack tasks that run first instead of once per row block.
 */
export interface TaskPlan {
  /** Consecutive matrices of one product task. */
  batchesPerTask: number;
  /** Rows of one product task (all `m` when tasks are whole matrices). */
  rowsPerTask: number;
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
  /** Product tasks. */
  products: number;
  /** Bytes of the packed B of every matrix (0 without pack tasks). */
  packedBytes: number;
}

/**
 * Tasks per thread to aim for: enough that a thread slowed by another process (2 cores shared with
 * the rest of the machine) hands its last tasks to the others, few enough that per-task work (each
 * task packs its rows of A; the caller copies each task's rows out) stays small.
 */
const TASKS_PER_THREAD = 6;
/** Smallest product task worth claiming, in multiply-adds (a few microseconds). */
const MIN_TASK_MACS = 1 << 17;
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
  const macs = batch * m * n * k;
  const want =
    threads <= 1
      ? 1
      : Math.max(threads, Math.min(TASKS_PER_THREAD * threads, Math.floor(macs / MIN_TASK_MACS)));
  if (batch >= want || m <= 4) {
    const per = Math.max(1, Math.floor(batch / want));
    const products = Math.ceil(batch / per);
    return {
      batchesPerTask: per,
      rowsPerTask: m,
      packs: 0,
      sliversPerPack: 1,
      kc,
      packsPerSlice: 0,
      packsPerMatrix: 0,
      products,
      packedBytes: 0,
    };
  }
  const blocks = Math.min(Math.ceil(want / batch), Math.ceil(m / 4));
  const rows = Math.ceil(m / blocks / 4) * 4;
  const slivers = Math.ceil(n / 8);
  const slices = Math.ceil(k / kc);
  const group = Math.max(
    Math.ceil(MIN_PACK / (8 * Math.min(k, kc))),
    Math.ceil((batch * slices * slivers) / MAX_PACKS),
  );
  const packsPerSlice = Math.ceil(slivers / group);
  return {
    batchesPerTask: 1,
    rowsPerTask: rows,
    packs: batch * slices * packsPerSlice,
    sliversPerPack: group,
    kc,
    packsPerSlice,
    packsPerMatrix: slices * packsPerSlice,
    products: batch * Math.ceil(m / rows),
    packedBytes: batch * slivers * 32 * k,
  };
}
