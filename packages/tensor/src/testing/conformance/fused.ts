import { expect } from 'vitest';
import type { Backend, UnaryGradOp } from '../../backend/backend.js';
import { jsBackend } from '../../backend/js/index.js';
import { describeMismatch, firstMismatch, randomF32 } from './helpers.js';
import type { TestApi } from './test-api.js';

/** Activation derivatives and the AdamW step of every backend against the JS reference. */

const GRAD_OPS: UnaryGradOp[] = ['gelu', 'geluTanh', 'silu', 'relu', 'sigmoid', 'tanh'];

/** Registers the conformance tests of the activation derivatives and the AdamW step for `backend`. */
export function fusedConformance({ describe, it }: TestApi, backend: Backend): void {
  describe('activation derivatives and adamw', () => {
    for (const op of GRAD_OPS) {
      it(`unaryBackward ${op}, float32 and float64`, () => {
        for (const n of [1, 3, 17, 65, 127, 1000]) {
          const x = randomF32(n, n, -9, 9);
          x[0] = 0;
          const dy = randomF32(n, n + 1);
          const expected = new Float32Array(n);
          const actual = new Float32Array(n);
          jsBackend.unaryBackward(op, x, dy, expected);
          backend.unaryBackward!(op, x, dy, actual);
          const i = firstMismatch(actual, expected, 1e-5, 1e-6);
          expect(i, `${op}'(${x[i]}): ${describeMismatch(i, actual, expected)}`).toBe(-1);
          const x64 = Float64Array.from(x);
          const e64 = new Float64Array(n);
          const a64 = new Float64Array(n);
          jsBackend.unaryBackward(op, x64, Float64Array.from(dy), e64);
          backend.unaryBackward!(op, x64, Float64Array.from(dy), a64);
          expect([...a64]).toEqual([...e64]);
        }
      });
    }

    it('relu backward passes 0 for x <= 0 whatever dy is (inf, NaN)', () => {
      const x = Float32Array.of(-1, 0, 2, -3, 5);
      const dy = Float32Array.of(Number.POSITIVE_INFINITY, Number.NaN, 3, Number.NaN, Number.NaN);
      const dx = new Float32Array(5);
      backend.unaryBackward!('relu', x, dy, dx);
      expect([...dx]).toEqual([0, 0, 3, 0, Number.NaN]);
    });

    it('adamw: ten steps track the reference (params and moments)', () => {
      for (const n of [1, 3, 17, 1001]) {
        const state = [jsBackend, backend].map(() => ({
          param: randomF32(n, n),
          m: new Float32Array(n),
          v: new Float32Array(n),
        }));
        for (let step = 1; step <= 10; step++) {
          const grad = randomF32(n, 100 * n + step, -0.1, 0.1);
          [jsBackend, backend].forEach((b, i) => {
            b.adamw!({
              ...state[i]!,
              grad,
              lr: 1e-2,
              beta1: 0.9,
              beta2: 0.95,
              eps: 1e-8,
              weightDecay: 0.1,
              step,
            });
          });
        }
        for (const key of ['param', 'm', 'v'] as const) {
          const i = firstMismatch(state[1]![key], state[0]![key], 1e-5, 1e-7);
          expect(i, `adamw ${key} n=${n}: ${describeMismatch(i, state[1]![key], state[0]![key])}`).toBe(-1);
        }
      }
    });
  });
}
