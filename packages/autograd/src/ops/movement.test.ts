import * as T from '@proj/tensor';
import { tensorArb } from '@proj/tensor/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunk, split, topk, variable } from '../index.js';

/** A tensor of rank >= 1 with an axis and a positive integer (a size or a count). */
const args = tensorArb({ minRank: 1, maxRank: 3, maxSize: 5 }).chain((x) =>
  fc.tuple(fc.constant(x), fc.integer({ min: -x.ndim, max: x.ndim - 1 }), fc.integer({ min: 1, max: 6 })),
);

describe('ops re-implemented on Variables agree with @proj/tensor', () => {
  it('split and chunk give the same parts as the tensor ops', () => {
    fc.assert(
      fc.property(args, ([x, dim, n]) => {
        const same = (got: { data: T.Tensor }[], want: T.Tensor[]) => {
          expect(got.map((p) => p.data.toArray())).toEqual(want.map((p) => p.toArray()));
        };
        same(split(variable(x), n, dim), T.split(x, n, dim));
        same(chunk(variable(x), n, dim), T.chunk(x, n, dim));
      }),
      { numRuns: 50 },
    );
  });

  it('topk returns the tensor topk values (differentiable) and indices', () => {
    fc.assert(
      fc.property(args, fc.boolean(), ([x, dim, n], largest) => {
        const k = Math.min(n, x.shape.at(dim)!);
        const got = topk(variable(x), k, { dim, largest });
        const want = T.topk(x, k, { dim, largest });
        expect(got.values.data.toArray()).toEqual(want.values.toArray());
        expect(got.indices.toArray()).toEqual(want.indices.toArray());
      }),
      { numRuns: 50 },
    );
  });
});
