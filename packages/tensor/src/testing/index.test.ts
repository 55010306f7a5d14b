import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tensor } from '../ops/creation.js';
import { Tensor } from '../tensor.js';
import {
  assertClose,
  broadcastElementAt,
  broadcastPairArb,
  elementAt,
  errorOf,
  flattenNested,
  indicesOf,
  maxAbsDiff,
  shapeArb,
  stridedOfShapeArb,
  tensorArb,
  valuesOf,
} from './index.js';

describe('reference readers', () => {
  it('indicesOf walks row-major, with one empty index for 0-d', () => {
    expect(indicesOf([2, 2])).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
    expect(indicesOf([])).toEqual([[]]);
    expect(indicesOf([2, 0])).toEqual([]);
  });

  it('elementAt and valuesOf read through strides and offset', () => {
    // storage 0..11, view [[1, 4], [2, 5]]-like: shape [2, 2], strides [1, 3], offset 1
    const t = new Tensor(
      Float64Array.from({ length: 12 }, (_, i) => i),
      [2, 2],
      [1, 3],
      1,
    );
    expect(elementAt(t, [1, 1])).toBe(5);
    expect(valuesOf(t)).toEqual([1, 4, 2, 5]);
    expect(() => elementAt(t, [2, 0])).toThrow('outside');
    expect(() => elementAt(t, [0])).toThrow('wrong rank');
  });

  it('broadcastElementAt drops missing leading axes and pins size-1 axes', () => {
    const col = tensor([[10], [20]]); // [2, 1] broadcast into [3, 2, 4]
    expect(broadcastElementAt(col, [2, 1, 3])).toBe(20);
    expect(broadcastElementAt(col, [0, 0, 3])).toBe(10);
    expect(broadcastElementAt(tensor(7), [1, 2])).toBe(7);
  });

  it('flattenNested infers the shape and rejects ragged input', () => {
    expect(flattenNested([[1, 2, 3]])).toEqual({ shape: [1, 3], values: [1, 2, 3] });
    expect(flattenNested(true)).toEqual({ shape: [], values: [1] });
    expect(() => flattenNested([[1], [2, 3]])).toThrow('ragged');
  });

  it('assertClose fails on shape, value, NaN and infinity mismatches', () => {
    const t = tensor([1, Number.NaN, Number.POSITIVE_INFINITY], { dtype: 'float64' });
    expect(() => assertClose(t, [1, Number.NaN, Number.POSITIVE_INFINITY])).not.toThrow();
    expect(() => assertClose(t, [[1, Number.NaN, Number.POSITIVE_INFINITY]])).toThrow('shape');
    expect(() => assertClose(t, [1.1, Number.NaN, Number.POSITIVE_INFINITY])).toThrow('element 0');
    expect(() => assertClose(t, [1, 0, Number.POSITIVE_INFINITY])).toThrow('element 1');
    expect(() => assertClose(t, [1, Number.NaN, Number.NEGATIVE_INFINITY])).toThrow('element 2');
    expect(() => assertClose(t, [1.05, Number.NaN, Number.POSITIVE_INFINITY], { atol: 0.1 })).not.toThrow();
    expect(() => assertClose(t, [1.05, Number.NaN, Number.POSITIVE_INFINITY], { rtol: 0.01 })).toThrow();
  });

  it('errorOf reports the thrown name and message, or that nothing was thrown', () => {
    expect(
      errorOf(() => {
        throw new RangeError('boom');
      }),
    ).toEqual({ name: 'RangeError', message: 'boom' });
    expect(errorOf(() => 1)).toEqual({ name: 'no error', message: '' });
  });

  it('maxAbsDiff measures the worst difference and treats NaN as infinite', () => {
    expect(maxAbsDiff(tensor([1, 2]), tensor([1.5, 1]))).toBe(1);
    expect(maxAbsDiff(tensor([Number.NaN]), tensor([0]))).toBe(Number.POSITIVE_INFINITY);
    expect(() => maxAbsDiff(tensor([1]), tensor([1, 2]))).toThrow('sizes differ');
  });
});

describe('arbitraries', () => {
  it('shapeArb respects rank and size bounds', () => {
    fc.assert(
      fc.property(shapeArb({ minRank: 1, maxRank: 2, minSize: 2, maxSize: 3 }), (shape) => {
        expect(shape.length).toBeGreaterThanOrEqual(1);
        expect(shape.length).toBeLessThanOrEqual(2);
        for (const d of shape) expect(d === 2 || d === 3).toBe(true);
      }),
    );
  });

  it('broadcastPairArb yields shapes that broadcast under NumPy rules', () => {
    fc.assert(
      fc.property(broadcastPairArb(), ([a, b]) => {
        const n = Math.max(a.length, b.length);
        for (let i = 1; i <= n; i++) {
          const x = a[a.length - i] ?? 1;
          const y = b[b.length - i] ?? 1;
          expect(x === y || x === 1 || y === 1).toBe(true);
        }
      }),
    );
  });

  it('tensorArb values stay in range', () => {
    fc.assert(
      fc.property(tensorArb({}, { min: -1, max: 1, dtype: 'float32' }), (t) => {
        expect(t.dtype).toBe('float32');
        for (const v of valuesOf(t)) expect(Math.abs(v)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('stridedOfShapeArb gives views of the requested shape, usually non-contiguous', () => {
    let nonContiguous = 0;
    fc.assert(
      fc.property(stridedOfShapeArb([3, 2, 2], { broadcast: true }), (t) => {
        expect(t.shape).toEqual([3, 2, 2]);
        if (!t.isContiguous() || t.offset > 0) nonContiguous++;
        expect(valuesOf(t)).toHaveLength(12);
      }),
      { numRuns: 50 },
    );
    expect(nonContiguous).toBeGreaterThan(25);
  });
});
