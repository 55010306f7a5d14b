import { CALLER_SPIN_MS } from './layout.js';
import { SPAN, type TaskPlan } from './matmul-plan.js';
import type { WasmRuntime } from './runtime.js';

/**
 * Floats copied into the kernel memory at a time while workers may already be running tasks: large
 * enough that each copy call moves a useful amount, small enough that the first task starts early.
 */
const COPY_CHUNK = 1 << 13;

/** A storage range `[lo, hi)` of `data`, copied to byte address `ptr` in increasing order. */
export interface Region {
  data: Float32Array;
  lo: number;
  hi: number;
  ptr: number;
  /** Storage index up to which the range is copied. */
  copied: number;
}

/** A matrix operand in a region: element (i, p) of batch t at storage index `offsets[t] + i*rs + p*cs`. */
export interface Operand {
  region: Region;
  offsets: Int32Array;
  rs: number;
  cs: number;
}

/** A product laid out in the kernel memory, its descriptor written, ready to run. */
export interface ProductJob {
  desc: number;
  /** A: `[m, k]` per batch. */
  a: Operand;
  /** B: `[k, n]` per batch. */
  b: Operand;
  batch: number;
  m: number;
  n: number;
  k: number;
  plan: TaskPlan;
  /** Byte address of C (`[batch, m, n]`) in the kernel memory. */
  cPtr: number;
  /** Where C's rows are copied as tasks finish; null when C is written in place (`cPtr` is the output's own storage). */
  out: Float32Array | null;
  /** Byte address of the per-task done flags. */
  done: number;
  /** Workers offered the job (from `rt.helpers`); none to run it on this thread alone. */
  workers: readonly number[];
}

let generation = 0;

/**
 * Runs a product job and returns the number of threads that ran its tasks. With workers, this thread
 * offers the job first, then copies the operands in task by task (publishing how many tasks have
 * their inputs in place, so workers start on the first while the rest is copied), takes tasks
 * itself, and copies each finished task's rows out while the others still run: the copies, which
 * only this thread can make, overlap the workers' arithmetic.
 * @throws Error when a worker's task threw (the workers are stopped; later products run here).
 */
export function runProductJob(rt: WasmRuntime, job: ProductJob): number {
  const { desc, plan, workers } = job;
  const kernels = rt.kernels;
  const i32 = rt.i32;
  const word = kernels.matmul_job_byte() >> 2;
  const tasks = plan.packs + plan.products;
  const doneAt = job.done >> 2;
  i32.fill(0, doneAt, doneAt + tasks);
  Atomics.store(i32, word + 16, 0); // tasks whose inputs are in place
  Atomics.store(i32, word + 32, 0); // tasks done
  Atomics.store(i32, word + 48, 0); // pack tasks done
  generation = (generation % 0x7fff) + 1;
  Atomics.store(i32, word, generation << 16); // opens the job: task counter 0
  if (workers.length === 0) {
    copyIn(rt.f32, job.a.region, job.a.region.hi);
    copyIn(rt.f32, job.b.region, job.b.region.hi);
    Atomics.store(i32, word + 16, tasks);
    kernels.matmul_f32(desc, 0, 1);
    Atomics.store(i32, word, 0);
    const c = job.cPtr >> 2;
    job.out?.set(rt.f32.subarray(c, c + job.batch * job.m * job.n));
    return 1;
  }
  rt.offer('matmul_f32', desc, workers);
  for (let t = 0; t < tasks; t++) {
    copyInputs(rt.f32, job, t);
    Atomics.store(i32, word + 16, t + 1);
    Atomics.notify(i32, word + 16); // a worker may nap waiting for these inputs
  }
  const out = new Outflow(rt, job, Math.max(...workers) + 2);
  let claiming = rt.callerTakesTasks;
  let idleSince = performance.now();
  let seen = 0;
  for (let spin = 0; ; spin++) {
    if (claiming) {
      const t = kernels.matmul_f32_task(desc);
      if (t >= 0) {
        out.flush();
        idleSince = performance.now();
        continue;
      }
      claiming = t === -2;
    }
    const done = Atomics.load(i32, word + 32);
    if (out.flush()) break;
    if (done !== seen) {
      // Tasks keep finishing: keep polling (sleeping would make each worker's notify a wake-up).
      seen = done;
      idleSince = performance.now();
    }
    if (rt.workerFailed()) {
      // Other workers may still be writing this job's memory: retire them and that memory for good.
      Atomics.store(i32, word, 0);
      rt.stopWorkers();
      throw new Error('wasm backend: a worker thread failed; threads are stopped');
    }
    // After a while without progress (a descheduled worker), sleep until a task finishes.
    if (rt.canBlock && (spin & 63) === 63 && performance.now() - idleSince > CALLER_SPIN_MS)
      Atomics.wait(i32, word + 32, done, 1);
  }
  Atomics.store(i32, word, 0); // closes the job: a worker waking now claims nothing
  return out.threads();
}

/** Copies `region` up to storage index `need` (and on to a whole chunk, when there is more). */
function copyIn(f32: Float32Array, region: Region, need: number): void {
  const from = region.copied;
  if (from >= need) return;
  const to = Math.min(region.hi, Math.max(need, from + COPY_CHUNK));
  f32.set(region.data.subarray(from, to), (region.ptr >> 2) + from - region.lo);
  region.copied = to;
}

/** Largest of `i * stride` over `i` in `[i0, i1)`. */
function reach(i0: number, i1: number, stride: number): number {
  return Math.max(i0 * stride, (i1 - 1) * stride);
}

/** Copies the operands in as far as task `t` reads them. */
function copyInputs(f32: Float32Array, job: ProductJob, t: number): void {
  const { a, b, plan, n, k } = job;
  if (t < plan.packs) {
    const bi = Math.floor(t / plan.packsPerMatrix);
    const slice = Math.floor((t % plan.packsPerMatrix) / plan.packsPerSlice);
    const c0 = (t % plan.packsPerSlice) * plan.sliversPerPack * 8;
    const c1 = Math.min(n, c0 + plan.sliversPerPack * 8);
    const p0 = slice * plan.kc;
    const p1 = Math.min(k, p0 + plan.kc);
    copyIn(f32, b.region, b.offsets[bi]! + reach(p0, p1, b.rs) + reach(c0, c1, b.cs) + 1);
    return;
  }
  const [b0, b1, i0, i1, j0, j1] = productSpan(plan, t - plan.packs);
  let aNeed = 0;
  let bNeed = 0;
  for (let bi = b0; bi < b1; bi++) {
    aNeed = Math.max(aNeed, a.offsets[bi]! + reach(i0, i1, a.rs) + reach(0, k, a.cs) + 1);
    if (plan.packs === 0)
      bNeed = Math.max(bNeed, b.offsets[bi]! + reach(0, k, b.rs) + reach(j0, j1, b.cs) + 1);
  }
  copyIn(f32, a.region, aNeed);
  copyIn(f32, b.region, bNeed);
}

/** Batches `[b0, b1)`, rows `[i0, i1)` and columns `[j0, j1)` of product task `q`. */
function productSpan(plan: TaskPlan, q: number): [number, number, number, number, number, number] {
  const s = plan.spans;
  const at = SPAN * q;
  return [s[at]!, s[at + 1]!, s[at + 2]!, s[at + 3]!, s[at + 4]!, s[at + 5]!];
}

/** Copies finished tasks' rows of C out, in whatever order the tasks finish. */
class Outflow {
  private readonly taken: Uint8Array;
  private readonly ran: Uint8Array;
  private first = 0;

  constructor(
    private readonly rt: WasmRuntime,
    private readonly job: ProductJob,
    threads: number,
  ) {
    this.taken = new Uint8Array(job.plan.packs + job.plan.products);
    this.ran = new Uint8Array(threads);
  }

  /** Copies out every task finished since the last call; true once all are. */
  flush(): boolean {
    const { plan, m, n, out } = this.job;
    const i32 = this.rt.i32;
    const done = this.job.done >> 2;
    const c = this.job.cPtr >> 2;
    const tasks = this.taken.length;
    let f32: Float32Array | null = null;
    for (let t = this.first; t < tasks; t++) {
      if (this.taken[t]) continue;
      const by = Atomics.load(i32, done + t);
      if (by === 0) continue;
      this.taken[t] = 1;
      this.ran[by - 1] = 1;
      if (t < plan.packs || !out) continue;
      const [b0, b1, i0, i1, j0, j1] = productSpan(plan, t - plan.packs);
      f32 ??= this.rt.f32;
      if (j1 - j0 === n) {
        const from = b0 * m * n + i0 * n;
        const to = (b1 - 1) * m * n + i1 * n;
        out.set(f32.subarray(c + from, c + to), from);
      } else {
        // a block of columns: its part of each row
        for (let bi = b0; bi < b1; bi++)
          for (let i = i0; i < i1; i++) {
            const row = bi * m * n + i * n;
            out.set(f32.subarray(c + row + j0, c + row + j1), row + j0);
          }
      }
    }
    while (this.first < tasks && this.taken[this.first]) this.first++;
    return this.first === tasks;
  }

  /** Threads that ran at least one task. */
  threads(): number {
    return this.ran.reduce((sum, x) => sum + x, 0);
  }
}
