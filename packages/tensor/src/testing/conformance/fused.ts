import { expect } from 'vitest';
import type { UnaryGradOp } from '../../backend/backend.js';
import { jsBackend } from '../../backend/js/index.js';
import type { AnyBackend } from '../../backend/registry.js';
import type { FloatArray } from '../../dtype.js';
import { holds, runKernel } from './harness.js';
import { describeMismatch, firstMismatch, randomF32 } from './helpers.js';
import type { TestApi } from './test-api.js';

/** Activation derivatives and the AdamW step of every backend against the JS reference. */

const GRAD_OPS: UnaryGradOp[] = ['gelu', 'geluTanh', 'silu', 'relu', 'sigmoid', 'tanh'];

/** `dx = dy·op'(x)` on `backend`, read back. */
async function unaryBackward(backend: AnyBackend, op: UnaryGradOp, x: FloatArray, dy: FloatArray) {
  const args = { x, dy, dx: x.map(() => 0) };
  return (await runKernel(backend, args, ['dx'], (a) => backend.unaryBackward!(op, a.x, a.dy, a.dx))).dx;
}

/** Registers the conformance tests of the activation derivatives and the AdamW step for `backend`. */
export function fusedConformance({ describe, it }: TestApi, backend: AnyBackend): void {
  describe('activation derivatives and adamw', () => {
    /** Sizes 1..1000 (tails) of seeded inputs with x[0] = 0. */
    const cases = () =>
      [1, 3, 17, 65, 127, 1000].map((n) => {
        const x = randomF32(n, n, -9, 9);
        x[0] = 0;
        return { x, dy: randomF32(n, n + 1) };
      });
    for (const op of backend.unaryBackward ? GRAD_OPS : []) {
      it(`unaryBackward ${op} on float32`, async () => {
        for (const { x, dy } of cases()) {
          const expected = new Float32Array(x.length);
          jsBackend.unaryBackward(op, x, dy, expected);
          const actual = await unaryBackward(backend, op, x, dy);
          const i = firstMismatch(actual, expected, 1e-5, 1e-6);
          expect(i, `${op}'(${x[i]}): ${describeMismatch(i, actual, expected)}`).toBe(-1);
        }
      });

      if (holds(backend, 'float64'))
        it(`unaryBackward ${op} on float64 matches the reference exactly`, async () => {
          for (const { x, dy } of cases()) {
            const [x64, dy64] = [Float64Array.from(x), Float64Array.from(dy)];
            const expected = new Float64Array(x.length);
            jsBackend.unaryBackward(op, x64, dy64, expected);
            expect([...(await unaryBackward(backend, op, x64, dy64))]).toEqual([...expected]);
          }
        });
    }

    if (backend.unaryBackward)
      it('relu backward passes 0 for x <= 0 whatever dy is (inf, NaN)', async () => {
        const x = Float32Array.of(-1, 0, 2, -3, 5);
        const dy = Float32Array.of(Number.POSITIVE_INFINITY, Number.NaN, 3, Number.NaN, Number.NaN);
        expect([...(await unaryBackward(backend, 'relu', x, dy))]).toEqual([0, 0, 3, 0, Number.NaN]);
      });

    if (backend.adamw)
      it('adamw: ten steps track the reference (params and moments, updated in place)', async () => {
        for (const n of [1, 3, 17, 1001]) {
          const initial = () => ({ param: randomF32(n, n), m: new Float32Array(n), v: new Float32Array(n) });
          const ref = initial();
          let got = initial();
          for (let step = 1; step <= 10; step++) {
            const hyper = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, step };
            const grad = randomF32(n, 100 * n + step, -0.1, 0.1);
            jsBackend.adamw({ ...ref, ...hyper, grad });
            got = await runKernel(backend, { ...got, ...hyper, grad }, ['param', 'm', 'v'], (a) =>
              backend.adamw!(a),
            );
          }
          for (const key of ['param', 'm', 'v'] as const) {
            const i = firstMismatch(got[key], ref[key], 1e-5, 1e-7);
            expect(i, `adamw ${key} n=${n}: ${describeMismatch(i, got[key], ref[key])}`).toBe(-1);
          }
        }
      });
  });
}
