import { type Dims, type Tensor, tensor } from '@proj/tensor';
import fc from 'fast-check';
import * as A from '../index.js';
import type { Variable } from '../variable.js';
import { axis, type CaseSet, dims, distinct, smallShape, type Trial, values } from './arbitraries.js';

type ValuesOf = (shape: readonly number[]) => fc.Arbitrary<Tensor>;
type Reduction = (x: Variable, dim: Dims, options: { keepdim: boolean }) => Variable;

/** A random shape with a random `dim` argument and `keepdim`. */
const reductionArgs = smallShape().chain((shape) =>
  fc.tuple(fc.constant(shape), dims(shape.length), fc.boolean()),
);

/** Number of elements each output entry of a reduction over `dim` sums. */
function reducedCount(shape: readonly number[], dim: Dims): number {
  if (dim === undefined) return shape.reduce((p, d) => p * d, 1);
  const axes = typeof dim === 'number' ? [dim] : dim;
  return axes.reduce((p, a) => p * shape[a < 0 ? a + shape.length : a]!, 1);
}

/** A reduction over any axes (negative included) with and without keepdim, and on a transposed view. */
function reduction(op: Reduction, valuesOf: ValuesOf = values, minCount = 1): CaseSet {
  return {
    'any dims, keepdim or not': reductionArgs
      .filter(([shape, dim]) => reducedCount(shape, dim) >= minCount)
      .chain(([shape, dim, keepdim]) =>
        valuesOf(shape).map((x): Trial => ({ inputs: [x], fn: (v) => op(v, dim, { keepdim }) })),
      ),
    'transposed view, last axis': smallShape({ minRank: 2, minSize: Math.min(minCount, 2) }).chain((shape) =>
      valuesOf(shape).map(
        (x): Trial => ({ inputs: [x], fn: (v) => op(A.transpose(v, 0, -1), -1, { keepdim: false }) }),
      ),
    ),
  };
}

/** Values with one or two entries set exactly to zero (prod's special cases). */
function withZeros(count: 1 | 2): fc.Arbitrary<Trial> {
  return smallShape({ minRank: 1 })
    .filter((s) => s.reduce((p, d) => p * d, 1) >= count)
    .chain((shape) =>
      fc.tuple(
        values(shape),
        fc.shuffledSubarray(
          Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => i),
          { minLength: count, maxLength: count },
        ),
        dims(shape.length),
      ),
    )
    .map(([x, at, dim]): Trial => {
      const data = (x.data() as Float64Array).slice();
      for (const i of at) data[i] = 0;
      return { inputs: [tensor(data, { dtype: 'float64', shape: x.shape })], fn: (v) => A.prod(v, dim) };
    });
}

/** Variance-type reductions with Bessel's correction or without (spread kept positive). */
function spread(op: 'var' | 'std'): CaseSet {
  const cases: Record<string, fc.Arbitrary<Trial>> = {};
  for (const correction of [0, 1]) {
    const run = (v: Variable, dim: Dims, keepdim: boolean) =>
      op === 'var'
        ? correction === 1
          ? v.var(dim, { keepdim })
          : A.variance(v, dim, { keepdim, correction })
        : A.std(v, dim, { keepdim, correction });
    Object.assign(
      cases,
      Object.fromEntries(
        Object.entries(reduction((v, dim, { keepdim }) => run(v, dim, keepdim), distinct, 2)).map(
          ([name, arb]) => [`correction ${correction}, ${name}`, arb],
        ),
      ),
    );
  }
  return cases;
}

/** Gradient checks of every differentiable reduction (ops/reduce.ts). */
export const reduceCases = {
  sum: reduction(A.sum),
  mean: reduction((v, dim, options) => v.mean(dim, options)),
  prod: {
    ...reduction(A.prod),
    'one exact zero': withZeros(1),
    'two exact zeros': withZeros(2),
  },
  max: reduction(A.max, distinct),
  min: reduction((v, dim, options) => v.min(dim, options), distinct),
  variance: spread('var'),
  std: spread('std'),
  logsumexp: reduction(A.logsumexp, (s) => values(s, -5, 5)),
  cumsum: {
    'any axis': smallShape({ minRank: 1 }).chain((shape) =>
      fc
        .tuple(values(shape), axis(shape.length))
        .map(([x, dim]): Trial => ({ inputs: [x], fn: (v) => A.cumsum(v, dim) })),
    ),
    'transposed view': smallShape({ minRank: 2 }).chain((shape) =>
      values(shape).map((x): Trial => ({ inputs: [x], fn: (v) => A.transpose(v, 0, -1).cumsum(0) })),
    ),
  },
} satisfies Record<string, CaseSet>;
