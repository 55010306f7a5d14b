import { describe, expect, it } from 'vitest';
import { constantLR, cosineDecay, cosineWithWarmup, linearDecay, sequential, warmup } from './lr-schedule.js';

describe('cosineWithWarmup', () => {
  // nanoGPT's get_lr(it) for learning_rate 1e-3, min_lr 1e-4, warmup 100, lr_decay_iters 2000,
  // printed by Python with repr (so equality is exact).
  const NANOGPT: [number, number][] = [
    [0, 9.900990099009901e-6],
    [1, 1.9801980198019803e-5],
    [50, 0.000504950495049505],
    [99, 0.0009900990099009901],
    [100, 0.001],
    [101, 0.0009999993848585915],
    [575, 0.0008681980515339464],
    [1050, 0.00055],
    [1999, 0.00010000061514140841],
    [2000, 0.0001],
    [2001, 0.0001],
    [5000, 0.0001],
  ];
  it('is exactly nanoGPT get_lr', () => {
    const lr = cosineWithWarmup({ lr: 1e-3, minLr: 1e-4, warmupIters: 100, lrDecayIters: 2000 });
    for (const [it, expected] of NANOGPT) expect(lr(it)).toBe(expected);
  });
  it('rejects a decay that ends before the warmup', () => {
    expect(() => cosineWithWarmup({ lr: 1, minLr: 0, warmupIters: 10, lrDecayIters: 10 })).toThrow(/greater/);
  });
});

describe('schedules', () => {
  it('constant', () => {
    expect(constantLR(0.3)(0)).toBe(0.3);
    expect(constantLR(0.3)(10 ** 6)).toBe(0.3);
    expect(() => constantLR(-1)).toThrow(/>= 0/);
  });
  it('cosine decay: from, midpoint, to, then flat', () => {
    const s = cosineDecay({ from: 1, to: 0, iters: 10 });
    expect(s(0)).toBe(1);
    expect(s(5)).toBeCloseTo(0.5, 15);
    expect(s(10)).toBeCloseTo(0, 15);
    expect(s(11)).toBe(0);
  });
  it('linear decay', () => {
    const s = linearDecay({ from: 1, to: 0.5, iters: 4 });
    expect([0, 1, 2, 3, 4, 9].map(s)).toEqual([1, 0.875, 0.75, 0.625, 0.5, 0.5]);
  });
  it('warmup ramps to the wrapped schedule, which then starts at its own 0', () => {
    const s = warmup(3, linearDecay({ from: 0.8, to: 0, iters: 4 }));
    const expected = [0.2, 0.4, 0.6, 0.8, 0.6, 0, 0];
    [0, 1, 2, 3, 4, 7, 8].forEach((it, i) => expect(s(it)).toBeCloseTo(expected[i]!, 15));
  });
  it('sequential restarts each schedule at its own 0', () => {
    const s = sequential(
      [constantLR(0.1), linearDecay({ from: 1, to: 0, iters: 2 }), constantLR(0.01)],
      [2, 3],
    );
    expect([0, 1, 2, 3, 4, 5, 100].map(s)).toEqual([0.1, 0.1, 1, 0.5, 0, 0.01, 0.01]);
    expect(() => sequential([constantLR(1)], [5])).toThrow(/n - 1 lengths/);
    expect(() => sequential([constantLR(1), constantLR(2)], [0])).toThrow(/positive/);
  });
});
