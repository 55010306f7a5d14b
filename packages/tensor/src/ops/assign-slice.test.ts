import { describe, expect, it } from 'vitest';
import { errorOf } from '../testing/index.js';
import { assignSlice } from './assign-slice.js';
import { arange, zeros } from './creation.js';

describe('assignSlice', () => {
  it('writes the slab as narrow(...).assign would, for dense and strided sources, short and long runs', () => {
    for (const [shape, dim, start, length] of [
      [[3, 10, 2], 1, 4, 5], // runs of 10 elements
      [[2, 3, 80], 2, 8, 70], // runs of 70: block copies
      [[6, 4], 0, 1, 3], // a slab of the first axis: one run
    ] as const) {
      const srcShape = shape.map((s, i) => (i === dim ? length : s));
      const count = srcShape.reduce((a, b) => a * b, 1);
      for (const src of [
        arange(count).add(1).to('float32').reshape(srcShape),
        arange(count)
          .add(1)
          .to('float32')
          .reshape([...srcShape].reverse())
          .permute(srcShape.map((_, i) => srcShape.length - 1 - i)),
      ]) {
        const expected = zeros([...shape]);
        expected.narrow(dim, start, length).assign(src);
        const out = zeros([...shape]);
        assignSlice(out, dim, start, src);
        expect(out.toArray()).toEqual(expected.toArray());
      }
    }
  });

  it('names the op, the shapes and the dtypes when the source does not fit', () => {
    expect(errorOf(() => assignSlice(zeros([2, 5]), 1, 3, zeros([2, 3]))).message).toBe(
      'assignSlice: source [2, 3] does not fit at 3 along dim 1 of [2, 5]',
    );
    expect(
      errorOf(() => assignSlice(zeros([2, 5]), -1, 0, zeros([2, 3], { dtype: 'float64' }))).message,
    ).toBe('assignSlice: source is float64 but destination float32');
  });
});
