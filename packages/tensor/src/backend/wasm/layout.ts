/**
 * Fixed layout of the kernel memory (byte addresses). The low 64 KiB hold the thread-control words
 * and kernel descriptors; per-thread packing scratch follows, then the per-call operand arena.
 */

/** Start of the Int32 thread-control block. */
export const CTRL_BYTE = 256;
/** Words of the control block. */
export const CTRL_WORDS = 320;
/** Control word: workers that finished the current job. */
export const W_DONE = 0;
/** Control word: index into {@link PARALLEL_KERNELS} of the current job. */
export const W_KERNEL = 1;
/** Control word: descriptor address of the current job. */
export const W_DESC = 2;
/** Control word: threads taking part in the current job. */
export const W_NT = 3;
/** Control word: set by a worker whose kernel threw. */
export const W_ERROR = 4;
/** Control word: the live pool's epoch; a worker whose epoch differs exits. */
export const W_EPOCH = 5;
/**
 * Control word: number of the latest job. A worker runs a job only while this still equals the job
 * number in its slot word, so a worker that wakes after its job ended never runs the next one.
 */
export const W_JOB = 6;
/** First per-worker slot word: the number of the last job offered to worker i, which waits on it. */
export const W_SLOT = 16;
/** First per-worker thread-id word (the `tid` worker i runs as in the current job). */
export const W_TID = 96;
/** First per-worker ready word (the worker's epoch once it has instantiated the kernels). */
export const W_READY = 176;
/** First per-worker sleeping word: 1 while the worker sleeps in `Atomics.wait` (then it needs a notify). */
export const W_SLEEP = 256;
/** Most worker threads a pool can hold. */
export const MAX_WORKERS = 64;

/**
 * Milliseconds a worker keeps polling for the next job before it sleeps: waking a sleeping thread
 * costs tens of microseconds (more in a VM), longer than many products take to split, and products
 * come in bursts. Polling longer wastes time slices when other processes load every core.
 */
export const WORKER_SPIN_MS = 0.5;

/** Milliseconds the calling thread polls for the workers to finish before it sleeps. */
export const CALLER_SPIN_MS = 0.1;

/** Start of the kernel descriptors (one job's parameters as i32/f32 words). */
export const DESC_BYTE = 2048;
/** Start of the per-thread scratch area. */
export const SCRATCH_BYTE = 65536;

/** Exported kernels that worker threads can run, by index (`W_KERNEL`). */
export const PARALLEL_KERNELS = [
  'matmul_f32',
  'attention_f32',
  'attention_backward_f32',
  'linear_packed_f32',
] as const;

/** Name of a kernel the thread pool can split across threads. */
export type ParallelKernel = (typeof PARALLEL_KERNELS)[number];
