import { expect } from 'vitest';
import reference from '../../../fixtures/half-rounding.json';
import type { Backend, HostBackend } from '../../backend/backend.js';
import { jsBackend } from '../../backend/js/index.js';
import type { WeightDType } from '../../half-precision.js';
import { toHalfBits, widenHalfBits } from '../../half-precision.js';
import { describeMismatch, firstMismatch, randomF32 } from './helpers.js';
import type { TestApi } from './test-api.js';

/** What the packed-weight tests use of a host backend. */
export type PackingBackend = Pick<HostBackend, 'packLinear'>;

/** [m, n, k]: one row, a few rows, the 4-row tiles, and the 256-deep k slices and 512-wide column blocks. */
export const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 37, 300],
  [2, 50, 600],
  [3, 9, 17],
  [4, 8, 16],
  [5, 70, 257],
  [9, 33, 64],
  [130, 600, 300],
  [1, 1000, 64],
];
export const DTYPES: WeightDType[] = ['float32', 'float16', 'bfloat16'];

/** Weight, bias and input of one case, the weight scaled so float16 holds it. */
export function inputs(m: number, n: number, k: number, seed: number) {
  return {
    weight: randomF32(n * k, seed, -2, 2),
    bias: randomF32(n, seed + 1),
    x: randomF32(m * k, seed + 2, -3, 3),
  };
}

/** The weight's values as the kernels see them: rounded to `dtype`, widened back. */
export function rounded(weight: Float32Array, dtype: WeightDType, k: number): Float32Array {
  return dtype === 'float32' ? weight : widenHalfBits(toHalfBits('test', weight, dtype, k), dtype);
}

/** `x·Wᵀ + b` with `backend`'s own matmul (W read transposed in place) and add. */
export function unpacked(
  backend: Backend,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  m: number,
  n: number,
  k: number,
) {
  const out = new Float32Array(m * n);
  const zero = new Int32Array(1);
  backend.matmul({
    a: x,
    b: w,
    out,
    batch: 1,
    m,
    n,
    k,
    aOffsets: zero,
    bOffsets: zero,
    aRowStride: k,
    aColStride: 1,
    bRowStride: 1,
    bColStride: k,
  });
  if (bias) {
    const rowBias = new Float32Array(m * n).map((_, i) => bias[i % n]!);
    backend.binary(
      'add',
      { data: out, offset: 0, strides: [n, 1] },
      { data: rowBias, offset: 0, strides: [n, 1] },
      out,
      [m, n],
    );
  }
  return out;
}

/** `x·Wᵀ + b` through a weight packed by `backend` (released after the product). */
export function applyPacked(
  backend: PackingBackend,
  w: Float32Array,
  bias: Float32Array | null,
  x: Float32Array,
  m: number,
  n: number,
  k: number,
  dtype: WeightDType,
) {
  const packed = backend.packLinear({ weight: w, bias, n, k, dtype });
  const out = new Float32Array(m * n).fill(Number.NaN);
  packed.apply(x, m, out);
  packed.release();
  return out;
}

/** Registers the conformance tests of `packLinear` (packed weights, float32 and 16-bit) for `backend`. */
export function packedLinearConformance({ describe, it }: TestApi, backend: PackingBackend): void {
  describe('packLinear', () => {
    it('multiplies by the rounded weight and adds the bias', () => {
      const [m, n, k] = [3, 5, 7];
      const { weight, bias, x } = inputs(m, n, k, 1);
      for (const dtype of DTYPES) {
        const out = applyPacked(backend, weight, bias, x, m, n, k, dtype);
        const w = rounded(weight, dtype, k);
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            let sum = 0;
            for (let p = 0; p < k; p++) sum += x[i * k + p]! * w[j * k + p]!;
            expect(out[i * n + j]).toBeCloseTo(sum + bias[j]!, 4);
          }
      }
    });

    it('matches the reference, every dtype, with and without a bias', () => {
      for (const [m, n, k] of SHAPES) {
        for (const dtype of DTYPES) {
          const { weight, bias, x } = inputs(m, n, k, m + n + k);
          for (const b of [bias, null]) {
            const got = applyPacked(backend, weight, b, x, m, n, k, dtype);
            const want = applyPacked(jsBackend, weight, b, x, m, n, k, dtype);
            const i = firstMismatch(got, want, 1e-4, 1e-4 * Math.sqrt(k));
            expect(i, `[${m}, ${n}, ${k}] ${dtype}: ${describeMismatch(i, got, want)}`).toBe(-1);
          }
        }
      }
    });

    it('widens float16 subnormals, zero and the largest halves exactly', () => {
      const k = 8;
      const values = [2 ** -24, -(2 ** -24), 3 * 2 ** -20, -(2 ** -14), 0, 65504, -65504, 1 / 3, -2.5, 1e-30];
      const weight = Float32Array.from({ length: values.length * k }, (_, i) =>
        i % k === 0 ? values[i / k]! : 0,
      );
      const x = Float32Array.from({ length: k }, (_, p) => (p === 0 ? 1 : 0));
      for (const dtype of ['float16', 'bfloat16'] as const) {
        const out = applyPacked(backend, weight, null, x, 1, values.length, k, dtype);
        const want = rounded(Float32Array.from(values), dtype, 1);
        expect(out).toEqual(want);
      }
    });

    it("rounds weights to 16 bits as torch's .half() and .bfloat16() do (the fixture's values)", () => {
      const values = new Float32Array(Uint32Array.from(reference.float32Bits).buffer);
      for (const [dtype, want, limit] of [
        ['float16', reference.float16, 65520],
        ['bfloat16', reference.bfloat16, 3.3e38],
      ] as const) {
        const keep = Array.from(values.keys()).filter((i) => Math.abs(values[i]!) < limit);
        const weight = Float32Array.from(keep, (i) => values[i]!);
        // x = 1 and k = 1: each output is its weight as the kernel sees it
        const out = applyPacked(backend, weight, null, Float32Array.of(1), 1, keep.length, 1, dtype);
        const expected = widenHalfBits(
          Uint16Array.from(keep, (i) => want[i]!),
          dtype,
        );
        const i = out.findIndex((v, j) => !Object.is(v, expected[j]) && !(v === 0 && expected[j] === 0));
        expect(i, `${dtype}: ${weight[i]} → ${out[i]}, torch ${expected[i]}`).toBe(-1);
      }
    });

    it('refuses weights a 16-bit format cannot hold, naming the element', () => {
      const weight = Float32Array.of(1, 2, 70000, 4);
      expect(() => backend.packLinear({ weight, bias: null, n: 2, k: 2, dtype: 'float16' })).toThrow(
        'packLinear: weight element [1, 0] is 70000, which float16 cannot hold (it overflows to Infinity)',
      );
      const nan = Float32Array.of(1, Number.NaN);
      expect(() => backend.packLinear({ weight: nan, bias: null, n: 1, k: 2, dtype: 'bfloat16' })).toThrow(
        'packLinear: weight element [0, 1] is NaN, which bfloat16 cannot hold',
      );
    });

    it('reports its bytes; throws on apply after release; releasing twice is harmless', () => {
      const packed = backend.packLinear({
        weight: randomF32(64 * 32, 3),
        bias: null,
        n: 64,
        k: 32,
        dtype: 'bfloat16',
      });
      expect(packed.bytes).toBeGreaterThanOrEqual(64 * 32 * 2);
      packed.release();
      packed.release();
      expect(() => packed.apply(new Float32Array(32), 1, new Float32Array(64))).toThrow('was released');
    });
  });
}
