import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../tensor.js';
import {
  assertClose,
  backendNames,
  elementAt,
  indicesOf,
  stridedOfShapeArb,
  valuesOf,
  withBackend,
} from '../testing/index.js';
import { tensor } from './creation.js';
import {
  argmax,
  cumsum,
  logSoftmax,
  logsumexp,
  max,
  mean,
  min,
  prod,
  softmax,
  sum,
  variance,
} from './reduce.js';

/**
 * Naive reduction: groups the elements of `t` by their coordinates outside `dims` (row-major order of
 * the kept axes) and folds each group with `fold`.
 */
function naiveReduce(
  t: Tensor,
  dims: number[],
  fold: (values: number[]) => number,
): { shape: number[]; values: number[] } {
  const kept = t.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const groups = new Map<string, number[]>();
  for (const index of indicesOf(t.shape)) {
    const key = kept.map((i) => index[i]).join(',');
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(elementAt(t, index));
  }
  const shape = kept.map((i) => t.shape[i]!);
  return { shape, values: indicesOf(shape).map((index) => fold(groups.get(index.join(','))!)) };
}

const caseArb = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 })
  .chain((shape) =>
    fc.tuple(
      stridedOfShapeArb(shape, { broadcast: true }),
      fc.subarray(shape.map((_, i) => i)),
      fc.boolean(),
      fc.boolean(),
    ),
  );

const total = (v: number[]) => v.reduce((a, b) => a + b, 0);
const folds: [string, typeof sum, (v: number[]) => number, number][] = [
  ['sum', sum, total, 1e-13],
  ['prod', prod, (v) => v.reduce((a, b) => a * b, 1), 1e-13],
  ['mean', mean, (v) => total(v) / v.length, 1e-13],
  ['max', max, (v) => Math.max(...v), 0],
  ['min', min, (v) => Math.min(...v), 0],
  ['logsumexp', logsumexp, (v) => Math.log(total(v.map(Math.exp))), 1e-13],
  [
    'variance',
    (t, dim, o) => variance(t, dim, o),
    (v) => {
      const m = total(v) / v.length;
      return total(v.map((x) => (x - m) ** 2)) / (v.length - 1);
    },
    1e-12,
  ],
];

describe.each(backendNames())(
  'reduction properties (%s backend, float64, any layout and dims)',
  (backend) => {
    it.each(folds)('%s equals a naive fold over each group', (_name, op, fold, rtol) => {
      withBackend(backend, () =>
        fc.assert(
          fc.property(caseArb, ([t, dims, keepdim, byNegative]) => {
            const out = op(t, byNegative ? dims.map((d) => d - t.ndim) : dims, { keepdim });
            const want = naiveReduce(t, dims, fold);
            expect(out.shape).toEqual(
              keepdim ? t.shape.map((d, i) => (dims.includes(i) ? 1 : d)) : want.shape,
            );
            if (dims.length === t.ndim) expect(valuesOf(op(t))).toEqual(valuesOf(out));
            assertClose(
              out.reshape(want.shape),
              tensor(want.values, { dtype: 'float64', shape: want.shape }),
              {
                rtol,
                atol: 1e-13,
              },
            );
          }),
          { numRuns: 60 },
        ),
      );
    });

    it('argmax is the first index of the maximum along a dim', () => {
      const arb = caseArb
        .map(([t]) => [t.mul(2).round(), t.ndim] as const)
        .chain(([t, nd]) => fc.tuple(fc.constant(t), fc.nat(nd - 1)));
      withBackend(backend, () =>
        fc.assert(
          fc.property(arb, ([t, dim]) => {
            const want = naiveReduce(t, [dim], (v) => v.indexOf(Math.max(...v)));
            expect(valuesOf(argmax(t, dim))).toEqual(want.values);
          }),
          { numRuns: 60 },
        ),
      );
    });

    it('softmax, logSoftmax and cumsum along any dim equal naive per-row loops', () => {
      const arb = caseArb.chain(([t]) => fc.tuple(fc.constant(t), fc.nat(t.ndim - 1)));
      withBackend(backend, () =>
        fc.assert(
          fc.property(arb, ([t, dim]) => {
            const s = softmax(t, dim);
            const l = logSoftmax(t, dim);
            const c = cumsum(t, dim);
            for (const index of indicesOf(t.shape)) {
              const row = Array.from({ length: t.shape[dim]! }, (_, k) =>
                elementAt(
                  t,
                  index.map((v, a) => (a === dim ? k : v)),
                ),
              );
              const x = elementAt(t, index);
              const z = total(row.map(Math.exp));
              expect(elementAt(s, index)).toBeCloseTo(Math.exp(x) / z, 14);
              expect(elementAt(l, index)).toBeCloseTo(x - Math.log(z), 13);
              expect(elementAt(c, index)).toBeCloseTo(total(row.slice(0, index[dim]! + 1)), 13);
            }
          }),
          { numRuns: 60 },
        ),
      );
    });
  },
);
