import {
  CTRL_WORDS,
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
  WORKER_SPIN_MS,
} from './layout.js';

/**
 * `WebAssembly.Module` and `WebAssembly.Memory` where the program's lib declares them (DOM,
 * WebWorker), else `object`, so that the published declarations compile without the DOM lib.
 */
type WasmGlobal<Name extends 'Module' | 'Memory'> = typeof globalThis extends {
  WebAssembly: Record<Name, { prototype: infer Instance }>;
}
  ? Instance
  : object;

/** What a worker receives at start: the compiled kernels, the shared memory and its own index. */
export interface WorkerInit {
  /** The compiled kernels (a `WebAssembly.Module`). */
  module: WasmGlobal<'Module'>;
  /** The shared memory the kernels run in (a `WebAssembly.Memory`). */
  memory: WasmGlobal<'Memory'>;
  /** Byte address of the control block. */
  ctrl: number;
  /** This worker's index in the pool (its slot and ready words). */
  index: number;
  /** The pool's epoch: the worker exits once the control block names another. */
  epoch: number;
  /** Export names, indexed by the job's kernel word. */
  kernels: readonly string[];
}

/**
 * The script every worker runs, as source text so that no file path or bundler plugin is needed
 * (Node evaluates it with `eval: true`, browsers load it from a Blob URL). It instantiates the
 * kernels over the shared memory, marks itself ready (writing its epoch), then loops: wait for its
 * slot word to change (polling for half a millisecond after each job, then sleeping in `Atomics.wait`
 * with its sleeping word set, so callers know to notify it), read the job's words, and run its share
 * if the job is still the latest one. A job with a thread count (`W_NT`) is split statically: the
 * worker counts itself done and wakes the caller. A job without one (0) is a pool of tasks the
 * kernel claims itself; the caller does not wait for the worker, and a worker that wakes late finds
 * every task taken.
 */
export const WORKER_SOURCE = `'use strict';
const start = (init) => {
  const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
  const kernels = init.kernels.map((name) => instance.exports[name]);
  const ctrl = new Int32Array(init.memory.buffer, init.ctrl, ${CTRL_WORDS});
  const slot = ${W_SLOT} + init.index;
  const sleeping = ${W_SLEEP} + init.index;
  let seen = Atomics.load(ctrl, slot);
  Atomics.store(ctrl, ${W_READY} + init.index, init.epoch);
  for (;;) {
    // Stay awake for a while after a job (products come in bursts), then sleep on the slot word.
    const idleSince = performance.now();
    for (let spin = 1; Atomics.load(ctrl, slot) === seen; spin++) {
      if ((spin & 1023) === 0 && performance.now() - idleSince > ${WORKER_SPIN_MS}) {
        Atomics.store(ctrl, sleeping, 1);
        Atomics.wait(ctrl, slot, seen);
        Atomics.store(ctrl, sleeping, 0);
        break;
      }
    }
    const job = Atomics.load(ctrl, slot);
    if (job === seen) continue;
    seen = job;
    if (Atomics.load(ctrl, ${W_EPOCH}) !== init.epoch) break;
    const kernel = Atomics.load(ctrl, ${W_KERNEL});
    const desc = Atomics.load(ctrl, ${W_DESC});
    const tid = Atomics.load(ctrl, ${W_TID} + init.index);
    const nt = Atomics.load(ctrl, ${W_NT});
    // The words above belong to this job only if no later job has started meanwhile.
    if (Atomics.load(ctrl, ${W_JOB}) !== job) continue;
    try {
      kernels[kernel](desc, tid, nt);
    } catch {
      Atomics.store(ctrl, ${W_ERROR}, 1);
    }
    if (nt > 0) {
      Atomics.add(ctrl, ${W_DONE}, 1);
      Atomics.notify(ctrl, ${W_DONE});
    }
  }
};
if (typeof require === 'function' && typeof self === 'undefined') {
  start(require('worker_threads').workerData);
} else {
  self.onmessage = (event) => start(event.data);
}
`;
