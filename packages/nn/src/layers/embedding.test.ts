import { Generator, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { gradcheckModule } from '../testing/gradcheck-module.js';
import { Embedding } from './embedding.js';

describe('Embedding', () => {
  it('looks up rows for int32 ids of any shape', () => {
    const emb = new Embedding(5, 3, { generator: new Generator(0) });
    const rows = emb.weight.toArray() as number[][];
    const out = emb.forward(tensor([[4, 0, 4]], { dtype: 'int32' }));
    expect(out.shape).toEqual([1, 3, 3]);
    expect(out.toArray()).toEqual([[rows[4], rows[0], rows[4]]]);
  });

  it('initialises N(0, 1) and accumulates gradients into the looked-up rows only', () => {
    const big = Array.from(new Embedding(300, 100, { generator: new Generator(1) }).weight.data.data());
    const mean = big.reduce((a, b) => a + b, 0) / big.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.sqrt(big.reduce((a, b) => a + (b - mean) ** 2, 0) / big.length)).toBeCloseTo(1, 1);
    const emb = new Embedding(4, 2, { dtype: 'float64', generator: new Generator(2) });
    emb
      .forward(tensor([1, 3, 1], { dtype: 'int32' }))
      .sum()
      .backward();
    expect(emb.weight.grad!.toArray()).toEqual([
      [0, 0],
      [2, 2],
      [0, 0],
      [1, 1],
    ]);
    const report = gradcheckModule(
      emb,
      () => emb.forward(tensor([[0, 2, 2]], { dtype: 'int32' })).tanh(),
      [],
    );
    expect(report.ok).toBe(true);
  });

  it('rejects out-of-range ids', () => {
    expect(() => new Embedding(3, 2).forward(tensor([3], { dtype: 'int32' }))).toThrow(/out of range/);
  });
});
