import { afterAll, describe, expect, it } from 'vitest';
import { DTypeError } from '../../errors.js';
import {
  describeMismatch,
  firstMismatch,
  qkvScoresArgs,
  TRANSPOSES,
} from '../../testing/conformance/helpers.js';
import type { MatmulArgs } from '../backend.js';
import { jsBackend } from '../js/index.js';
import type { GPUStorage } from './gpu-storage.js';
import { matmulKernels } from './matmul.js';
import { randomMatrices } from './matrix-testing.js';
import { testRuntime } from './test-runtime.js';

const rt = await testRuntime('WebGPU matmul');
afterAll(() => rt?.device.destroy());
const kernels = rt && matmulKernels(rt);

/** The float32 elements of `storage`, once the queued kernels have run. */
const read = async (storage: GPUStorage) => (await rt!.readAsync(storage)) as Float32Array;

interface Case {
  batch: number;
  m: number;
  n: number;
  k: number;
  /** A, B stored transposed. */
  ta?: boolean;
  tb?: boolean;
  /** Both operands row-major with every third element used (both strides above 1). */
  spread?: boolean;
  broadcastB?: boolean;
  /** Elements between A's matrices. */
  gap?: number;
}

function build(c: Case, seed: number): MatmulArgs {
  const { batch, m, n, k } = c;
  const layout = (transposed = false) => (transposed ? 'transposed' : c.spread ? 'spread' : 'rowMajor');
  const A = randomMatrices(batch, m, k, seed, { layout: layout(c.ta), pad: 5, gap: c.gap });
  const B = randomMatrices(batch, k, n, seed + 1, { layout: layout(c.tb), pad: 3, broadcast: c.broadcastB });
  return {
    a: A.data,
    b: B.data,
    out: new Float32Array(batch * m * n).fill(Number.NaN),
    batch,
    m,
    n,
    k,
    aOffsets: A.offsets,
    bOffsets: B.offsets,
    aRowStride: A.rowStride,
    aColStride: A.colStride,
    bRowStride: B.rowStride,
    bColStride: B.colStride,
  };
}

/** The GPU kernel's output for host arguments (out starts as the host `out`, e.g. NaN-filled). */
async function onGPU(args: MatmulArgs): Promise<Float32Array> {
  const out = rt!.upload(args.out);
  kernels!.matmul({ ...args, a: rt!.upload(args.a), b: rt!.upload(args.b), out });
  return read(out);
}

/**
 * Compares with the JS reference. Both sum k products in float32 (the reference rounds after each
 * add, the GPU in its own order), so each differs from the exact dot product by at most
 * (k + 1)·u·Σ|a·b| (u = 2⁻²⁴, the standard bound for recursive summation): their difference stays
 * within twice that, whatever the order, while a wrong or missing term shows as an error of the
 * size of one term, about Σ|a·b|/k.
 */
async function check(c: Case, seed = 1): Promise<void> {
  const args = build(c, seed);
  const expected = args.out.slice();
  jsBackend.matmul({ ...args, out: expected });
  const actual = await onGPU(args);
  const scale = new Float64Array(expected.length);
  const abs = (x: ArrayLike<number>) => Float64Array.from(x, Math.abs);
  jsBackend.matmul({ ...args, a: abs(args.a), b: abs(args.b), out: scale });
  const atol = scale.map((s) => 2 * (c.k + 1) * 2 ** -24 * s);
  const i = firstMismatch(actual, expected, 0, atol);
  expect(i, `${JSON.stringify(c)}: ${describeMismatch(i, actual, expected)}`).toBe(-1);
}

describe.runIf(rt)('webgpu matmul', () => {
  it('matches the reference for every transposition, across the 64-row/column and 16-k tile edges', async () => {
    let seed = 10;
    for (const [ta, tb] of TRANSPOSES)
      for (const m of [1, 64, 130])
        for (const n of [3, 65, 128])
          for (const k of [1, 16, 33]) await check({ batch: 1, m, n, k, ta, tb }, seed++);
  });

  it('sums long k (300, 1000) within the float32 bound', async () => {
    for (const [ta, tb] of TRANSPOSES) {
      await check({ batch: 1, m: 70, n: 67, k: 300, ta, tb });
      await check({ batch: 2, m: 9, n: 130, k: 1000, ta, tb });
    }
  });

  it('batches with per-entry offsets, a broadcast B, gaps and strides above 1', async () => {
    for (const [ta, tb] of TRANSPOSES) {
      await check({ batch: 3, m: 17, n: 9, k: 33, ta, tb, gap: 7 });
      await check({ batch: 4, m: 66, n: 13, k: 7, ta, tb, broadcastB: true });
      await check({ batch: 2, m: 19, n: 70, k: 18, ta, tb, spread: true, gap: 3 }); // spread where not transposed
    }
  });

  it('reads q·kᵀ from one fused qkv storage (A and B bound from the same buffer)', async () => {
    const args = qkvScoresArgs(2, 37, 3, 8, 5);
    const expected = args.out.slice();
    jsBackend.matmul({ ...args, out: expected });
    const qkv = rt!.upload(args.a);
    const out = rt!.upload(args.out);
    kernels!.matmul({ ...args, a: qkv, b: qkv, out });
    const actual = await read(out);
    const i = firstMismatch(actual, expected, 1e-5, 1e-6);
    expect(i, describeMismatch(i, actual, expected)).toBe(-1);
  });

  it('runs more tiles than one grid dimension holds (66,000 batch entries)', async () => {
    await check({ batch: 66_000, m: 1, n: 2, k: 1 });
  });

  it('writes zeros for k = 0 and nothing for m = 0 or n = 0', async () => {
    expect([...(await onGPU(build({ batch: 2, m: 3, n: 4, k: 0 }, 1)))]).toEqual(new Array(24).fill(0));
    const sentinel = Float32Array.of(7, 7, 7);
    for (const [m, n] of [
      [0, 4],
      [3, 0],
    ]) {
      const args = { ...build({ batch: 2, m: m!, n: n!, k: 3 }, 1), out: sentinel };
      expect(await onGPU(args)).toEqual(sentinel);
    }
  });

  it('propagates NaN and infinities as the reference does', async () => {
    const args = build({ batch: 1, m: 5, n: 6, k: 4 }, 3);
    (args.a as Float32Array)[5 + 1 * 4 + 2] = Number.NaN; // row 1
    (args.b as Float32Array)[3 + 0 * 6 + 4] = Number.POSITIVE_INFINITY; // column 4: ±∞ by sign of a
    (args.b as Float32Array)[3 + 3 * 6 + 1] = Number.NEGATIVE_INFINITY; // column 1
    const expected = args.out.slice();
    jsBackend.matmul({ ...args, out: expected });
    const actual = await onGPU(args);
    expect(expected.some(Number.isNaN) && expected.includes(Number.POSITIVE_INFINITY)).toBe(true);
    const i = firstMismatch(actual, expected, 1e-5, 1e-6);
    expect(i, describeMismatch(i, actual, expected)).toBe(-1);
  });

  it('rejects non-float32 storage and an output that shares an operand buffer', () => {
    const args = build({ batch: 1, m: 2, n: 2, k: 2 }, 1);
    const a = rt!.upload(args.a);
    const b = rt!.upload(args.b);
    const out = rt!.upload(new Float32Array(4));
    expect(() => kernels!.matmul({ ...args, a: rt!.upload(new Int32Array(9)), b, out })).toThrow(
      new DTypeError('webgpu matmul: a must be float32, got int32'),
    );
    expect(() => kernels!.matmul({ ...args, a, b, out: a })).toThrow(
      "webgpu matmul: 'out' is written and must not share its buffer with 'a'",
    );
  });
});
