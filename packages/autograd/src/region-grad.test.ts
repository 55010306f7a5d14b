import { tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { chunk, concat, narrow, select, slice, split, stack, variable } from './index.js';

const f64 = (values: number[], shape: number[]) => tensor(values, { dtype: 'float64', shape });
const x0 = f64(
  Array.from({ length: 24 }, (_, i) => i + 1),
  [2, 3, 4],
);
const w = f64(
  Array.from({ length: 24 }, (_, i) => (i % 5) - 2),
  [2, 3, 4],
);

describe('gradients of views that pick slabs', () => {
  it('the parts of a split sum back into one gradient (each part weighted differently)', () => {
    const x = variable(x0, { requiresGrad: true });
    const [a, b, c] = split(x, [1, 2, 1], 2);
    // d/dx Σ (1·a + 2·b + 3·c) ⊙ w over the parts = w times the part's weight
    concat([a!.mul(1), b!.mul(2), c!.mul(3)], 2)
      .mul(w)
      .sum()
      .backward();
    const scale = [1, 2, 2, 3];
    const expected = (w.toArray() as number[][][]).map((m) => m.map((r) => r.map((v, j) => v * scale[j]!)));
    expect(x.grad!.toArray()).toEqual(expected);
  });

  it('overlapping slabs add up, and a dense use of the same input adds too', () => {
    const x = variable(x0, { requiresGrad: true });
    // rows 0..1 and 1..2 of axis 1 overlap on row 1; x itself is used once more
    narrow(x, 1, 0, 2)
      .sum()
      .add(narrow(x, 1, -2, 2).sum())
      .add(x.sum())
      .backward();
    const rows = [2, 3, 2];
    expect(x.grad!.toArray()).toEqual([0, 1].map(() => rows.map((r) => [r, r, r, r])));
  });

  it('select of every index along an axis, slices with a unit step and chunks', () => {
    const x = variable(x0, { requiresGrad: true });
    stack([select(x, 0, 1), select(x, 0, -2)], 0)
      .mul(w)
      .sum()
      .backward();
    const [w0, w1] = w.toArray() as number[][][];
    expect(x.grad!.toArray()).toEqual([w1, w0]); // x[1] was stacked first, x[0] second

    const y = variable(x0, { requiresGrad: true });
    slice(y, -1, -3)
      .sum()
      .add(slice(y, 2, 0, 1).mul(2).sum())
      .backward();
    expect(y.grad!.toArray()).toEqual([0, 1].map(() => [0, 1, 2].map(() => [2, 1, 1, 1])));

    const z = variable(x0, { requiresGrad: true });
    const parts = chunk(z, 3, 1);
    parts[0]!.mul(5).sum().add(parts[2]!.sum()).backward();
    expect(z.grad!.toArray()).toEqual([0, 1].map(() => [5, 0, 1].map((v) => [v, v, v, v])));
  });

  it('strided gradients of leading-axis slabs land in place (heads of a transposed projection)', () => {
    const x = variable(x0, { requiresGrad: true });
    const wt = w.narrow(0, 0, 1).permute([0, 2, 1]); // [1, 4, 3]
    // each slab is permuted before use, so its gradient arrives as a permuted (strided) view
    narrow(x, 0, 1, 1)
      .permute([0, 2, 1])
      .mul(wt)
      .sum()
      .add(narrow(x, 0, 0, 1).permute([0, 2, 1]).mul(2).sum())
      .backward();
    const [w0] = w.toArray() as number[][][];
    expect(x.grad!.toArray()).toEqual([w0!.map((r) => r.map(() => 2)), w0]);
  });

  it('slices with a step, and a GradFn applied directly, give dense gradients', () => {
    const x = variable(x0, { requiresGrad: true });
    slice(x, 2, 0, 4, 2).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 1].map(() => [0, 1, 2].map(() => [1, 0, 1, 0])));
    const part = narrow(variable(x0, { requiresGrad: true }), 2, 1, 2);
    const [g] = part.gradFn!.apply(part.data.mul(0).add(1));
    expect(g!.shape).toEqual([2, 3, 4]);
    expect(g!.toArray()).toEqual([0, 1].map(() => [0, 1, 2].map(() => [0, 1, 1, 0])));
  });
});
