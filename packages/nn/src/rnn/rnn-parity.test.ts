import { Variable } from '@proj/autograd';
import type { Tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import fixture from '../../fixtures/rnn.json';
import { GRUCell, LSTMCell, RNNCell } from './cells.js';
import { type FixtureTensor, fromFixture, maxAbsDiff, stateDictFromFixture } from './fixture-tensors.js';
import { GRU, LSTM, RNN } from './rnn.js';

// Fixture written by tooling/fixtures/rnn_fixture.py from torch 1.13 (float32).
const TOLERANCE = 1e-5;

type Layer = (typeof fixture.layers)[number];
type Run = Layer['runs'][number];

function build(c: Layer): RNN | LSTM | GRU {
  const options = { numLayers: c.numLayers, bidirectional: c.bidirectional, batchFirst: c.batchFirst };
  const module =
    c.module === 'LSTM'
      ? new LSTM(c.inputSize, c.hiddenSize, options)
      : c.module === 'GRU'
        ? new GRU(c.inputSize, c.hiddenSize, options)
        : new RNN(c.inputSize, c.hiddenSize, { ...options, nonlinearity: c.nonlinearity as 'tanh' | 'relu' });
  module.loadStateDict(stateDictFromFixture(c.state_dict as Record<string, FixtureTensor>));
  return module;
}

const t = (f: FixtureTensor | null): Tensor | null => (f ? fromFixture(f) : null);

function runLayer(module: RNN | LSTM | GRU, run: Run) {
  const x = new Variable(fromFixture(run.input), { requiresGrad: true });
  const h0 = run.h0 ? new Variable(fromFixture(run.h0), { requiresGrad: true }) : null;
  const c0 = run.c0 ? new Variable(fromFixture(run.c0), { requiresGrad: true }) : null;
  const options = run.lengths ? { lengths: run.lengths } : {};
  module.zeroGrad();
  const out: { output: Variable; h: Variable; c?: Variable } =
    module instanceof LSTM
      ? module.forward(x, h0 && c0 ? { h: h0, c: c0 } : null, options)
      : module.forward(x, h0, options);
  let objective = out.output
    .mul(fromFixture(run.r_out))
    .sum()
    .add(out.h.mul(fromFixture(run.r_h)).sum());
  if (out.c) objective = objective.add(out.c.mul(t(run.r_c)!).sum());
  objective.backward();
  return { x, h0, c0, out };
}

describe('RNN / LSTM / GRU match torch.nn (2 layers, bidirectional)', () => {
  for (const c of fixture.layers) {
    c.runs.forEach((run) => {
      const label = `${c.name}, ${run.lengths ? `padded, lengths ${run.lengths}` : 'full batch with h0'}`;
      it(`${label}: outputs, final states and gradients within ${TOLERANCE}`, () => {
        const module = build(c);
        const { x, h0, c0, out } = runLayer(module, run);
        const errors: Record<string, number> = {
          output: maxAbsDiff(out.output.data, fromFixture(run.output)),
          h_n: maxAbsDiff(out.h.data, fromFixture(run.h_n)),
          grad_input: maxAbsDiff(x.grad!, fromFixture(run.grad_input)),
        };
        if (out.c) errors.c_n = maxAbsDiff(out.c.data, t(run.c_n)!);
        if (h0) errors.grad_h0 = maxAbsDiff(h0.grad!, t(run.grad_h0)!);
        if (c0) errors.grad_c0 = maxAbsDiff(c0.grad!, t(run.grad_c0)!);
        const grads = run.grad_params as Record<string, FixtureTensor>;
        for (const [name, p] of module.namedParameters())
          errors[name] = maxAbsDiff(p.grad!, fromFixture(grads[name]!));
        expect(Object.keys(errors).length).toBeGreaterThan(10);
        expect(Object.entries(errors).filter(([, error]) => !(error < TOLERANCE))).toEqual([]);
      });
    });
  }
});

describe('cells match torch.nn cells', () => {
  for (const c of fixture.cells) {
    it(c.name, () => {
      const sd = stateDictFromFixture(c.state_dict as Record<string, FixtureTensor>);
      const [G, I] = sd.weight_ih!.shape as [number, number];
      const H = sd.weight_hh!.shape[1]!;
      const x = fromFixture(c.x);
      const h = fromFixture(c.h);
      if (c.module === 'LSTMCell') {
        const cell = new LSTMCell(I, H);
        cell.loadStateDict(sd);
        const out = cell.forward(x, { h, c: t(c.c)! });
        expect(maxAbsDiff(out.h.data, fromFixture(c.h1))).toBeLessThan(TOLERANCE);
        expect(maxAbsDiff(out.c.data, t(c.c1)!)).toBeLessThan(TOLERANCE);
      } else {
        const cell =
          c.module === 'GRUCell'
            ? new GRUCell(I, H)
            : new RNNCell(I, H, { nonlinearity: c.nonlinearity as 'tanh' | 'relu' });
        expect(G).toBe((c.module === 'GRUCell' ? 3 : 1) * H);
        cell.loadStateDict(sd);
        expect(maxAbsDiff(cell.forward(x, h).data, fromFixture(c.h1))).toBeLessThan(TOLERANCE);
      }
    });
  }
});
