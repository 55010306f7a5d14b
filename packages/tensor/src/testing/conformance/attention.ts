import { expect } from 'vitest';
import type { AttentionArgs, MatrixBatch } from '../../backend/backend.js';
import { contiguousBatch } from '../../backend/js/fused-attention.js';
import { jsBackend } from '../../backend/js/index.js';
import type { AnyBackend } from '../../backend/registry.js';
import { holds, runKernel } from './harness.js';
import { describeMismatch, firstMismatch, randomF32 } from './helpers.js';
import type { TestApi } from './test-api.js';

/** The fused scaled dot-product attention of every backend against the JS reference. */

type Shape = Pick<AttentionArgs, 'batch' | 'groups' | 'L' | 'S' | 'E' | 'Ev' | 'causal'>;

const SHAPES: Shape[] = [
  { batch: 1, groups: 1, L: 1, S: 1, E: 1, Ev: 1, causal: false },
  { batch: 2, groups: 1, L: 3, S: 5, E: 2, Ev: 3, causal: true }, // KV cache: L < S
  { batch: 3, groups: 1, L: 9, S: 9, E: 5, Ev: 7, causal: true },
  { batch: 2, groups: 1, L: 6, S: 11, E: 4, Ev: 12, causal: false },
  { batch: 4, groups: 2, L: 13, S: 13, E: 8, Ev: 8, causal: true }, // grouped-query heads
  { batch: 6, groups: 3, L: 5, S: 17, E: 6, Ev: 4, causal: false },
  { batch: 3, groups: 1, L: 64, S: 64, E: 32, Ev: 32, causal: true }, // the GPT heads
  { batch: 2, groups: 1, L: 33, S: 70, E: 16, Ev: 20, causal: true },
];

/**
 * Random q, k, v in one of three layouts: contiguous; q and k transposed in one shared storage (as
 * the views of a fused projection, so one copy into the kernel memory serves both); v with both
 * strides above 1 (the scalar gather).
 */
function layouts(s: Shape, seed: number, layout: number): { q: MatrixBatch; k: MatrixBatch; v: MatrixBatch } {
  const { batch, groups, L, S, E, Ev } = s;
  const kv = batch / groups;
  if (layout === 0)
    return {
      q: contiguousBatch(randomF32(batch * L * E, seed, -2, 2), batch, L, E),
      k: contiguousBatch(randomF32(kv * S * E, seed + 1, -2, 2), kv, S, E),
      v: contiguousBatch(randomF32(kv * S * Ev, seed + 2), kv, S, Ev),
    };
  const shared = randomF32(batch * L * E + kv * S * E + 5, seed, -2, 2);
  const transposed = (start: number, count: number, rows: number, cols: number): MatrixBatch => ({
    data: shared,
    offsets: Int32Array.from({ length: count }, (_, b) => start + b * rows * cols),
    rowStride: 1,
    colStride: rows,
  });
  const vData = randomF32(kv * S * Ev * 2 + 3, seed + 2);
  return {
    q: transposed(5, batch, L, E),
    k: transposed(5 + batch * L * E, kv, S, E),
    v:
      layout === 1
        ? contiguousBatch(vData, kv, S, Ev)
        : {
            data: vData,
            offsets: Int32Array.from({ length: kv }, (_, b) => 3 + b),
            rowStride: 2 * kv * Ev,
            colStride: 2 * kv,
          },
  };
}

/** A float32 additive mask with about a fifth of the keys at −∞, never key 0 (so no empty row). */
function randomMask(batch: number, L: number, S: number, seed: number): Float32Array {
  const m = randomF32(batch * L * S, seed, -2, 2);
  for (let i = 0; i < m.length; i++) if (i % S !== 0 && m[i]! > 1.2) m[i] = Number.NEGATIVE_INFINITY;
  return m;
}

function expectClose(
  actual: Float32Array,
  expected: Float32Array,
  what: string,
  rtol = 2e-4,
  atol = 2e-5,
): void {
  const i = firstMismatch(actual, expected, rtol, atol);
  expect(i, `${what}: ${describeMismatch(i, actual, expected)}`).toBe(-1);
}

type AttentionInputs = Omit<AttentionArgs, 'out' | 'lse'>;

/** `out` and `lse` of the fused attention on `backend`, read back. */
function attention(backend: AnyBackend, args: AttentionInputs) {
  const outputs = {
    out: new Float32Array(args.batch * args.L * args.Ev),
    lse: new Float32Array(args.batch * args.L),
  };
  return runKernel(backend, { ...args, ...outputs }, ['out', 'lse'], (a) => backend.attention!(a));
}

/** Registers the conformance tests of the fused attention kernels for `backend`. */
export function attentionConformance({ describe, it }: TestApi, backend: AnyBackend): void {
  if (backend.attention && backend.attentionBackward)
    describe('fused attention', () => {
      it('forward and backward: causal, KV-cache, grouped-query and masked shapes', async () => {
        for (const [n, shape] of SHAPES.entries()) {
          const { batch, groups, L, S, E, Ev } = shape;
          const kv = batch / groups;
          for (const maskBatch of [0, 1, batch]) {
            const seed = 100 * n + maskBatch;
            const args = {
              ...shape,
              ...layouts(shape, seed, n % 3),
              mask: maskBatch ? randomMask(maskBatch, L, S, seed + 3) : null,
              maskBatch: Math.max(1, maskBatch),
              scale: 0.3 + 0.1 * n,
            };
            const what = `attention ${JSON.stringify(shape)} maskBatch=${maskBatch}`;
            const [ref, got] = [await attention(jsBackend, args), await attention(backend, args)];
            expectClose(got.out, ref.out, what);
            expectClose(got.lse, ref.lse, `${what} lse`);
            // the upstream gradient contiguous, or (odd layouts) as the view of a [batch, L·2, Ev] block
            const dout =
              n % 2 === 0
                ? contiguousBatch(randomF32(batch * L * Ev, seed + 4), batch, L, Ev)
                : {
                    data: randomF32(batch * 2 * L * Ev, seed + 4),
                    offsets: Int32Array.from({ length: batch }, (_, b) => 2 * b * L * Ev),
                    rowStride: 2 * Ev,
                    colStride: 1,
                  };
            const grads = (b: AnyBackend) => {
              const outputs = {
                dq: new Float32Array(batch * L * E),
                dk: new Float32Array(kv * S * E).fill(Number.NaN), // written, not accumulated into
                dv: new Float32Array(kv * S * Ev).fill(Number.NaN),
              };
              return runKernel(b, { ...args, ...ref, dout, ...outputs }, ['dq', 'dk', 'dv'], (a) =>
                b.attentionBackward!(a),
              );
            };
            const [gref, ggot] = [await grads(jsBackend), await grads(backend)];
            expectClose(ggot.dq, gref.dq, `${what} dq`, 1e-3, 1e-4);
            expectClose(ggot.dk, gref.dk, `${what} dk`, 1e-3, 1e-4);
            expectClose(ggot.dv, gref.dv, `${what} dv`, 1e-3, 1e-4);
          }
        }
      });

      it('reads keys and values from the used rows of a KV cache whose buffers are mostly empty', async () => {
        // [kv, capacity, E] buffers of which S rows per head are filled, one query per head (decoding)
        const [batch, groups, S, E, capacity] = [6, 2, 37, 8, 1000];
        const kv = batch / groups;
        const cacheView = (data: Float32Array): MatrixBatch => ({
          data,
          offsets: Int32Array.from({ length: kv }, (_, h) => h * capacity * E),
          rowStride: E,
          colStride: 1,
        });
        const args = {
          batch,
          groups,
          L: 1,
          S,
          E,
          Ev: E,
          causal: true,
          q: contiguousBatch(randomF32(batch * E, 1, -2, 2), batch, 1, E),
          k: cacheView(randomF32(kv * capacity * E, 2, -2, 2)),
          v: cacheView(randomF32(kv * capacity * E, 3)),
          mask: null,
          maskBatch: 1,
          scale: 0.4,
        };
        const [ref, got] = [await attention(jsBackend, args), await attention(backend, args)];
        expectClose(got.out, ref.out, 'attention over a KV cache');
      });

      it('queries that see no key (causal with L > S) are NaN; the others match', async () => {
        const shape = { batch: 2, groups: 1, L: 7, S: 3, E: 4, Ev: 5, causal: true };
        const args = { ...shape, ...layouts(shape, 1, 0), mask: null, maskBatch: 1, scale: 0.5 };
        const [ref, got] = [await attention(jsBackend, args), await attention(backend, args)];
        expect(Number.isNaN(got.out[0]!) && Number.isNaN(got.out[4 * 5 - 1]!)).toBe(true);
        expectClose(got.out, ref.out, 'attention L > S');
      });

      if (holds(backend, 'float64'))
        it('float64 matches the reference exactly (the reference is the fallback)', async () => {
          const args = {
            batch: 1,
            groups: 1,
            L: 3,
            S: 4,
            E: 2,
            Ev: 2,
            causal: true,
            mask: null,
            maskBatch: 1,
            q: contiguousBatch(Float64Array.from(randomF32(6, 1)), 1, 3, 2),
            k: contiguousBatch(Float64Array.from(randomF32(8, 2)), 1, 4, 2),
            v: contiguousBatch(Float64Array.from(randomF32(8, 3)), 1, 4, 2),
            scale: 0.7,
          };
          const expected = { out: new Float64Array(6), lse: new Float64Array(3) };
          jsBackend.attention({ ...args, ...expected });
          const { out } = await runKernel(
            backend,
            { ...args, out: new Float64Array(6), lse: new Float64Array(3) },
            ['out'],
            (a) => backend.attention!(a),
          );
          expect([...out]).toEqual([...expected.out]);
        });
    });
}
