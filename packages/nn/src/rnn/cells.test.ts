import { manualSeed, randn, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { gradcheckModule } from '../testing/gradcheck-module.js';
import { GRUCell, LSTMCell, RNNCell } from './cells.js';

const f64 = { dtype: 'float64' as const };

describe('gradients (float64 gradcheck over input, state and parameters)', () => {
  it('RNNCell, tanh and relu', () => {
    for (const nonlinearity of ['tanh', 'relu'] as const) {
      manualSeed(1);
      const cell = new RNNCell(3, 4, { nonlinearity, ...f64 });
      const report = gradcheckModule(cell, (x, h) => cell.forward(x!, h!), [
        randn([2, 3], f64),
        randn([2, 4], f64),
      ]);
      expect(report).toMatchObject({ ok: true });
    }
  });

  it('LSTMCell', () => {
    manualSeed(2);
    const cell = new LSTMCell(3, 2, f64);
    const report = gradcheckModule(
      cell,
      (x, h, c) => {
        const next = cell.forward(x!, { h: h!, c: c! });
        return next.h.add(next.c.mul(0.5));
      },
      [randn([2, 3], f64), randn([2, 2], f64), randn([2, 2], f64)],
    );
    expect(report).toMatchObject({ ok: true });
  });

  it('GRUCell, without biases', () => {
    manualSeed(3);
    const cell = new GRUCell(3, 2, { bias: false, ...f64 });
    expect(cell.namedParameters().map(([n]) => n)).toEqual(['weight_ih', 'weight_hh']);
    const report = gradcheckModule(cell, (x, h) => cell.forward(x!, h!), [
      randn([2, 3], f64),
      randn([2, 2], f64),
    ]);
    expect(report).toMatchObject({ ok: true });
  });
});

describe('values', () => {
  it('RNNCell computes tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (hand-computed)', () => {
    const cell = new RNNCell(2, 1);
    cell.loadStateDict({
      weight_ih: tensor([[0.5, -1]]),
      weight_hh: tensor([[2]]),
      bias_ih: tensor([0.25]),
      bias_hh: tensor([-0.5]),
    });
    // 0.5·1 − 1·2 + 0.25 + 2·0.3 − 0.5 = −1.15
    expect(cell.forward(tensor([[1, 2]]), tensor([[0.3]])).item()).toBeCloseTo(Math.tanh(-1.15), 6);
    // zero state when h is omitted: 0.5 − 2 + 0.25 − 0.5 = −1.75
    expect(cell.forward(tensor([[1, 2]])).item()).toBeCloseTo(Math.tanh(-1.75), 6);
  });

  it('LSTMCell with zero weights keeps c·sigmoid(0) and outputs sigmoid(0)·tanh(c′)', () => {
    const cell = new LSTMCell(1, 1, { bias: false });
    cell.loadStateDict({ weight_ih: tensor([[0], [0], [0], [0]]), weight_hh: tensor([[0], [0], [0], [0]]) });
    const { h, c } = cell.forward(tensor([[3]]), { h: tensor([[1]]), c: tensor([[0.8]]) });
    expect(c.item()).toBeCloseTo(0.4, 6); // f·c + i·g = 0.5·0.8 + 0.5·tanh(0)
    expect(h.item()).toBeCloseTo(0.5 * Math.tanh(0.4), 6);
  });

  it('rejects misshaped inputs and states', () => {
    const cell = new GRUCell(3, 2);
    expect(() => cell.forward(randn([3]))).toThrow('GRUCell: expected input [B, 3], got [3]');
    expect(() => cell.forward(randn([4, 3]), randn([2, 2]))).toThrow(
      'GRUCell: expected state [4, 2], got [2, 2]',
    );
  });
});
