import { broadcastShapes, type Tensor } from '@proj/tensor';
import { broadcastPairArb } from '@proj/tensor/testing';
import fc from 'fast-check';
import * as A from '../index.js';
import type { Variable, VariableLike } from '../variable.js';
import {
  awayFromZero,
  boolMask,
  broadcastableTo,
  type CaseSet,
  interleaved,
  positive,
  smallShape,
  type Trial,
  values,
} from './arbitraries.js';

type ValuesOf = (shape: readonly number[]) => fc.Arbitrary<Tensor>;
type Op = (a: Variable, b: VariableLike) => Variable;

/** Broadcastable shape pairs, either operand the smaller one. */
const pairs = fc
  .tuple(broadcastPairArb({ maxRank: 3, maxSize: 3 }), fc.boolean())
  .map(([[a, b], swap]): [number[], number[]] => (swap ? [b, a] : [a, b]));

/**
 * A broadcasting binary op: random broadcastable pairs, a scalar on either side, and a transposed
 * (non-contiguous) left operand.
 */
function broadcasting(op: Op, left: ValuesOf = values, right: ValuesOf = values): CaseSet {
  const scalar = 1.7;
  return {
    'broadcast pair': pairs.chain(([sa, sb]) =>
      fc.tuple(left(sa), right(sb)).map(([a, b]): Trial => ({ inputs: [a, b], fn: op })),
    ),
    'scalar right operand': smallShape().chain((s) =>
      left(s).map((a): Trial => ({ inputs: [a], fn: (x) => op(x, scalar) })),
    ),
    'transposed left operand': smallShape({ minRank: 2 }).chain((s) =>
      fc
        .tuple(left(s), right([...s].reverse()))
        .map(([a, b]): Trial => ({ inputs: [a, b], fn: (x, y) => op(A.transpose(x, 0, -1), y) })),
    ),
  };
}

/** The exponent's gradient needs a positive base; a constant integer exponent allows any base. */
function powCases(): CaseSet {
  return {
    ...broadcasting(A.pow, positive, (s) => values(s, -2, 2)),
    'integer exponent, any base': fc
      .tuple(smallShape(), fc.integer({ min: 2, max: 3 }))
      .chain(([s, n]) => values(s).map((a): Trial => ({ inputs: [a], fn: (x) => x.pow(n) }))),
    'scalar base': smallShape().chain((s) =>
      values(s).map((b): Trial => ({ inputs: [b], fn: (y) => A.pow(1.5, y) })),
    ),
  };
}

/** `where` with a condition, `a` and `b` all broadcast together (the result may be larger than either). */
function whereCases(): CaseSet {
  return {
    'broadcast condition and operands': pairs.chain(([sa, sb]) => {
      const out = broadcastShapes('where', sa, sb);
      return broadcastableTo(out).chain((sc) =>
        fc
          .tuple(boolMask(sc), values(sa), values(sb))
          .map(([cond, a, b]): Trial => ({ inputs: [a, b], fn: (x, y) => A.where(cond, x, y) })),
      );
    }),
    'full condition, scalar operand': smallShape().chain((s) =>
      fc.tuple(boolMask(s), values(s)).map(
        ([cond, a]): Trial => ({
          inputs: [a],
          fn: (x) => A.where(cond, x, 0.5),
        }),
      ),
    ),
  };
}

/** `maskedFill` with a mask that broadcasts to the input. */
function maskedFillCases(): CaseSet {
  return {
    'broadcast mask': smallShape().chain((s) =>
      broadcastableTo(s).chain((sm) =>
        fc.tuple(boolMask(sm), values(s)).map(
          ([mask, x]): Trial => ({
            inputs: [x],
            fn: (v) => v.maskedFill(mask, -3),
          }),
        ),
      ),
    ),
    'transposed input': smallShape({ minRank: 2 }).chain((s) =>
      fc.tuple(boolMask([...s].reverse()), values(s)).map(
        ([mask, x]): Trial => ({
          inputs: [x],
          fn: (v) => A.maskedFill(A.transpose(v, 0, -1), mask, 0),
        }),
      ),
    ),
  };
}

/** Gradient checks of every differentiable binary op (ops/binary.ts). */
export const binaryCases = {
  add: broadcasting(A.add),
  sub: broadcasting((a, b) => a.sub(b)),
  mul: broadcasting(A.mul),
  div: broadcasting(A.div, values, (s) => awayFromZero(s, 0.3)),
  pow: powCases(),
  maximum: broadcasting(
    A.maximum,
    (s) => interleaved(s, false),
    (s) => interleaved(s, true),
  ),
  minimum: broadcasting(
    (a, b) => a.minimum(b),
    (s) => interleaved(s, false),
    (s) => interleaved(s, true),
  ),
  where: whereCases(),
  maskedFill: maskedFillCases(),
} satisfies Record<string, CaseSet>;
