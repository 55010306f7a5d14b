import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { WORKER_SPIN_MS } from './layout.js';
import { ThreadPool } from './thread-pool.js';

/**
 * A stand-in kernel under the name the pool runs (`PARALLEL_KERNELS[0]`): each call counts itself at
 * `desc + 4*tid` and records `nt` at `desc + 256 + 4*tid`, so a test sees which thread ran which job;
 * with `desc` = {@link TRAP} it traps instead.
 */
const TRAP = 4096;
const PROBE = `(module
  (import "env" "memory" (memory 1 16 shared))
  (func (export "matmul_f32") (param $desc i32) (param $tid i32) (param $nt i32)
    (if (i32.eq (local.get $desc) (i32.const ${TRAP})) (then unreachable))
    (drop (i32.atomic.rmw.add (i32.add (local.get $desc) (i32.shl (local.get $tid) (i32.const 2))) (i32.const 1)))
    (i32.atomic.store offset=256 (i32.add (local.get $desc) (i32.shl (local.get $tid) (i32.const 2)))
      (local.get $nt))))`;

const WORKERS = 3;
/** Each job gets its own descriptor block, so counts of different jobs never mix. */
const jobDesc = (job: number) => 8192 + 512 * job;

describe('ThreadPool', () => {
  let memory: WebAssembly.Memory;
  let pool: ThreadPool;
  let words: Int32Array;
  const count = (job: number, tid: number) => Atomics.load(words, (jobDesc(job) >> 2) + tid);
  const ntSeen = (job: number, tid: number) => Atomics.load(words, ((jobDesc(job) + 256) >> 2) + tid);

  beforeAll(async () => {
    const wabt = await wabtInit();
    const parsed = wabt.parseWat('probe.wat', PROBE, { threads: true });
    const module = new WebAssembly.Module(parsed.toBinary({}).buffer as Uint8Array<ArrayBuffer>);
    parsed.destroy();
    memory = new WebAssembly.Memory({ initial: 4, maximum: 16, shared: true });
    words = new Int32Array(memory.buffer);
    pool = new ThreadPool(memory, module);
    pool.grow((source, init) => {
      const worker = new Worker(source, { eval: true, workerData: init });
      worker.unref();
      return worker;
    }, WORKERS);
    const deadline = Date.now() + 30_000;
    while (pool.readyCount() < WORKERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(pool.readyCount()).toBe(WORKERS);
  }, 60_000);
  afterAll(() => pool.terminate());

  it('runs each static share exactly once, on as many threads as asked', () => {
    for (let job = 0; job < 40; job++) {
      const threads = 1 + (job % (WORKERS + 1));
      const own: number[] = [];
      const used = pool.run(0, jobDesc(job), threads, (tid, nt) => own.push(tid, nt));
      expect(used).toBe(threads);
      expect(own).toEqual([0, threads]);
      for (let tid = 1; tid <= WORKERS; tid++) {
        expect(count(job, tid), `job ${job}, thread ${tid}`).toBe(tid < threads ? 1 : 0);
        if (tid < threads) expect(ntSeen(job, tid)).toBe(threads);
      }
    }
  });

  it('wakes sleeping workers for a static job', async () => {
    await new Promise((r) => setTimeout(r, 20 * WORKER_SPIN_MS + 20));
    expect(pool.helpers(WORKERS, false)).toEqual([]); // all asleep after polling a while
    expect(pool.helpers(WORKERS, true)).toEqual([0, 1, 2]);
    const job = 50;
    expect(pool.run(0, jobDesc(job), WORKERS + 1, () => {})).toBe(WORKERS + 1);
    for (let tid = 1; tid <= WORKERS; tid++) expect(count(job, tid)).toBe(1);
  });

  it('offers a job without waiting: each worker runs it once as thread index + 1 with nt = 0', async () => {
    const job = 60;
    pool.offer(0, jobDesc(job), [0, 2]);
    const deadline = Date.now() + 10_000;
    while ((count(job, 1) === 0 || count(job, 3) === 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 1));
    await new Promise((r) => setTimeout(r, 10));
    expect([count(job, 1), count(job, 2), count(job, 3)]).toEqual([1, 0, 1]);
    expect([ntSeen(job, 1), ntSeen(job, 3)]).toEqual([0, 0]);
  });

  it('reports a worker whose kernel trapped, until the next job starts', async () => {
    pool.offer(0, TRAP, [1]);
    const deadline = Date.now() + 10_000;
    while (!pool.failed() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    expect(pool.failed()).toBe(true);
    expect(() => pool.run(0, TRAP, 2, () => {})).toThrow('a worker thread failed');
    expect(pool.run(0, jobDesc(70), 2, () => {})).toBe(2);
    expect(pool.failed()).toBe(false);
  });

  it('a worker that missed an offered job never runs the static job that follows in its place', async () => {
    for (let round = 0; round < 20; round++) {
      const offered = 100 + 2 * round;
      const next = offered + 1;
      pool.offer(0, jobDesc(offered), [0, 1, 2]);
      // Started at once: workers still reading the offer must skip it or run it as offered, and
      // only worker 0 (thread 1) may run the static job.
      expect(pool.run(0, jobDesc(next), 2, () => {})).toBe(2);
      expect([count(next, 1), count(next, 2), count(next, 3)]).toEqual([1, 0, 0]);
    }
    await new Promise((r) => setTimeout(r, 20));
    for (let round = 0; round < 20; round++)
      for (let tid = 1; tid <= WORKERS; tid++) expect(count(100 + 2 * round, tid)).toBeLessThanOrEqual(1);
  });
});
