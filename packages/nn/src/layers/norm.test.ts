import { Generator, randn, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { gradcheckModule } from '../testing/gradcheck-module.js';
import { LayerNorm, RMSNorm } from './norm.js';

const f64 = { dtype: 'float64' as const };

describe('LayerNorm and RMSNorm', () => {
  it('LayerNorm normalises the last axis to zero mean and unit variance (biased), then scales and shifts', () => {
    const ln = new LayerNorm(4, { ...f64, eps: 0 });
    expect((ln.forward(tensor([[1, 2, 3, 4]], f64)).toArray() as number[][])[0]).toEqual(
      [-1.5, -0.5, 0.5, 1.5].map((d) => d / Math.sqrt(1.25)),
    );
    ln.weight!.data = tensor([2, 2, 2, 2], f64);
    ln.bias!.data = tensor([1, 1, 1, 1], f64);
    const [a] = ln.forward(tensor([[0, 0, 0, 4]], f64)).toArray() as number[][];
    // mean 1, var 3: (x − 1)/√3 · 2 + 1
    a!.forEach((v, i) => expect(v).toBeCloseTo((([0, 0, 0, 4][i]! - 1) / Math.sqrt(3)) * 2 + 1, 12));
  });

  it('bias: false and elementwiseAffine: false drop the parameters', () => {
    expect(new LayerNorm(8, { bias: false }).namedParameters().map(([n]) => n)).toEqual(['weight']);
    expect(new LayerNorm(8, { elementwiseAffine: false }).numParameters()).toBe(0);
    expect(new RMSNorm(8, { elementwiseAffine: false }).numParameters()).toBe(0);
  });

  it('RMSNorm divides by the root mean square', () => {
    const rms = new RMSNorm(2, { ...f64, eps: 0 });
    expect(rms.forward(tensor([[3, 4]], f64)).toArray()).toEqual([
      [3 / Math.sqrt(12.5), 4 / Math.sqrt(12.5)],
    ]);
  });

  it('pass gradcheck', () => {
    const x = randn([2, 3, 5], { ...f64, generator: new Generator(0) });
    for (const layer of [
      new LayerNorm(5, f64),
      new LayerNorm(5, { ...f64, bias: false }),
      new RMSNorm(5, f64),
    ]) {
      for (const p of layer.parameters()) p.data = randn(p.shape, { ...f64, generator: new Generator(1) });
      expect(gradcheckModule(layer, (v) => layer.forward(v), [x]).ok).toBe(true);
    }
  });
});
