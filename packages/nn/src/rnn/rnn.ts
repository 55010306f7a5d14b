import type { Variable, VariableLike } from '@proj/autograd';
import { RNNBase, type RNNForwardOptions, type RNNOptions } from './rnn-base.js';

/** Output of {@link RNN} and {@link GRU}: every step's top-layer output and the final hidden states. */
export interface RNNOutput {
  /** `[T, B, D·H]` (`[B, T, D·H]` when batch-first); zero at padded steps. */
  output: Variable;
  /** `[L·D, B, H]`: each layer and direction's state after each sequence's last real step. */
  h: Variable;
}

/** Output of {@link LSTM}: as {@link RNNOutput} plus the final cell states. */
export interface LSTMOutput extends RNNOutput {
  /** `[L·D, B, H]`. */
  c: Variable;
}

/** A recurrent state of an {@link LSTM}: hidden and cell states, each `[L·D, B, H]`. */
export interface LSTMState {
  h: VariableLike;
  c: VariableLike;
}

/**
 * Elman RNN, `h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)` with `act` tanh (default) or relu,
 * as PyTorch's `nn.RNN` (same parameter names, so its state dicts load directly).
 *
 * Shapes: `input` `[T, B, inputSize]` (`[B, T, inputSize]` when `batchFirst`), `h0` `[L·D, B, H]`.
 * @example const { output, h } = new RNN(8, 16, { numLayers: 2 }).forward(x);
 */
export class RNN extends RNNBase {
  constructor(
    inputSize: number,
    hiddenSize: number,
    options: RNNOptions & { nonlinearity?: 'tanh' | 'relu' } = {},
  ) {
    super(options.nonlinearity ?? 'tanh', inputSize, hiddenSize, options);
  }

  /**
   * Runs the whole sequence. `options.lengths` (or a `[B, T]` mask) marks padding at the end of
   * shorter sequences: their outputs there are 0 and their final state is taken at the last real step.
   * @throws ShapeError for a misshaped input or state.
   */
  forward(input: VariableLike, h0: VariableLike | null = null, options: RNNForwardOptions = {}): RNNOutput {
    const { output, h } = this.run(input, h0, null, options);
    return { output, h };
  }
}

/**
 * Gated recurrent unit as PyTorch's `nn.GRU`: gates `r, z, n` in that row order, with
 * `n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn))` and `h' = (1 − z) ⊙ n + z ⊙ h`.
 *
 * Shapes: as {@link RNN}.
 * @example const { output, h } = new GRU(8, 16, { bidirectional: true, batchFirst: true }).forward(x);
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super('gru', inputSize, hiddenSize, options);
  }

  /** Runs the whole sequence; see {@link RNN.forward}. */
  forward(input: VariableLike, h0: VariableLike | null = null, options: RNNForwardOptions = {}): RNNOutput {
    const { output, h } = this.run(input, h0, null, options);
    return { output, h };
  }
}

/**
 * Long short-term memory as PyTorch's `nn.LSTM`: gates `i, f, g, o` in that row order,
 * `c' = f ⊙ c + i ⊙ g`, `h' = o ⊙ tanh(c')`.
 *
 * Shapes: as {@link RNN}, with `state.h` and `state.c` `[L·D, B, H]`.
 * @example const { output, h, c } = new LSTM(8, 16, { numLayers: 2, dropout: 0.1 }).forward(x, null, { lengths: [5, 3] });
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super('lstm', inputSize, hiddenSize, options);
  }

  /** Runs the whole sequence from `state` (zeros when null); see {@link RNN.forward}. */
  forward(input: VariableLike, state: LSTMState | null = null, options: RNNForwardOptions = {}): LSTMOutput {
    const { output, h, c } = this.run(input, state?.h ?? null, state?.c ?? null, options);
    return { output, h, c: c! };
  }
}
