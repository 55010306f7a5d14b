import { Worker } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { disableThreads, enableThreads, getNumThreads, setNumThreads } from '../../node/index.js';
import {
  describeMismatch,
  firstMismatch,
  qkvScoresArgs,
  randomF32,
  TRANSPOSES,
} from '../../testing/conformance/helpers.js';
import type { AttentionArgs, MatmulArgs } from '../backend.js';
import { contiguousBatch } from '../js/fused-attention.js';
import { jsBackend } from '../js/index.js';
import { wasmBackend } from '../wasm/index.js';
import { planTasks, SPAN } from '../wasm/matmul-plan.js';
import { getRuntime, getThreadRuntime } from '../wasm/runtime.js';
import type { SpawnWorker } from '../wasm/thread-pool.js';
import { enableThreads as enableWith } from '../wasm/threads.js';

/** A product large enough to be split across threads, A and/or B read transposed. */
function product(batch: number, m: number, n: number, k: number, ta: boolean, tb: boolean): MatmulArgs {
  return {
    a: randomF32(batch * m * k, m + k),
    b: randomF32(batch * k * n, n + k),
    out: new Float32Array(batch * m * n).fill(Number.NaN),
    batch,
    m,
    n,
    k,
    aOffsets: Int32Array.from({ length: batch }, (_, t) => t * m * k),
    bOffsets: Int32Array.from({ length: batch }, (_, t) => t * k * n),
    aRowStride: ta ? 1 : k,
    aColStride: ta ? m : 1,
    bRowStride: tb ? 1 : n,
    bColStride: tb ? k : 1,
  };
}

/**
 * Runs `args` on the wasm backend and compares with the JS reference; `threads` is the most threads
 * the product may have run on (1: it must not have been split). Which threads take the tasks of a
 * split product depends on timing, so only the range is checked.
 */
function expectMatchesReference(args: MatmulArgs, threads = 1): void {
  const ref = { ...args, out: new Float32Array(args.out.length) };
  jsBackend.matmul(ref);
  wasmBackend.matmul(args);
  const ran = getRuntime()?.lastThreads ?? 0;
  if (threads === 1) expect(ran).toBe(1);
  else expect(ran >= 1 && ran <= threads, `ran on ${ran} of ${threads} threads`).toBe(true);
  const i = firstMismatch(args.out, ref.out, 1e-4, 1e-4 * Math.sqrt(args.k));
  expect(i, describeMismatch(i, args.out, ref.out)).toBe(-1);
}

/**
 * A fused attention over `batch` query heads in groups of `groups` per key/value head, with the
 * causal mask or a random additive one, and its upstream gradient.
 */
function attentionCase(batch: number, groups: number, L: number, E: number, causal: boolean, seed: number) {
  const kv = batch / groups;
  const args: Omit<AttentionArgs, 'out' | 'lse'> = {
    q: contiguousBatch(randomF32(batch * L * E, seed, -2, 2), batch, L, E),
    k: contiguousBatch(randomF32(kv * L * E, seed + 1, -2, 2), kv, L, E),
    v: contiguousBatch(randomF32(kv * L * E, seed + 2), kv, L, E),
    mask: causal ? null : randomF32(L * L, seed + 3),
    maskBatch: 1,
    batch,
    groups,
    L,
    S: L,
    E,
    Ev: E,
    scale: 1 / Math.sqrt(E),
    causal,
  };
  return { args, dout: contiguousBatch(randomF32(batch * L * E, seed + 4), batch, L, E) };
}

/** Forward and backward of an {@link attentionCase} on `backend`. */
function runAttention(backend: typeof jsBackend, { args, dout }: ReturnType<typeof attentionCase>) {
  const { batch, groups, L, E } = args;
  const fwd = { out: new Float32Array(batch * L * E), lse: new Float32Array(batch * L) };
  backend.attention({ ...args, ...fwd });
  const grads = {
    dq: new Float32Array(batch * L * E),
    dk: new Float32Array((batch / groups) * L * E).fill(Number.NaN),
    dv: new Float32Array((batch / groups) * L * E).fill(Number.NaN),
  };
  backend.attentionBackward({ ...args, ...fwd, dout, ...grads });
  return { ...fwd, ...grads };
}

/** Runs `body` with the calling thread leaving every task to the workers. */
function workersOnly(body: () => void): void {
  const rt = getThreadRuntime()!;
  rt.callerTakesTasks = false;
  try {
    body();
  } finally {
    rt.callerTakesTasks = true;
  }
}

describe('wasm backend with worker threads', () => {
  beforeAll(async () => {
    expect(await enableThreads(3)).toBe(3);
  }, 60_000);
  afterAll(() => disableThreads());
  afterEach(() => setNumThreads(3));

  it('reports and sets the thread count', () => {
    expect(getThreadRuntime()?.shared).toBe(true);
    expect(getThreadRuntime()).toBe(getRuntime()); // one memory: the tensors' and the workers'
    expect(getNumThreads()).toBe(3);
    setNumThreads(2);
    expect(getNumThreads()).toBe(2);
    setNumThreads(8); // capped by the started workers
    expect(getNumThreads()).toBe(3);
    expect(() => setNumThreads(0)).toThrow(RangeError);
  });

  it('splits large products by rows and batches, every transposition', () => {
    for (const threads of [2, 3]) {
      setNumThreads(threads);
      for (const [ta, tb] of TRANSPOSES) {
        expectMatchesReference(product(1, 201, 130, 170, ta, tb), threads);
        expectMatchesReference(product(5, 67, 45, 300, ta, tb), threads);
        expectMatchesReference(product(4, 64, 64, 300, ta, tb), threads);
        expectMatchesReference(product(3, 5, 64, 64, ta, tb)); // too small to split
      }
    }
  }, 60_000);

  it('computes every task on the workers when the caller leaves them all (rows, columns, batches, packs)', () => {
    workersOnly(() => {
      for (const [ta, tb] of TRANSPOSES) {
        // Row blocks with pre-packed B, past the k (256) and column (512) block edges.
        expectMatchesReference(product(1, 150, 600, 300, ta, tb), 3);
        // Row blocks of a few matrices, each with its own packed B.
        expectMatchesReference(product(3, 130, 70, 250, ta, tb), 3);
        // Whole matrices per task, several per task.
        expectMatchesReference(product(40, 24, 40, 64, ta, tb), 3);
        // Column blocks of a two-row product.
        expectMatchesReference(product(1, 2, 3000, 300, ta, tb), 3);
      }
    });
  }, 60_000);

  it('plans odd splits: ragged row blocks, largest first, tiny matrices, whole-matrix groups', () => {
    type Span = [number, number, number, number, number, number];
    /** The spans of a plan as [b0, b1, i0, i1, j0, j1] rows. */
    const spansOf = (plan: ReturnType<typeof planTasks>) =>
      Array.from(
        { length: plan.products },
        (_, q) => [...plan.spans.subarray(SPAN * q, SPAN * q + SPAN)] as Span,
      );
    // 201 rows on 2 threads: row blocks starting at multiples of 4, shrinking, covering every row once.
    const rows = planTasks(1, 201, 130, 170, 2, 256);
    const blocks = spansOf(rows);
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    expect(blocks[0]!.slice(0, 3)).toEqual([0, 1, 0]);
    expect(blocks.at(-1)![3]).toBe(201);
    blocks.forEach(([b0, b1, i0, i1, j0, j1], q) => {
      expect([b0, b1, i0 % 4, j0, j1]).toEqual([0, 1, 0, 0, 130]);
      if (q > 0) expect(i0).toBe(blocks[q - 1]![3]);
      if (q > 0 && q < blocks.length - 1)
        expect(i1 - i0).toBeLessThanOrEqual(blocks[q - 1]![3] - blocks[q - 1]![2]);
    });
    expect(rows.packs).toBe(Math.ceil(130 / 8 / rows.sliversPerPack));
    // A batch: groups of whole matrices, covering each matrix once.
    const groups = spansOf(planTasks(48, 64, 64, 32, 2, 256));
    expect(groups.length).toBeGreaterThanOrEqual(4);
    expect(groups.flatMap(([b0, b1]) => Array.from({ length: b1 - b0 }, (_, i) => b0 + i))).toEqual(
      Array.from({ length: 48 }, (_, i) => i),
    );
    // One thread: a single task, nothing packed ahead.
    const one = planTasks(7, 64, 64, 64, 1, 256);
    expect([one.products, one.packs, ...one.spans]).toEqual([1, 0, 0, 7, 0, 64, 0, 64]);
    // Matrices of at most 4 rows are split by columns, in blocks of whole 8-column slivers.
    const columns = spansOf(planTasks(2, 3, 900, 900, 2, 256));
    expect(columns.length).toBeGreaterThanOrEqual(4);
    for (const b of [0, 1]) {
      const own = columns.filter(([b0]) => b0 === b);
      expect(own.map(([, b1, i0, i1]) => [b1, i0, i1])).toEqual(own.map(() => [b + 1, 0, 3]));
      expect(own[0]![4]).toBe(0);
      expect(own.at(-1)![5]).toBe(900);
      own.forEach(([, , , , j0, j1], q) => {
        expect(j0 % 8).toBe(0);
        if (q > 0) expect(j0).toBe(own[q - 1]![5]);
        expect(j1).toBeGreaterThan(j0);
      });
    }
    const vector = spansOf(planTasks(1, 1, 4000, 768, 2, 256));
    expect(vector.length).toBeGreaterThanOrEqual(2);
    setNumThreads(2);
    for (const [ta, tb] of TRANSPOSES) {
      expectMatchesReference(product(1, 201, 130, 170, ta, tb), 2);
      expectMatchesReference(product(2, 3, 900, 700, ta, tb), 2);
      expectMatchesReference(product(1, 1, 3001, 700, ta, tb), 2); // a matrix-vector product, ragged columns
      expectMatchesReference(product(1, 9, 3, 60_000, ta, tb), 2);
      expectMatchesReference(product(48, 64, 64, 32, ta, tb), 2);
    }
  }, 60_000);

  it('splits q·kᵀ read in place from one fused qkv storage, and gathered views', () => {
    expectMatchesReference(qkvScoresArgs(4, 64, 4, 32, 7), 3);
    // Two matrices far apart in a large storage: gathered into the kernel memory first.
    const [m, n, k] = [120, 90, 200];
    const a = randomF32(m * k + 5_000_000, 8);
    expectMatchesReference(
      {
        ...product(2, m, n, k, false, false),
        a,
        aOffsets: Int32Array.from([0, 5_000_000]),
      },
      3,
    );
  }, 60_000);

  it('gives bit-identical results on any number of threads (each element sums in the same order)', () => {
    const cases = TRANSPOSES.map(([ta, tb]) => product(2, 150, 600, 300, ta, tb));
    // a matrix-vector product, split by columns (A's layout does not matter for one row)
    cases.push(product(1, 1, 2000, 800, false, false), product(1, 1, 2000, 800, false, true));
    for (const args of cases) {
      setNumThreads(1);
      wasmBackend.matmul(args);
      const alone = args.out.slice();
      for (const threads of [2, 3]) {
        setNumThreads(threads);
        args.out.fill(Number.NaN);
        wasmBackend.matmul(args);
        expect(getRuntime()?.lastThreads).toBeGreaterThanOrEqual(1);
        expect(args.out).toEqual(alone);
      }
    }
  }, 60_000);

  it('keeps results right over many back-to-back products of changing size and thread count', () => {
    for (let i = 0; i < 60; i++) {
      const threads = 1 + (i % 3);
      setNumThreads(threads);
      const big = i % 4 !== 3;
      const args = big
        ? product(1 + (i % 2), 70 + i, 90 - i, 120, i % 2 === 0, i % 5 === 0)
        : product(2, 9, 8, 7, false, false);
      expectMatchesReference(args, big ? threads : 1);
    }
  }, 60_000);

  it('splits fused attention over key/value heads: matches the reference, bit-identical on any count', () => {
    const cases = [
      attentionCase(48, 1, 64, 32, true, 1), // the default GPT's heads
      attentionCase(12, 3, 64, 48, false, 2), // 4 key/value heads of 3 query heads, a mask
      attentionCase(10, 1, 67, 64, true, 3), // 10 heads on 3 threads: uneven shares, ragged tiles
    ];
    for (const c of cases) {
      const ref = runAttention(jsBackend, c);
      setNumThreads(1);
      const alone = runAttention(wasmBackend, c);
      expect(getRuntime()?.lastThreads).toBe(1);
      for (const [name, values] of Object.entries(alone)) {
        const want = ref[name as keyof typeof ref];
        const i = firstMismatch(values, want, 1e-3, 1e-4);
        expect(i, `${name}: ${describeMismatch(i, values, want)}`).toBe(-1);
      }
      for (const threads of [2, 3]) {
        setNumThreads(threads);
        expect(runAttention(wasmBackend, c)).toEqual(alone);
        expect(getRuntime()?.lastThreads).toBe(threads);
      }
    }
    // One key/value head, or too little work: not split.
    runAttention(wasmBackend, attentionCase(4, 4, 64, 32, true, 4));
    expect(getRuntime()?.lastThreads).toBe(1);
    runAttention(wasmBackend, attentionCase(8, 1, 8, 8, true, 5));
    expect(getRuntime()?.lastThreads).toBe(1);
  }, 60_000);

  it('splits one query over a KV cache by head (a decoding step): bit-identical on any count', () => {
    const [heads, S, E, capacity] = [12, 300, 64, 512];
    const cache = (seed: number) => ({
      data: randomF32(heads * capacity * E, seed),
      offsets: Int32Array.from({ length: heads }, (_, h) => h * capacity * E),
      rowStride: E,
      colStride: 1,
    });
    const args = {
      ...{ batch: heads, groups: 1, L: 1, S, E, Ev: E, causal: true, mask: null, maskBatch: 1, scale: 0.125 },
      q: contiguousBatch(randomF32(heads * E, 1, -2, 2), heads, 1, E),
      k: cache(2),
      v: cache(3),
    };
    const run = (backend: typeof jsBackend) => {
      const out = new Float32Array(heads * E);
      backend.attention({ ...args, out, lse: new Float32Array(heads) });
      return out;
    };
    setNumThreads(1);
    const alone = run(wasmBackend);
    const i = firstMismatch(alone, run(jsBackend), 1e-4, 1e-5);
    expect(i, describeMismatch(i, alone, run(jsBackend))).toBe(-1);
    for (const threads of [2, 3]) {
      setNumThreads(threads);
      for (let rep = 0; rep < 3; rep++) expect(run(wasmBackend)).toEqual(alone);
    }
  }, 60_000);

  it('splits products with a packed weight by output columns, one row too: bit-identical on any count', () => {
    const cases: [number, number, number][] = [
      [1, 3000, 768], // a decoding step's projection
      [3, 2000, 300],
      [70, 600, 300], // prefill-like: 4-row tiles
    ];
    for (const dtype of ['float32', 'float16', 'bfloat16'] as const) {
      // every shape in float32; the 16-bit kernels (the same tasks) on the decoding step's
      for (const [m, n, k] of dtype === 'float32' ? cases : cases.slice(0, 1)) {
        const weight = randomF32(n * k, n + k);
        const bias = randomF32(n, 5);
        const x = randomF32(m * k, m);
        const packed = wasmBackend.packLinear({ weight, bias, n, k, dtype });
        const run = () => {
          const out = new Float32Array(m * n).fill(Number.NaN);
          packed.apply(x, m, out);
          return out;
        };
        setNumThreads(1);
        const alone = run();
        expect(getRuntime()?.lastThreads).toBe(1);
        const ref = new Float32Array(m * n);
        jsBackend.packLinear({ weight, bias, n, k, dtype }).apply(x, m, ref);
        const i = firstMismatch(alone, ref, 1e-4, 1e-4 * Math.sqrt(k));
        expect(i, `${dtype} [${m}, ${n}, ${k}]: ${describeMismatch(i, alone, ref)}`).toBe(-1);
        for (const threads of [2, 3]) {
          setNumThreads(threads);
          expect(run(), `${dtype} [${m}, ${n}, ${k}] on ${threads} threads`).toEqual(alone);
          expect(getRuntime()?.lastThreads).toBe(threads);
        }
        packed.release();
      }
    }
  }, 60_000);

  it('keeps working after the memory grows between jobs', () => {
    expectMatchesReference(product(1, 128, 128, 128, false, false), 3);
    expectMatchesReference(product(1, 700, 600, 500, false, true), 3);
    expectMatchesReference(product(2, 128, 128, 256, true, false), 3);
  }, 60_000);

  it('reuses its memory: repeated calls do not grow it', () => {
    const rt = getThreadRuntime()!;
    expectMatchesReference(product(2, 300, 200, 100, false, false), 3);
    const size = rt.memory.buffer.byteLength;
    for (let i = 0; i < 20; i++) wasmBackend.matmul(product(2, 300, 200, 100, i % 2 === 0, false));
    expect(rt.memory.buffer.byteLength).toBe(size);
  }, 60_000);

  it('starts workers the browser way too: a classic script that gets its init as the first message', async () => {
    disableThreads();
    // A Node worker dressed as a Web Worker: `self.onmessage`, init posted after construction.
    const prelude = `globalThis.self = globalThis;
      require('node:worker_threads').parentPort.on('message', (data) => self.onmessage({ data }));\n`;
    const spawn: SpawnWorker = (source, init) => {
      const worker = new Worker(prelude + source, { eval: true });
      worker.postMessage(init);
      worker.unref();
      return worker;
    };
    expect(await enableWith(2, { spawn })).toBe(2);
    workersOnly(() => expectMatchesReference(product(3, 90, 70, 250, false, true), 2));
    expectMatchesReference(product(3, 90, 70, 250, true, false), 2);
  }, 60_000);

  it('falls back to one thread after disableThreads; weights packed before keep working', () => {
    const packed = wasmBackend.packLinear({
      weight: randomF32(64, 1),
      bias: null,
      n: 8,
      k: 8,
      dtype: 'float32',
    });
    const before = new Float32Array(8);
    packed.apply(randomF32(8, 2), 1, before);
    disableThreads();
    const after = new Float32Array(8);
    packed.apply(randomF32(8, 2), 1, after);
    expect(after).toEqual(before);
    expect(getNumThreads()).toBe(1);
    expectMatchesReference(product(1, 150, 150, 150, false, false));
  });
});
