import { expect } from 'vitest';
import type { MatmulArgs } from '../../backend/backend.js';
import { jsBackend } from '../../backend/js/index.js';
import type { AnyBackend } from '../../backend/registry.js';
import type { FloatArray } from '../../dtype.js';
import { holds, runKernel } from './harness.js';
import { describeMismatch, firstMismatch, qkvScoresArgs, randomF32, TRANSPOSES } from './helpers.js';
import type { TestApi } from './test-api.js';

/** One operand: `batch` matrices [rows, cols], stored transposed or not, after `pad` leading elements. */
interface Layout {
  rows: number;
  cols: number;
  transposed: boolean;
  /** Batches stored (1 with broadcast: every batch reads the same matrix). */
  stored: number;
  pad: number;
  /** Extra elements between matrices of a batch. */
  gap?: number;
}

function operand(layout: Layout, batch: number, seed: number, f64 = false) {
  const { rows, cols, transposed, stored, pad, gap = 0 } = layout;
  const size = rows * cols + gap;
  const values = randomF32(pad + stored * size, seed);
  const data = f64 ? Float64Array.from(values) : values;
  const offsets = Int32Array.from({ length: batch }, (_, t) => pad + (stored === 1 ? 0 : t) * size);
  return transposed ? { data, offsets, rs: 1, cs: rows } : { data, offsets, rs: cols, cs: 1 };
}

interface Case {
  batch: number;
  m: number;
  n: number;
  k: number;
  ta: boolean;
  tb: boolean;
  broadcastA?: boolean;
  broadcastB?: boolean;
  gapA?: number;
  f64?: boolean;
}

function build(c: Case, seed: number): MatmulArgs {
  const A = operand(
    { rows: c.m, cols: c.k, transposed: c.ta, stored: c.broadcastA ? 1 : c.batch, pad: 5, gap: c.gapA ?? 0 },
    c.batch,
    seed,
    c.f64,
  );
  const B = operand(
    { rows: c.k, cols: c.n, transposed: c.tb, stored: c.broadcastB ? 1 : c.batch, pad: 3 },
    c.batch,
    seed + 1,
    c.f64,
  );
  const size = c.batch * c.m * c.n;
  return {
    a: A.data,
    b: B.data,
    out: c.f64 ? new Float64Array(size).fill(Number.NaN) : new Float32Array(size).fill(Number.NaN),
    batch: c.batch,
    m: c.m,
    n: c.n,
    k: c.k,
    aOffsets: A.offsets,
    bOffsets: B.offsets,
    aRowStride: A.rs,
    aColStride: A.cs,
    bRowStride: B.rs,
    bColStride: B.cs,
  };
}

/** Σ_p |A[i,p]·B[p,j]| per output element (the scale of float32 rounding in each dot product). */
function absScale(args: MatmulArgs): Float64Array {
  const abs = (x: ArrayLike<number>) => Float64Array.from(x, Math.abs);
  const out = new Float64Array(args.out.length);
  jsBackend.matmul({ ...args, a: abs(args.a), b: abs(args.b), out });
  return out;
}

/** `args.out` as `backend`'s matmul writes it, read back. */
async function runMatmul(backend: AnyBackend, args: MatmulArgs): Promise<FloatArray> {
  return (await runKernel(backend, args, ['out'], (a) => backend.matmul(a))).out;
}

async function check(backend: AnyBackend, c: Case, seed = 1): Promise<void> {
  const args = build(c, seed);
  const ref = { ...args, out: args.out.slice() };
  jsBackend.matmul(ref);
  const out = await runMatmul(backend, args);
  const atol = absScale(args).map((s) => 1e-5 * s + 1e-30);
  const i = firstMismatch(out, ref.out, 0, atol);
  expect(i, `${JSON.stringify(c)}: ${describeMismatch(i, out, ref.out)}`).toBe(-1);
}

const SIZES = [1, 3, 17, 65, 127];
/** Registers the conformance tests of the matmul kernel for `backend`. */
export function matmulConformance({ describe, it }: TestApi, backend: AnyBackend): void {
  describe('matmul', () => {
    it('matches the reference for every m, n, k in {1, 3, 17, 65, 127} and every transposition', async () => {
      let seed = 10;
      for (const [ta, tb] of TRANSPOSES)
        for (const m of SIZES)
          for (const n of SIZES)
            for (const k of SIZES) await check(backend, { batch: 1, m, n, k, ta, tb }, seed++);
    }, 60_000);

    it('crosses the k, row and column block edges (k up to 300, n past 512)', async () => {
      for (const [ta, tb] of TRANSPOSES) {
        await check(backend, { batch: 1, m: 130, n: 67, k: 256, ta, tb });
        await check(backend, { batch: 1, m: 9, n: 70, k: 300, ta, tb });
        await check(backend, { batch: 1, m: 5, n: 521, k: 40, ta, tb });
        await check(backend, { batch: 1, m: 131, n: 9, k: 257, ta, tb });
      }
    }, 60_000);

    it('batches, with broadcast A or B (B shared folds the batch into rows)', async () => {
      for (const [ta, tb] of TRANSPOSES) {
        await check(backend, { batch: 3, m: 17, n: 9, k: 33, ta, tb });
        await check(backend, { batch: 4, m: 6, n: 13, k: 7, ta, tb, broadcastB: true });
        await check(backend, { batch: 5, m: 7, n: 19, k: 12, ta, tb, broadcastA: true });
        await check(backend, { batch: 3, m: 8, n: 8, k: 8, ta, tb, broadcastB: true, gapA: 3 });
      }
    });

    it('reads q·kᵀ straight from one fused qkv storage (interleaved heads, A and B share it)', async () => {
      const args = qkvScoresArgs(3, 17, 4, 8, 99);
      const ref = { ...args, out: args.out.slice() };
      jsBackend.matmul(ref);
      const out = await runMatmul(backend, args);
      const i = firstMismatch(out, ref.out, 1e-5, 1e-5);
      expect(i, describeMismatch(i, out, ref.out)).toBe(-1);
    });

    it('gathers views that span far more storage than they use', async () => {
      for (const [ta, tb] of TRANSPOSES)
        await check(backend, { batch: 2, m: 3, n: 5, k: 4, ta, tb, gapA: 5000 });
    });

    it('handles empty products and k = 0 (zeros)', async () => {
      const zeroK = await runMatmul(backend, build({ batch: 2, m: 3, n: 4, k: 0, ta: false, tb: false }, 1));
      expect([...zeroK]).toEqual(new Array(24).fill(0));
      const empty = await runMatmul(backend, build({ batch: 2, m: 0, n: 4, k: 3, ta: false, tb: false }, 1));
      expect(empty.length).toBe(0);
    });

    if (holds(backend, 'float64'))
      it('float64 matches the reference', async () => {
        for (const [ta, tb] of TRANSPOSES)
          await check(backend, { batch: 2, m: 17, n: 3, k: 65, ta, tb, f64: true });
      });
  });
}
