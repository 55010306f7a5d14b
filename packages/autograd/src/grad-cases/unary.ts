import type { Tensor } from '@proj/tensor';
import fc from 'fast-check';
import * as A from '../index.js';
import type { Variable } from '../variable.js';
import {
  awayFrom,
  awayFromZero,
  type CaseSet,
  positive,
  smallShape,
  type Trial,
  values,
} from './arbitraries.js';

type ValuesOf = (shape: readonly number[]) => fc.Arbitrary<Tensor>;

/** An elementwise op on random shapes (size-1 axes included) and on a transposed, non-contiguous view. */
function elementwise(op: (x: Variable) => Variable, valuesOf: ValuesOf = values): CaseSet {
  const on = (shape: fc.Arbitrary<number[]>, fn: Trial['fn']) =>
    shape.chain((s) => valuesOf(s).map((x): Trial => ({ inputs: [x], fn })));
  return {
    'random shape': on(smallShape(), op),
    'transposed view': on(smallShape({ minRank: 2 }), (x) => op(A.transpose(x, 0, -1))),
  };
}

/** clamp with both bounds, one bound, or the other; values kept off the bounds. */
function clampCases(): CaseSet {
  const bounds = fc.tuple(
    fc.double({ min: -1.5, max: -0.1, noNaN: true }),
    fc.double({ min: 0.1, max: 1.5, noNaN: true }),
  );
  const make = (which: 'both' | 'min' | 'max') =>
    fc.tuple(smallShape(), bounds).chain(([shape, [lo, hi]]) =>
      awayFrom(shape, [lo, hi]).map(
        (x): Trial => ({
          inputs: [x],
          fn: (v) =>
            which === 'both' ? A.clamp(v, lo, hi) : which === 'min' ? A.clamp(v, lo) : v.clamp(undefined, hi),
        }),
      ),
    );
  return { 'min and max': make('both'), 'min only': make('min'), 'max only': make('max') };
}

/** Gradient checks of every differentiable unary op (ops/unary.ts). */
export const unaryCases = {
  neg: elementwise(A.neg),
  exp: elementwise(A.exp),
  log: elementwise(A.log, positive),
  sqrt: elementwise(A.sqrt, positive),
  rsqrt: elementwise(A.rsqrt, positive),
  tanh: elementwise(A.tanh),
  sigmoid: elementwise(
    (x) => x.sigmoid(),
    (s) => values(s, -4, 4),
  ),
  relu: elementwise(A.relu, awayFromZero),
  silu: elementwise(A.silu, (s) => values(s, -4, 4)),
  abs: elementwise((x) => x.abs(), awayFromZero),
  square: elementwise(A.square),
  reciprocal: elementwise(A.reciprocal, (s) => awayFromZero(s, 0.3)),
  sin: elementwise(A.sin, (s) => values(s, -4, 4)),
  cos: elementwise(
    (x) => x.cos(),
    (s) => values(s, -4, 4),
  ),
  erf: elementwise(A.erf),
  gelu: {
    ...elementwise(
      (x) => A.gelu(x),
      (s) => values(s, -4, 4),
    ),
    'tanh approximation': elementwise(
      (x) => x.gelu({ approximate: 'tanh' }),
      (s) => values(s, -4, 4),
    )['random shape']!,
  },
  clamp: clampCases(),
} satisfies Record<string, CaseSet>;
