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
  W_KERNEL,
  W_NT,
  W_READY,
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
 * the calling thread (tid 0) and `nt - 1` ready workers; the caller blocks until all are done, so the
 * tensor API stays synchronous. Between jobs workers poll, then sleep, on their own slot word.
 */
export class ThreadPool {
  private readonly workers: WorkerHandle[] = [];
  private readonly ctrl: Int32Array;
  private readonly epoch: number;
  private readonly canBlock: boolean;

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly module: WebAssembly.Module,
  ) {
    this.ctrl = new Int32Array(memory.buffer, CTRL_BYTE, CTRL_WORDS);
    this.epoch = ++epochs;
    Atomics.store(this.ctrl, W_EPOCH, this.epoch);
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
    let ready = 0;
    for (let i = 0; i < this.workers.length; i++)
      if (Atomics.load(this.ctrl, W_READY + i) === this.epoch) ready++;
    return ready;
  }

  /**
   * Runs `kernel` on `threads` threads (fewer when fewer workers are ready): `own(tid = 0, nt)` here,
   * the other shares on workers; returns the thread count used once every share is done.
   * @throws Error when a worker's share threw.
   */
  run(kernel: number, desc: number, threads: number, own: (tid: number, nt: number) => void): number {
    const ctrl = this.ctrl;
    const helpers: number[] = [];
    for (let i = 0; i < this.workers.length && helpers.length < threads - 1; i++)
      if (Atomics.load(ctrl, W_READY + i) === this.epoch) helpers.push(i);
    const nt = helpers.length + 1;
    if (nt === 1) {
      own(0, 1);
      return 1;
    }
    Atomics.store(ctrl, W_DONE, 0);
    Atomics.store(ctrl, W_ERROR, 0);
    Atomics.store(ctrl, W_KERNEL, kernel);
    Atomics.store(ctrl, W_DESC, desc);
    Atomics.store(ctrl, W_NT, nt);
    helpers.forEach((worker, j) => {
      Atomics.store(ctrl, W_TID + worker, j + 1);
      Atomics.add(ctrl, W_SLOT + worker, 1);
      Atomics.notify(ctrl, W_SLOT + worker);
    });
    try {
      own(0, nt);
    } finally {
      this.waitDone(helpers.length);
    }
    if (Atomics.load(ctrl, W_ERROR) !== 0) throw new Error('wasm backend: a worker thread failed');
    return nt;
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
