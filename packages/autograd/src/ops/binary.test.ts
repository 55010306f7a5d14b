import { tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { maximum, pow, variable } from '../index.js';

const f64 = (values: number[]) => tensor(values, { dtype: 'float64' });

describe('binary rules at the edges of their domains (as PyTorch)', () => {
  it('pow: the exponent gradient is 0 (not NaN) at a zero base with a non-negative exponent', () => {
    const x = variable(f64([0, 0, 2]), { requiresGrad: true });
    const y = variable(f64([2, 0.5, 3]), { requiresGrad: true });
    pow(x, y).sum().backward();
    // d/dy x^y = x^y·ln x: 0 at x = 0 (the limit), 8·ln 2 at (2, 3)
    expect(y.grad!.toArray()).toEqual([0, 0, 8 * Math.log(2)]);
    // d/dx x^y = y·x^(y−1): 0 at (0, 2), +∞ at (0, 0.5), 12 at (2, 3)
    expect(x.grad!.toArray()).toEqual([0, Number.POSITIVE_INFINITY, 12]);
  });

  it('pow: a zero exponent has a zero base gradient everywhere, including a zero base', () => {
    const x = variable(f64([0, -1.5, 2]), { requiresGrad: true });
    x.pow(0).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 0, 0]);
  });

  it('maximum splits the gradient evenly between tied operands', () => {
    const a = variable(f64([1, 2, 3]), { requiresGrad: true });
    const b = variable(f64([1, 5, 0]), { requiresGrad: true });
    maximum(a, b).sum().backward();
    expect(a.grad!.toArray()).toEqual([0.5, 0, 1]);
    expect(b.grad!.toArray()).toEqual([0.5, 1, 0]);
  });
});
