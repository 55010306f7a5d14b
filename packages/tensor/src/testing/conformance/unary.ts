import { expect } from 'vitest';
import type { UnaryOp } from '../../backend/backend.js';
import { jsBackend } from '../../backend/js/index.js';
import type { AnyBackend } from '../../backend/registry.js';
import { holds, runKernel } from './harness.js';
import { describeMismatch, firstMismatch, randomF32 } from './helpers.js';
import type { TestApi } from './test-api.js';

/** Ops whose float32 result is correctly rounded, so every backend must agree exactly. */
const EXACT: UnaryOp[] = [
  'neg',
  'abs',
  'relu',
  'sign',
  'square',
  'sqrt',
  'reciprocal',
  'floor',
  'ceil',
  'round',
];
/** Ops computed by approximations (a few ulp in float32). */
const APPROX: UnaryOp[] = ['exp', 'log', 'rsqrt', 'tanh', 'sigmoid', 'gelu', 'geluTanh', 'silu', 'erf'];
const OTHERS: UnaryOp[] = ['sin', 'cos', 'logicalNot'];

const SPECIAL = [
  0,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1e-40,
  -1e-40,
  1e-7,
  -1e-7,
  0.5,
  -0.5,
  1.5,
  2.5,
  -2.5,
  88.7,
  89,
  -87.5,
  -104,
  -200,
  3e38,
  -3e38,
];

/** Random values over many magnitudes, then the special values. */
function inputs(n: number, seed: number): Float32Array {
  const x = randomF32(n, seed, -8, 8);
  const scale = randomF32(n, seed + 1, -3, 3);
  for (let i = 0; i < n; i++) x[i] = x[i]! * 10 ** scale[i]!;
  return x;
}

/** `op` of `x` on `backend` and on the reference: exactly for correctly rounded ops and float64, else to a few ulp. */
async function check(backend: AnyBackend, op: UnaryOp, x: Float32Array | Float64Array): Promise<void> {
  const expected = x instanceof Float32Array ? new Float32Array(x.length) : new Float64Array(x.length);
  jsBackend.unary(op, x, expected);
  const { out: actual } = await runKernel(backend, { x, out: expected.map(() => 0) }, ['out'], (a) =>
    backend.unary(op, a.x, a.out),
  );
  const exact = EXACT.includes(op) || x instanceof Float64Array;
  const i = firstMismatch(actual, expected, exact ? 0 : 1e-5, exact ? 0 : 1e-7);
  expect(i, `${op} of ${x[i]}: ${describeMismatch(i, actual, expected)}`).toBe(-1);
}

/** Registers the conformance tests of unary elementwise kernels for `backend`. */
export function unaryConformance({ describe, it }: TestApi, backend: AnyBackend): void {
  describe('unary', () => {
    for (const op of [...EXACT, ...APPROX, ...OTHERS]) {
      it(`${op} on float32, sizes 1..1000 (tails) and special values`, async () => {
        for (const n of [1, 3, 17, 65, 127, 1000]) await check(backend, op, inputs(n, n));
        await check(backend, op, Float32Array.from(SPECIAL));
      });
    }

    if (holds(backend, 'float64'))
      it('float64 inputs match the reference exactly', async () => {
        for (const op of [...EXACT, ...APPROX]) await check(backend, op, Float64Array.from(inputs(33, 7)));
      });

    it('int32 inputs (neg, abs, square, sign, relu) match the reference exactly', async () => {
      const ints = Int32Array.from([-3, -1, 0, 2, 7]);
      for (const op of ['neg', 'abs', 'square', 'sign', 'relu'] as const) {
        const expected = new Int32Array(ints.length);
        jsBackend.unary(op, ints, expected);
        const { out } = await runKernel(backend, { ints, out: new Int32Array(ints.length) }, ['out'], (a) =>
          backend.unary(op, a.ints, a.out),
        );
        expect([...out], op).toEqual([...expected]);
      }
    });
  });
}
