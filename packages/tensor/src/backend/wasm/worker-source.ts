import {
  CTRL_WORDS,
  W_DESC,
  W_DONE,
  W_EPOCH,
  W_ERROR,
  W_KERNEL,
  W_NT,
  W_READY,
  W_SLOT,
  W_TID,
  WORKER_SPIN_MS,
} from './layout.js';

/** What a worker receives at start: the compiled kernels, the shared memory and its own index. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
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
 * slot word to change (polling for half a millisecond after each job, then sleeping in `Atomics.wait`),
 * run its share of the job, count itself done and wake the main thread.
 */
export const WORKER_SOURCE = `'use strict';
const start = (init) => {
  const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
  const kernels = init.kernels.map((name) => instance.exports[name]);
  const ctrl = new Int32Array(init.memory.buffer, init.ctrl, ${CTRL_WORDS});
  const slot = ${W_SLOT} + init.index;
  let seen = Atomics.load(ctrl, slot);
  Atomics.store(ctrl, ${W_READY} + init.index, init.epoch);
  for (;;) {
    // Stay awake for a while after a job (products come in bursts), then sleep on the slot word.
    const idleSince = performance.now();
    for (let spin = 1; Atomics.load(ctrl, slot) === seen; spin++) {
      if ((spin & 1023) === 0 && performance.now() - idleSince > ${WORKER_SPIN_MS}) {
        Atomics.wait(ctrl, slot, seen);
        break;
      }
    }
    const now = Atomics.load(ctrl, slot);
    if (now === seen) continue;
    seen = now;
    if (Atomics.load(ctrl, ${W_EPOCH}) !== init.epoch) break;
    try {
      kernels[Atomics.load(ctrl, ${W_KERNEL})](
        Atomics.load(ctrl, ${W_DESC}),
        Atomics.load(ctrl, ${W_TID} + init.index),
        Atomics.load(ctrl, ${W_NT}),
      );
    } catch {
      Atomics.store(ctrl, ${W_ERROR}, 1);
    }
    Atomics.add(ctrl, ${W_DONE}, 1);
    Atomics.notify(ctrl, ${W_DONE});
  }
};
if (typeof require === 'function' && typeof self === 'undefined') {
  start(require('worker_threads').workerData);
} else {
  self.onmessage = (event) => start(event.data);
}
`;
