import { Generator, zeros } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import * as init from './init.js';
import { Parameter } from './module.js';

const param = (shape: number[]) => new Parameter(zeros(shape, { dtype: 'float64' }));
const stats = (p: Parameter) => {
  const v = Array.from(p.data.data());
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std, min: Math.min(...v), max: Math.max(...v) };
};

describe('init', () => {
  it('fans follow PyTorch: [out, in, ...kernel] → fanIn = in·k, fanOut = out·k', () => {
    expect(init.fans([6, 4])).toEqual({ fanIn: 4, fanOut: 6 });
    expect(init.fans([6, 4, 3, 3])).toEqual({ fanIn: 36, fanOut: 54 });
    expect(() => init.fans([5])).toThrow(/at least 2 dims, got \[5\]/);
  });

  it('normal and uniform have the requested moments and bounds', () => {
    const g = new Generator(0);
    const n = stats(init.normal(param([200, 100]), { mean: 1, std: 0.5, generator: g }));
    expect(n.mean).toBeCloseTo(1, 2);
    expect(n.std).toBeCloseTo(0.5, 2);
    const u = stats(init.uniform(param([200, 100]), { low: -2, high: 4, generator: g }));
    expect(u.min).toBeGreaterThanOrEqual(-2);
    expect(u.max).toBeLessThan(4);
    expect(u.mean).toBeCloseTo(1, 1);
    expect(u.std).toBeCloseTo(6 / Math.sqrt(12), 1);
  });

  it('xavier and kaiming use the fan-derived scale', () => {
    const g = new Generator(1);
    const a = Math.sqrt(6 / (300 + 100)); // xavier uniform bound for [300, 100]
    const xu = stats(init.xavierUniform(param([300, 100]), { generator: g }));
    expect(xu.max).toBeLessThanOrEqual(a);
    expect(xu.min).toBeGreaterThanOrEqual(-a);
    expect(xu.max).toBeGreaterThan(0.99 * a);
    expect(stats(init.xavierNormal(param([300, 100]), { gain: 2, generator: g })).std).toBeCloseTo(
      2 * Math.sqrt(2 / 400),
      2,
    );
    expect(stats(init.kaimingNormal(param([300, 100]), { generator: g })).std).toBeCloseTo(
      Math.sqrt(2 / 100),
      2,
    );
    expect(stats(init.kaimingNormal(param([300, 100]), { mode: 'fanOut', generator: g })).std).toBeCloseTo(
      Math.sqrt(2 / 300),
      3,
    );
    const bound = (Math.sqrt(3) * Math.sqrt(2 / (1 + 5))) / Math.sqrt(100); // leaky slope a = √5, as nn.Linear
    const ku = stats(init.kaimingUniform(param([300, 100]), { a: Math.sqrt(5), generator: g }));
    expect(ku.max).toBeLessThanOrEqual(bound);
    expect(ku.min).toBeGreaterThanOrEqual(-bound);
    expect(ku.max).toBeCloseTo(1 / Math.sqrt(100), 2);
  });

  it('constants, and the same generator seed gives the same weights', () => {
    expect(init.ones(param([2, 2])).toArray()).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect(init.zeros(init.ones(param([3]))).toArray()).toEqual([0, 0, 0]);
    expect(init.constant(param([2]), 0.25).toArray()).toEqual([0.25, 0.25]);
    const a = init.normal(param([4, 4]), { generator: new Generator(9) }).toArray();
    const b = init.normal(param([4, 4]), { generator: new Generator(9) }).toArray();
    expect(b).toEqual(a);
    expect(init.normal(param([4, 4]), { generator: new Generator(10) }).toArray()).not.toEqual(a);
  });
});
