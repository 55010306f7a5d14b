import {
  CALLER_SPIN_MS,
  CTRL_BYTE,
  CTRL_WORDS,
  MAX_WORKERS,
  PARALLEL_KERNELS,
  W_DESC,
  W_DONE,
  W_EPOCH,
  W_ERROR,
  W_JOB,
  W_KERNEL,
  W_NT,
  W_READY,
  W_SLEEP,
  W_SLOT,
  W_TID,
} from './layout.js';
import { WORKER_SOURCE, type WorkerInit } from './worker-source.js';

/** A started worker, as far as the pool needs it. */
export interface WorkerHandle {
  terminate(): unknown;
}

/**
 * Starts one worker that evaluates `source` (a classic script) and hands it `init`: Node's
 * `new Worker(source, { eval: true, workerData: init })`, or a browser Worker on a Blob URL that is
 * posted `init` as its first message.
 */
export type SpawnWorker = (source: string, init: WorkerInit) => WorkerHandle;

let epochs = 0;

/**
 * Worker threads sharing the kernel memory. A job is a kernel export run as `kernel(desc, tid, nt)` by
 * the calling thread (tid 0) and ready workers, either split statically ({@link ThreadPool.run}: the
 * caller blocks until all are done, so the tensor API stays synchronous) or as a pool of tasks the
 * kernel claims itself ({@link ThreadPool.offer}: the caller tracks the tasks and never waits for a
 * worker that has not woken up). Between jobs workers poll, then sleep, on their own slot word.
 */
export class ThreadPool {
  private readonly workers: WorkerHandle[] = [];
  private readonly ctrl: Int32Array;
  private readonly epoch: number;
  /** Whether this thread may sleep in `Atomics.wait` (not a browser's main thread). */
  readonly canBlock: boolean;
  private job: number;

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly module: WebAssembly.Module,
  ) {
    this.ctrl = new Int32Array(memory.buffer, CTRL_BYTE, CTRL_WORDS);
    this.epoch = ++epochs;
    Atomics.store(this.ctrl, W_EPOCH, this.epoch);
    this.job = Atomics.load(this.ctrl, W_JOB);
    this.canBlock = mainThreadCanBlock(this.ctrl);
  }

  /** Workers started (ready or not). */
  get size(): number {
    return this.workers.length;
  }

  /** Starts workers until the pool holds `count` (at most {@link MAX_WORKERS}). */
  grow(spawn: SpawnWorker, count: number): void {
    for (let index = this.workers.length; index < Math.min(count, MAX_WORKERS); index++) {
      Atomics.store(this.ctrl, W_READY + index, 0);
      Atomics.store(this.ctrl, W_SLOT + index, 0); // below every job number this pool hands out
      const init: WorkerInit = {
        module: this.module,
        memory: this.memory,
        ctrl: CTRL_BYTE,
        index,
        epoch: this.epoch,
        kernels: PARALLEL_KERNELS,
      };
      this.workers.push(spawn(WORKER_SOURCE, init));
    }
  }

  /** Workers that have instantiated the kernels and wait for jobs. */
  readyCount(): number {
    return this.helpers(this.workers.length, true).length;
  }

  /**
   * Indices of up to `max` ready workers, lowest first; with `sleeping` false only those awake now
   * (polling for a job), which start on a job within a microsecond instead of tens.
   */
  helpers(max: number, sleeping: boolean): number[] {
    const found: number[] = [];
    for (let i = 0; i < this.workers.length && found.length < max; i++)
      if (
        Atomics.load(this.ctrl, W_READY + i) === this.epoch &&
        (sleeping || Atomics.load(this.ctrl, W_SLEEP + i) === 0)
      )
        found.push(i);
    return found;
  }

  /**
   * Runs `kernel` on `threads` threads (fewer when fewer workers are ready; with `wake` false only
   * those polling now): `own(tid = 0, nt)` here, the other shares on workers; returns the thread count
   * used once every share is done.
   * @throws Error when a worker's share threw.
   */
  run(
    kernel: number,
    desc: number,
    threads: number,
    own: (tid: number, nt: number) => void,
    wake = true,
  ): number {
    const ctrl = this.ctrl;
    const helpers = this.helpers(threads - 1, wake);
    const nt = helpers.length + 1;
    if (nt === 1) {
      own(0, 1);
      return 1;
    }
    const job = this.open(kernel, desc, nt);
    Atomics.store(ctrl, W_DONE, 0);
    helpers.forEach((worker, j) => this.call(worker, j + 1, job));
    try {
      own(0, nt);
    } finally {
      this.waitDone(helpers.length);
    }
    if (this.failed()) throw new Error('wasm backend: a worker thread failed');
    return nt;
  }

  /**
   * Offers a job of self-claimed tasks to `workers` (indices from {@link ThreadPool.helpers}), each
   * running `kernel(desc, index + 1, 0)`, and returns at once: the kernel and the caller coordinate
   * through the job's own words, and a worker that wakes after the job ended claims nothing.
   */
  offer(kernel: number, desc: number, workers: readonly number[]): void {
    const job = this.open(kernel, desc, 0);
    for (const worker of workers) this.call(worker, worker + 1, job);
  }

  /** Whether a worker's share of the current job threw. */
  failed(): boolean {
    return Atomics.load(this.ctrl, W_ERROR) !== 0;
  }

  /** Stops every worker; the pool is unusable afterwards. */
  terminate(): void {
    Atomics.store(this.ctrl, W_EPOCH, 0);
    for (let i = 0; i < this.workers.length; i++) {
      Atomics.store(this.ctrl, W_READY + i, 0);
      Atomics.add(this.ctrl, W_SLOT + i, 1);
      Atomics.notify(this.ctrl, W_SLOT + i);
    }
    for (const worker of this.workers) worker.terminate();
    this.workers.length = 0;
  }

  /** Starts job number `W_JOB + 1`: its number first, so workers still reading the last one skip it. */
  private open(kernel: number, desc: number, nt: number): number {
    const ctrl = this.ctrl;
    this.job = (this.job + 1) | 0 || 1;
    Atomics.store(ctrl, W_JOB, this.job);
    Atomics.store(ctrl, W_ERROR, 0);
    Atomics.store(ctrl, W_KERNEL, kernel);
    Atomics.store(ctrl, W_DESC, desc);
    Atomics.store(ctrl, W_NT, nt);
    return this.job;
  }

  /** Hands job number `job` to `worker` as thread `tid`, waking it if it sleeps. */
  private call(worker: number, tid: number, job: number): void {
    const ctrl = this.ctrl;
    Atomics.store(ctrl, W_TID + worker, tid);
    Atomics.store(ctrl, W_SLOT + worker, job);
    // The worker sets its sleeping word before it waits on its slot: either it sees the new slot
    // and does not sleep, or this load sees it asleep.
    if (Atomics.load(ctrl, W_SLEEP + worker) !== 0) Atomics.notify(ctrl, W_SLOT + worker);
  }

  /** Polls until `count` workers are done, sleeping in `Atomics.wait` after a while where allowed. */
  private waitDone(count: number): void {
    const ctrl = this.ctrl;
    const since = performance.now();
    for (let spin = 1; ; spin++) {
      const done = Atomics.load(ctrl, W_DONE);
      if (done >= count) return;
      if (this.canBlock && (spin & 1023) === 0 && performance.now() - since > CALLER_SPIN_MS)
        Atomics.wait(ctrl, W_DONE, done, 1);
    }
  }
}

/** Browsers forbid `Atomics.wait` on the main thread; there the caller spins instead. */
function mainThreadCanBlock(ctrl: Int32Array): boolean {
  try {
    Atomics.wait(ctrl, W_DONE, Atomics.load(ctrl, W_DONE) + 1, 0);
    return true;
  } catch {
    return false;
  }
}
