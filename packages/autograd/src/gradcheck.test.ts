import { Generator, randn, Tensor, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { GradFn, gradcheck, Variable } from './index.js';

/** `x²` with a deliberately wrong backward rule `g·x` (the right one is `2·g·x`). */
function wrongSquare(x: Variable): Variable {
  return Variable.fromOp(x.data.square(), new GradFn('wrongSquare', [x], (g) => [g.mul(x.data)]));
}

/** `tanh` whose backward rule is off by the factor `1 + relativeError`. */
function skewedTanh(x: Variable, relativeError: number): Variable {
  const y = x.data.tanh();
  const rule = (g: Tensor) => [g.mul(y.square().neg().add(1)).mul(1 + relativeError)];
  return Variable.fromOp(y, new GradFn('skewedTanh', [x], rule));
}

describe('gradcheck', () => {
  it('catches a 0.05% error in a gradient rule with the default tolerances', () => {
    for (let seed = 0; seed < 5; seed++) {
      const x = randn([3, 4], { dtype: 'float64', generator: new Generator(seed) });
      expect(gradcheck((v) => skewedTanh(v, 0).mul(v), [x]).ok).toBe(true);
      const report = gradcheck((v) => skewedTanh(v, 5e-4).mul(v), [x]);
      expect(report.ok, `seed ${seed}`).toBe(false);
      const { analytic, numeric } = report.worst!;
      expect(analytic / numeric - 1).toBeGreaterThan(1e-4); // the injected error, not noise
    }
  });

  it('passes a correct gradient, with an error near zero', () => {
    const report = gradcheck((x) => x.tanh().mul(x).sum(), [randn([3, 4], { dtype: 'float64' })]);
    expect(report.ok).toBe(true);
    expect(report.maxAbsError).toBeLessThan(1e-8);
  });

  it('reports a wrong backward rule with the worst entry (analytic vs numeric)', () => {
    const report = gradcheck((x) => wrongSquare(x).sum(), [tensor([1, -2, 3], { dtype: 'float64' })]);
    expect(report.ok).toBe(false);
    // d/dx sum(x²) = 2x, the wrong rule gives x (both times gradcheck's random projection r of the
    // scalar output): the largest gap is at x = 3, where numeric = 2·analytic.
    const { input, index, analytic, numeric } = report.worst!;
    expect([input, index]).toEqual([0, 2]);
    expect(numeric / analytic).toBeCloseTo(2, 6);
    expect(report.maxAbsError).toBeCloseTo(Math.abs(analytic), 6);
  });

  it('checks non-scalar outputs through a random projection, and every input', () => {
    const a = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float32' },
    );
    const b = tensor([0.5, -1], { dtype: 'float32' });
    expect(gradcheck((x, y) => x.mul(y).exp(), [a, b]).ok).toBe(true);
    const bad = gradcheck((x, y) => wrongSquare(x).add(y), [a, b]);
    expect(bad.ok).toBe(false);
    expect(bad.worst!.input).toBe(0);
  });

  it('does not modify its inputs (it differentiates float64 copies)', () => {
    const x = tensor([1, 2, 3], { dtype: 'float32' });
    gradcheck((v) => v.square().sum(), [x]);
    expect(x.dtype).toBe('float32');
    expect(x.toArray()).toEqual([1, 2, 3]);
    expect(x).toBeInstanceOf(Tensor);
  });

  it('flags a NaN gradient as a failure', () => {
    const report = gradcheck((x) => x.sqrt().sum(), [tensor([-1, 4], { dtype: 'float64' })]);
    expect(report.ok).toBe(false);
  });
});
