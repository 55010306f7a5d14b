import { Generator, randn, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { gradcheckModule } from '../testing/gradcheck-module.js';
import { Linear } from './linear.js';

const f64 = { dtype: 'float64' as const };

describe('Linear', () => {
  it('computes x·Wᵀ + b for any number of leading axes', () => {
    const layer = new Linear(2, 3, f64);
    layer.weight.data = tensor(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      f64,
    );
    layer.bias!.data = tensor([0.5, -1, 2], f64);
    expect(layer.forward(tensor([1, -1], f64)).toArray()).toEqual([-0.5, -2, 1]);
    const x = tensor([[[1, 0]], [[0, 2]]], f64); // [2, 1, 2]
    const y = layer.forward(x);
    expect(y.shape).toEqual([2, 1, 3]);
    expect(y.toArray()).toEqual([[[1.5, 2, 7]], [[4.5, 7, 14]]]);
  });

  it('initialises weight and bias in U(−1/√in, 1/√in), as PyTorch', () => {
    const layer = new Linear(16, 400, { generator: new Generator(0) });
    const w = Array.from(layer.weight.data.data());
    expect(Math.max(...w)).toBeLessThanOrEqual(0.25);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-0.25);
    expect(Math.max(...w)).toBeGreaterThan(0.24);
    expect(new Linear(16, 4, { bias: false }).bias).toBeNull();
    expect(new Linear(16, 4, { bias: false }).numParameters()).toBe(64);
  });

  it('passes gradcheck with and without bias, on 3-d input', () => {
    const x = randn([2, 3, 4], { ...f64, generator: new Generator(1) });
    for (const bias of [true, false]) {
      const layer = new Linear(4, 5, { ...f64, bias, generator: new Generator(2) });
      expect(gradcheckModule(layer, (v) => layer.forward(v), [x]).ok).toBe(true);
    }
  });

  it('names a shape mismatch', () => {
    expect(() => new Linear(4, 2).forward(randn([3, 5]))).toThrow(/matmul: inner dimensions differ/);
  });

  it('computes a slice of the outputs, and the outputs transposed, with the same values as forward', () => {
    const g = new Generator(3);
    const layer = new Linear(4, 6, { ...f64, generator: g });
    const x = randn([2, 3, 4], { ...f64, generator: g });
    const y = layer.forward(x).data;
    expect(layer.forwardSlice(x, 2, 3).toArray()).toEqual(y.narrow(2, 2, 3).toArray());
    const flat = x.reshape([6, 4]);
    expect(layer.forwardTransposed(flat).toArray()).toEqual(y.reshape([6, 6]).transpose(0, 1).toArray());
    expect(gradcheckModule(layer, (v) => layer.forwardSlice(v, 1, 4), [x]).ok).toBe(true);
    expect(gradcheckModule(layer, (v) => layer.forwardTransposed(v), [flat]).ok).toBe(true);
  });

  it('adopts given parameters (shared, nothing drawn) and checks their shapes', () => {
    const source = new Linear(3, 2, { generator: new Generator(4) });
    const g = new Generator(5);
    const shared = new Linear(3, 2, { parameters: source, generator: g });
    expect(shared.weight).toBe(source.weight);
    expect(shared.bias).toBe(source.bias);
    expect(g.uniform()).toBe(new Generator(5).uniform()); // nothing was drawn
    expect(new Linear(3, 2, { parameters: { weight: source.weight, bias: null } }).bias).toBeNull();
    expect(() => new Linear(2, 3, { parameters: source })).toThrow(
      /Linear: parameters.weight must be \[3, 2\], got \[2, 3\]/,
    );
  });
});
