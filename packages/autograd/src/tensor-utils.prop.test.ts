import { broadcastShapes, type Tensor, tensor } from '@proj/tensor';
import { broadcastPairArb, tensorOfShapeArb } from '@proj/tensor/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sumToShape } from './index.js';

/** Row-major multi-index of flat position `p` in `shape`. */
function unravel(p: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let a = shape.length - 1; a >= 0; a--) {
    index[a] = p % shape[a]!;
    p = Math.floor(p / shape[a]!);
  }
  return index;
}

/** Reference: every entry of `grad` added into the entry of `shape` it was broadcast from. */
function naiveSumToShape(grad: Tensor, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.reduce((p, d) => p * d, 1)).fill(0);
  const g = grad.data();
  const lead = grad.ndim - shape.length;
  for (let p = 0; p < g.length; p++) {
    const at = unravel(p, grad.shape).slice(lead);
    const flat = at.reduce((acc, i, a) => acc * shape[a]! + (shape[a] === 1 ? 0 : i), 0);
    out[flat]! += g[p]!;
  }
  return out;
}

describe('sumToShape', () => {
  it('sums a broadcast gradient back to the operand shape (against a per-element fold)', () => {
    fc.assert(
      fc.property(
        broadcastPairArb({ maxRank: 4, maxSize: 3 }).chain(([a, b]) => {
          const out = broadcastShapes('sumToShape test', a, b);
          return fc.tuple(fc.constant(a), tensorOfShapeArb(out));
        }),
        ([shape, grad]) => {
          const reduced = sumToShape(grad, shape);
          expect(reduced.shape).toEqual(shape);
          const expected = naiveSumToShape(grad, shape);
          const got = reduced.data();
          expected.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 12));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('is the adjoint of broadcasting: <expand(x), g> = <x, sumToShape(g)>', () => {
    fc.assert(
      fc.property(
        broadcastPairArb({ maxRank: 3, maxSize: 3 }).chain(([a, b]) => {
          const out = broadcastShapes('sumToShape test', a, b);
          return fc.tuple(tensorOfShapeArb(a), tensorOfShapeArb(out));
        }),
        ([x, g]) => {
          const lhs = x.expand(g.shape).mul(g).sum().item();
          const rhs = x.mul(sumToShape(g, x.shape)).sum().item();
          expect(rhs).toBeCloseTo(lhs, 10);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('returns the gradient itself when the shapes already match', () => {
    const g = tensor([[1, 2]]);
    expect(sumToShape(g, [1, 2])).toBe(g);
  });
});
