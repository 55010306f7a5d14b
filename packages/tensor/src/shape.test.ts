import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fmtShape } from './errors.js';
import {
  broadcastShapes,
  checkShape,
  contiguousStrides,
  normalizeDim,
  normalizeDims,
  shapeSize,
  shapesEqual,
} from './shape.js';
import { broadcastPairArb, errorOf } from './testing/index.js';

describe('shape helpers', () => {
  it('shapeSize multiplies axes (1 for a scalar, 0 with an empty axis)', () => {
    expect(shapeSize([2, 3, 4])).toBe(24);
    expect(shapeSize([])).toBe(1);
    expect(shapeSize([3, 0, 2])).toBe(0);
  });

  it('contiguousStrides are row-major', () => {
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(contiguousStrides([5])).toEqual([1]);
    expect(contiguousStrides([])).toEqual([]);
    expect(contiguousStrides([2, 0, 3])).toEqual([0, 3, 1]);
  });

  it('checkShape rejects negative and fractional sizes', () => {
    expect(() => checkShape('zeros', [2, 0, 1])).not.toThrow();
    expect(errorOf(() => checkShape('zeros', [2, -1]))).toEqual({
      name: 'ShapeError',
      message: 'zeros: shape [2, -1] must contain non-negative integers',
    });
    expect(errorOf(() => checkShape('ones', [1.5]))).toMatchObject({ name: 'ShapeError' });
    expect(errorOf(() => checkShape('ones', [Number.NaN]))).toMatchObject({ name: 'ShapeError' });
  });

  it('normalizeDim resolves negative dims and rejects out-of-range ones', () => {
    expect(normalizeDim('sum', -1, 3)).toBe(2);
    expect(normalizeDim('sum', -3, 3)).toBe(0);
    expect(normalizeDim('sum', 2, 3)).toBe(2);
    expect(errorOf(() => normalizeDim('sum', 3, 3))).toEqual({
      name: 'ShapeError',
      message: 'sum: dim 3 is out of range for a tensor with 3 dims',
    });
    expect(errorOf(() => normalizeDim('sum', -4, 3))).toMatchObject({ name: 'ShapeError' });
    expect(errorOf(() => normalizeDim('sum', 0.5, 3))).toMatchObject({ name: 'ShapeError' });
  });

  it('a 0-d tensor accepts dim 0 and -1, as PyTorch', () => {
    expect(normalizeDim('softmax', 0, 0)).toBe(0);
    expect(normalizeDim('softmax', -1, 0)).toBe(0);
    expect(errorOf(() => normalizeDim('softmax', 1, 0))).toMatchObject({ name: 'ShapeError' });
    expect(errorOf(() => normalizeDim('softmax', -2, 0))).toMatchObject({ name: 'ShapeError' });
    expect(normalizeDims('sum', 0, 0)).toEqual([]);
    expect(normalizeDims('sum', undefined, 0)).toEqual([]);
  });

  it('normalizeDims sorts, and rejects repeated axes', () => {
    expect(normalizeDims('sum', undefined, 3)).toEqual([0, 1, 2]);
    expect(normalizeDims('sum', [-1, 0], 3)).toEqual([0, 2]);
    expect(normalizeDims('sum', 1, 3)).toEqual([1]);
    expect(errorOf(() => normalizeDims('sum', [0, -3], 3))).toEqual({
      name: 'ShapeError',
      message: 'sum: dims [0,-3] repeat an axis',
    });
  });

  it('broadcastShapes follows NumPy rules and names the op and shapes on failure', () => {
    expect(broadcastShapes('add', [2, 1, 3], [4, 1])).toEqual([2, 4, 3]);
    expect(broadcastShapes('add', [], [2, 3])).toEqual([2, 3]);
    expect(broadcastShapes('add', [0], [1])).toEqual([0]);
    expect(broadcastShapes('where', [3, 1], [1, 2], [2])).toEqual([3, 2]);
    expect(errorOf(() => broadcastShapes('add', [2, 3], [4, 3]))).toEqual({
      name: 'ShapeError',
      message: 'add: shapes [2, 3] and [4, 3] cannot be broadcast (axis -2: 2 vs 4)',
    });
  });

  it('broadcastShapes of any broadcastable pair takes the larger size per trailing axis', () => {
    fc.assert(
      fc.property(broadcastPairArb({ maxRank: 4 }), ([a, b]) => {
        const out = broadcastShapes('add', a, b);
        const n = Math.max(a.length, b.length);
        expect(out).toHaveLength(n);
        for (let i = 1; i <= n; i++) {
          expect(out[n - i]).toBe(Math.max(a[a.length - i] ?? 1, b[b.length - i] ?? 1));
        }
      }),
    );
  });

  it('shapesEqual and fmtShape', () => {
    expect(shapesEqual([2, 3], [2, 3])).toBe(true);
    expect(shapesEqual([2, 3], [3, 2])).toBe(false);
    expect(shapesEqual([2], [2, 1])).toBe(false);
    expect(fmtShape([2, 3])).toBe('[2, 3]');
    expect(fmtShape([])).toBe('[]');
  });
});
