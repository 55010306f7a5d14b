import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disableThreads, enableThreads, getNumThreads, setNumThreads } from '../../node/index.js';
import type { MatmulArgs } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { wasmBackend } from '../wasm/index.js';
import { getRuntime } from '../wasm/runtime.js';
import type { SpawnWorker } from '../wasm/thread-pool.js';
import { enableThreads as enableWith } from '../wasm/threads.js';
import { describeMismatch, firstMismatch, randomF32 } from './helpers.js';

/** A product large enough to be split across threads, A and/or B read transposed. */
function product(batch: number, m: number, n: number, k: number, ta: boolean, tb: boolean): MatmulArgs {
  return {
    a: randomF32(batch * m * k, m + k),
    b: randomF32(batch * k * n, n + k),
    out: new Float32Array(batch * m * n),
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

function expectMatchesReference(args: MatmulArgs, threads = 1): void {
  const ref = { ...args, out: new Float32Array(args.out.length) };
  jsBackend.matmul(ref);
  wasmBackend.matmul(args);
  expect(getRuntime()?.lastThreads).toBe(threads);
  const i = firstMismatch(args.out, ref.out, 1e-4, 1e-4 * Math.sqrt(args.k));
  expect(i, describeMismatch(i, args.out, ref.out)).toBe(-1);
}

describe('wasm backend with worker threads', () => {
  beforeAll(async () => {
    expect(await enableThreads(3)).toBe(3);
  }, 60_000);
  afterAll(() => disableThreads());

  it('reports and sets the thread count', () => {
    expect(getRuntime()?.shared).toBe(true);
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
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        expectMatchesReference(product(1, 201, 130, 170, ta, tb), threads);
        expectMatchesReference(product(5, 67, 45, 300, ta, tb), threads);
        expectMatchesReference(product(4, 64, 64, 300, ta, tb), threads);
        expectMatchesReference(product(3, 5, 64, 64, ta, tb)); // too small to split
      }
    }
  }, 60_000);

  it('keeps working after the memory grows between jobs', () => {
    setNumThreads(3);
    expectMatchesReference(product(1, 128, 128, 128, false, false));
    expectMatchesReference(product(1, 700, 600, 500, false, true), 3);
    expectMatchesReference(product(2, 128, 128, 256, true, false), 3);
  }, 60_000);

  it('reuses its memory: repeated calls do not grow it', () => {
    const rt = getRuntime()!;
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
    expectMatchesReference(product(3, 90, 70, 250, false, true), 2);
  }, 60_000);

  it('falls back to one thread after disableThreads', () => {
    disableThreads();
    expect(getNumThreads()).toBe(1);
    expectMatchesReference(product(1, 150, 150, 150, false, false));
  });
});
