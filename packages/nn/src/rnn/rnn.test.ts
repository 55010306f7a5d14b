import { Variable } from '@proj/autograd';
import { Generator, manualSeed, randn, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { gradcheckModule } from '../testing/gradcheck-module.js';
import { GRUCell, LSTMCell, RNNCell } from './cells.js';
import { maxAbsDiff } from './fixture-tensors.js';
import { GRU, LSTM, RNN } from './rnn.js';

const f64 = { dtype: 'float64' as const };

type AnyRNN = RNN | LSTM | GRU;
const KINDS = ['tanh', 'relu', 'lstm', 'gru'] as const;

function make(
  kind: (typeof KINDS)[number],
  I: number,
  H: number,
  options: ConstructorParameters<typeof GRU>[2] = {},
) {
  if (kind === 'lstm') return new LSTM(I, H, options);
  if (kind === 'gru') return new GRU(I, H, options);
  return new RNN(I, H, { ...options, nonlinearity: kind });
}

/** Runs any of the three with an optional initial state (h0, and c0 for an LSTM). */
function run(
  m: AnyRNN,
  x: Variable | ReturnType<typeof randn>,
  h0?: Variable | null,
  c0?: Variable | null,
  lengths?: number[],
) {
  const options = lengths ? { lengths } : {};
  if (m instanceof LSTM) return m.forward(x, h0 && c0 ? { h: h0, c: c0 } : null, options);
  return { ...m.forward(x, h0 ?? null, options), c: null };
}

describe('parameters', () => {
  it('uses PyTorch names, order and shapes', () => {
    const lstm = new LSTM(3, 5, { numLayers: 2, bidirectional: true });
    expect(lstm.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`)).toEqual([
      'weight_ih_l0:20x3',
      'weight_hh_l0:20x5',
      'bias_ih_l0:20',
      'bias_hh_l0:20',
      'weight_ih_l0_reverse:20x3',
      'weight_hh_l0_reverse:20x5',
      'bias_ih_l0_reverse:20',
      'bias_hh_l0_reverse:20',
      'weight_ih_l1:20x10',
      'weight_hh_l1:20x5',
      'bias_ih_l1:20',
      'bias_hh_l1:20',
      'weight_ih_l1_reverse:20x10',
      'weight_hh_l1_reverse:20x5',
      'bias_ih_l1_reverse:20',
      'bias_hh_l1_reverse:20',
    ]);
    expect(
      new GRU(3, 4, { bias: false }).namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`),
    ).toEqual(['weight_ih_l0:12x3', 'weight_hh_l0:12x4']);
    expect(new RNN(3, 4).numParameters()).toBe(4 * 3 + 4 * 4 + 4 + 4);
  });

  it('initialises every weight U(-1/sqrt(H), 1/sqrt(H)) from the given generator', () => {
    const a = new GRU(6, 16, { numLayers: 2, generator: new Generator(3) });
    const b = new GRU(6, 16, { numLayers: 2, generator: new Generator(3) });
    for (const [name, p] of a.namedParameters()) {
      const values = Array.from(p.data.data());
      expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(0.25);
      expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(0.2);
      expect(maxAbsDiff(p.data, b.stateDict()[name]!)).toBe(0);
    }
  });
});

describe('gradients (float64 gradcheck over input, initial state and every parameter)', () => {
  for (const kind of KINDS) {
    it(`${kind}: 2 layers, bidirectional, initial state`, () => {
      manualSeed(1);
      const m = make(kind, 2, 2, { numLayers: 2, bidirectional: true, ...f64 });
      const x = randn([3, 2, 2], f64);
      const h0 = randn([4, 2, 2], f64);
      const c0 = randn([4, 2, 2], f64);
      const report = gradcheckModule(
        m,
        (xv, hv, cv) => {
          const out = run(m, xv!, hv!, cv!);
          return out.output
            .sum()
            .add(out.h.mul(out.h).sum())
            .add(out.c ? out.c.mul(2).sum() : 0);
        },
        [x, h0, c0],
      );
      expect(report).toMatchObject({ ok: true });
    });

    it(`${kind}: batch-first padded batch with lengths and an initial state`, () => {
      manualSeed(2);
      const m = make(kind, 2, 3, { bidirectional: true, batchFirst: true, ...f64 });
      const report = gradcheckModule(
        m,
        (xv, hv, cv) => {
          const out = run(m, xv!, hv!, cv!, [4, 1, 3]);
          return out.output
            .square()
            .sum()
            .add(out.h.sum())
            .add(out.c ? out.c.sum() : 0);
        },
        [randn([3, 4, 2], f64), randn([2, 3, 3], f64), randn([2, 3, 3], f64)],
      );
      expect(report).toMatchObject({ ok: true });
    });
  }
});

/** The same weights stepped with the composed cell: the reference for the fused recurrence. */
function cellLoop(kind: (typeof KINDS)[number], m: AnyRNN, x: Variable, reverse = false) {
  const w = m.weights(0, reverse ? 1 : 0);
  const cell =
    kind === 'lstm'
      ? new LSTMCell(m.inputSize, m.hiddenSize, f64)
      : kind === 'gru'
        ? new GRUCell(m.inputSize, m.hiddenSize, f64)
        : new RNNCell(m.inputSize, m.hiddenSize, { nonlinearity: kind, ...f64 });
  Object.assign(cell, { weight_ih: w.weightIH, weight_hh: w.weightHH, bias_ih: w.biasIH, bias_hh: w.biasHH });
  const T = x.shape[0]!;
  const outs: Variable[] = [];
  let h: Variable | null = null;
  let c: Variable | null = null;
  for (let s = 0; s < T; s++) {
    const xt = x.select(0, reverse ? T - 1 - s : s);
    if (cell instanceof LSTMCell) ({ h, c } = cell.forward(xt, h && c ? { h, c } : null));
    else h = cell.forward(xt, h);
    outs.push(h!);
  }
  if (reverse) outs.reverse();
  return { outputs: outs, h: h!, c };
}

describe('the fused recurrence equals the composed cells stepped in a loop', () => {
  for (const kind of KINDS) {
    for (const reverse of [false, true]) {
      it(`${kind}${reverse ? ', reverse direction' : ''}: outputs, final state and every gradient`, () => {
        manualSeed(3);
        const m = make(kind, 3, 4, { bidirectional: true, ...f64 });
        const x = new Variable(randn([5, 2, 3], f64), { requiresGrad: true });
        const fused = run(m, x);
        const dir = reverse ? 1 : 0;
        const r = randn([5, 2, 4], f64);
        fused.output
          .narrow(2, 4 * dir, 4)
          .mul(r)
          .sum()
          .add(fused.h.select(0, dir).sum())
          .backward();
        const w = m.weights(0, dir);
        const params = [w.weightIH, w.weightHH, w.biasIH!, w.biasHH!];
        const fusedGrads = [x.grad!, ...params.map((p) => p.grad!)];
        m.zeroGrad();
        x.zeroGrad();
        const ref = cellLoop(kind, m, x, reverse);
        for (let t = 0; t < 5; t++)
          expect(
            maxAbsDiff(fused.output.data.select(0, t).narrow(1, 4 * dir, 4), ref.outputs[t]!.data),
          ).toBeLessThan(1e-12);
        expect(maxAbsDiff(fused.h.data.select(0, dir), ref.h.data)).toBeLessThan(1e-12);
        if (ref.c)
          expect(maxAbsDiff((fused.c as Variable).data.select(0, dir), ref.c.data)).toBeLessThan(1e-12);
        ref.outputs.reduce((acc, o, t) => acc.add(o.mul(r.select(0, t)).sum()), ref.h.sum()).backward();
        const refGrads = [x.grad!, ...params.map((p) => p.grad!)];
        fusedGrads.forEach((g, i) => {
          expect(maxAbsDiff(g, refGrads[i]!)).toBeLessThan(1e-12);
        });
      });
    }
  }
});

describe('variable-length batches', () => {
  for (const kind of ['lstm', 'gru', 'tanh'] as const) {
    for (const batchFirst of [false, true]) {
      it(`${kind}${batchFirst ? ' batch-first' : ''}: a padded batch gives each sequence's own result`, () => {
        manualSeed(4);
        const m = make(kind, 3, 4, { numLayers: 2, bidirectional: true, batchFirst });
        const lengths = [2, 5, 3];
        const T = 5;
        const seqs = lengths.map((n) => randn([n, 3]));
        // [B, T, 3] with junk (7s) after each sequence's end, then time-major unless batch-first.
        const rows = seqs.flatMap((q) => [
          ...Array.from(q.data()),
          ...new Array((T - q.shape[0]!) * 3).fill(7),
        ]);
        const byBatch = tensor(rows, { shape: [3, T, 3] });
        const batch = batchFirst ? byBatch : byBatch.transpose(0, 1).contiguous();
        const out = run(m, batch, null, null, lengths);
        seqs.forEach((s, b) => {
          const alone = run(m, batchFirst ? s.unsqueeze(0) : s.unsqueeze(1));
          const n = lengths[b]!;
          const mine = batchFirst ? out.output.data.select(0, b) : out.output.data.select(1, b);
          const own = batchFirst ? alone.output.data.select(0, 0) : alone.output.data.select(1, 0);
          expect(maxAbsDiff(mine.narrow(0, 0, n), own)).toBeLessThan(1e-6);
          if (n < T) expect(Array.from(mine.narrow(0, n, T - n).data()).every((v) => v === 0)).toBe(true);
          expect(maxAbsDiff(out.h.data.select(1, b), alone.h.data.select(1, 0))).toBeLessThan(1e-6);
          if (out.c)
            expect(maxAbsDiff(out.c.data.select(1, b), alone.c!.data.select(1, 0))).toBeLessThan(1e-6);
        });
      });
    }
  }

  it('a sequence of length 0 keeps its initial state and outputs zeros', () => {
    const m = new LSTM(2, 3, { bidirectional: true });
    const h = randn([2, 2, 3]);
    const c = randn([2, 2, 3]);
    const out = m.forward(randn([4, 2, 2]), { h, c }, { lengths: [0, 4] });
    expect(Array.from(out.output.data.select(1, 0).data()).every((v) => v === 0)).toBe(true);
    expect(maxAbsDiff(out.h.data.select(1, 0), h.select(1, 0))).toBe(0);
    expect(maxAbsDiff(out.c.data.select(1, 0), c.select(1, 0))).toBe(0);
  });

  it('a [B, T] mask of real steps is the same as lengths; a mask with a gap is rejected', () => {
    const m = new GRU(2, 3, { batchFirst: true });
    const x = randn([2, 4, 2]);
    const mask = tensor([
      [true, true, false, false],
      [true, true, true, true],
    ]);
    const a = m.forward(x, null, { mask });
    const b = m.forward(x, null, { lengths: tensor([2, 4], { dtype: 'int32' }) });
    expect(maxAbsDiff(a.output.data, b.output.data)).toBe(0);
    expect(maxAbsDiff(a.h.data, b.h.data)).toBe(0);
    expect(() =>
      m.forward(x, null, {
        mask: tensor([
          [true, false, true, false],
          [true, true, true, true],
        ]),
      }),
    ).toThrow('GRU: mask row 0 has a real step at 2 after padding at 1');
  });
});

describe('stacking, dropout and long sequences', () => {
  it('dropout acts between layers in training mode only, driven by its generator', () => {
    manualSeed(5);
    const make2 = () => new LSTM(3, 8, { numLayers: 3, dropout: 0.5, dropoutGenerator: new Generator(9) });
    const m = make2();
    const twin = make2();
    twin.loadStateDict(m.stateDict());
    const x = randn([4, 2, 3]);
    const train1 = m.forward(x).output.data;
    expect(maxAbsDiff(train1, twin.forward(x).output.data)).toBe(0);
    const evalOut = m.eval().forward(x).output.data;
    expect(maxAbsDiff(train1, evalOut)).toBeGreaterThan(1e-3);
    const noDropout = new LSTM(3, 8, { numLayers: 3 });
    noDropout.loadStateDict(m.stateDict());
    expect(maxAbsDiff(evalOut, noDropout.forward(x).output.data)).toBe(0);
  });

  it('backpropagates through 512 steps (no recursion) exactly as the cell loop does', () => {
    manualSeed(6);
    const m = new LSTM(2, 3, f64);
    const x = new Variable(randn([512, 2, 2], f64), { requiresGrad: true });
    const out = m.forward(x);
    out.output.sum().add(out.c.sum()).backward();
    const fused = [x.grad!, ...m.parameters().map((p) => p.grad!)];
    expect(fused.every((g) => Array.from(g.data()).every(Number.isFinite))).toBe(true);
    m.zeroGrad();
    x.zeroGrad();
    const ref = cellLoop('lstm', m, x);
    ref.outputs.reduce((acc, o) => acc.add(o.sum()), ref.c!.sum()).backward();
    [x.grad!, ...m.parameters().map((p) => p.grad!)].forEach((g, i) => {
      expect(maxAbsDiff(g, fused[i]!)).toBeLessThan(1e-10);
    });
  });
});

describe('errors', () => {
  const lstm = new LSTM(3, 4, { numLayers: 2, batchFirst: true });
  it('names the layer, the expected and the actual shape', () => {
    expect(() => lstm.forward(randn([2, 5]))).toThrow(
      'LSTM: expected input [B, T, 3] (batchFirst: true), got [2, 5]',
    );
    expect(() => new GRU(3, 4).forward(randn([5, 2, 4]))).toThrow(
      'GRU: expected input [T, B, 3] (batchFirst: false), got [5, 2, 4]',
    );
    expect(() => lstm.forward(randn([2, 5, 3]), { h: randn([2, 2, 4]), c: randn([1, 2, 4]) })).toThrow(
      'LSTM: c0 must be [2, 2, 4] (numLayers·numDirections, B, H), got [1, 2, 4]',
    );
    expect(() => new RNN(3, 4).forward(randn([5, 2, 3]), randn([1, 3, 4]))).toThrow(
      'RNN: h0 must be [1, 2, 4] (numLayers·numDirections, B, H), got [1, 3, 4]',
    );
  });

  it('rejects bad lengths and options', () => {
    const x = randn([2, 5, 3]);
    expect(() => lstm.forward(x, null, { lengths: [5] })).toThrow('LSTM: got 1 lengths for a batch of 2');
    expect(() => lstm.forward(x, null, { lengths: [6, 1] })).toThrow(
      'LSTM: lengths[0] = 6 is outside [0, 5]',
    );
    expect(() => new LSTM(3, 4, { numLayers: 0 })).toThrow(
      'LSTM: numLayers must be a positive integer, got 0',
    );
    expect(() => new GRU(3, 4, { dropout: 1 })).toThrow('GRU: dropout must be in [0, 1), got 1');
    expect(() => lstm.weights(2)).toThrow('LSTM: no layer 2, direction 0');
  });
});
