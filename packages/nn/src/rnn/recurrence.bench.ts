import { add, linear, mul, select, sigmoid, split, stack, tanh, type Variable } from '@proj/autograd';
import { manualSeed, randn } from '@proj/tensor';
import { bench, describe } from 'vitest';
import { LSTMCell } from './cells.js';
import { GRU, LSTM } from './rnn.js';

// Forward + backward through T = 512 steps, B = 8, I = H = 64: the fused recurrence (one graph node
// per layer) against LSTMCell in a loop (~20 nodes per step) and against a composed loop that
// projects the input once up front. Run with `npx vitest bench` in packages/nn.
const T = 512;
const B = 8;
const H = 64;
manualSeed(0);
const x = randn([T, B, H]);
const lstm = new LSTM(H, H);
const gru = new GRU(H, H);
const cell = new LSTMCell(H, H);

/** LSTM from primitives with the input projection hoisted out of the loop. */
function composedHoisted(): Variable {
  const xProj = linear(x.reshape([T * B, H]), cell.weight_ih, cell.bias_ih).reshape([T, B, 4 * H]);
  let h: Variable | null = null;
  let c: Variable | null = null;
  const outs: Variable[] = [];
  for (let t = 0; t < T; t++) {
    let pre = select(xProj, 0, t);
    if (h) pre = add(pre, linear(h, cell.weight_hh, cell.bias_hh));
    const [i, f, g, o] = split(pre, H, -1);
    const ig = mul(sigmoid(i!), tanh(g!));
    c = c ? add(mul(sigmoid(f!), c), ig) : ig;
    h = mul(sigmoid(o!), tanh(c));
    outs.push(h);
  }
  return stack(outs, 0);
}

describe(`forward+backward, T=${T} B=${B} H=${H}`, () => {
  const opts = { iterations: 5, warmupIterations: 1 };
  bench('LSTM fused', () => lstm.forward(x).output.sum().backward(), opts);
  bench('GRU fused', () => gru.forward(x).output.sum().backward(), opts);
  // Slow (~18 s a run on a loaded 2-core box): select's backward materialises a full [T, B, 4H]
  // gradient for every step, so this loop is quadratic in T. Run once.
  bench('LSTM composed, input projection hoisted', () => composedHoisted().sum().backward(), {
    iterations: 1,
    warmupIterations: 0,
    time: 0,
  });
  bench(
    'LSTMCell loop',
    () => {
      let state: { h: Variable; c: Variable } | null = null;
      const outs: Variable[] = [];
      for (let t = 0; t < T; t++) {
        state = cell.forward(x.select(0, t), state);
        outs.push(state.h);
      }
      stack(outs, 0).sum().backward();
    },
    opts,
  );
});
