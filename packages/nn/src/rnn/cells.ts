import {
  add,
  lift,
  linear,
  mul,
  relu,
  sigmoid,
  split,
  sub,
  tanh,
  type Variable,
  type VariableLike,
} from '@proj/autograd';
import { ShapeError, zeros } from '@proj/tensor';
import type { LayerOptions } from '../layers/linear.js';
import { Module, type Parameter } from '../module.js';
import { recurrentParameters } from './recurrent-init.js';

/** Options of the recurrent cells. */
export interface CellOptions extends LayerOptions {
  /** Learn `bias_ih`/`bias_hh` (default true). */
  bias?: boolean;
}

/**
 * Parameters of one recurrent cell with PyTorch's names (`weight_ih` `[G·H, I]`, `weight_hh`
 * `[G·H, H]`, `bias_ih`, `bias_hh` `[G·H]`), initialised U(−1/√H, 1/√H). The cells are written
 * from differentiable primitives, one step at a time: the reference the fused layers are tested against.
 */
abstract class CellBase extends Module {
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;

  protected constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    gates: number,
    options: CellOptions,
  ) {
    super();
    const make = recurrentParameters(hiddenSize, options);
    this.weight_ih = make([gates * hiddenSize, inputSize]);
    this.weight_hh = make([gates * hiddenSize, hiddenSize]);
    this.bias_ih = options.bias === false ? null : make([gates * hiddenSize]);
    this.bias_hh = options.bias === false ? null : make([gates * hiddenSize]);
  }

  /** Checks `x` `[B, I]` and returns it with the state (zeros when absent) `[B, H]`. */
  protected inputs(name: string, x: VariableLike, h: VariableLike | null | undefined): [Variable, Variable] {
    const vx = lift(x);
    if (vx.ndim !== 2 || vx.shape[1] !== this.inputSize)
      throw new ShapeError(`${name}: expected input [B, ${this.inputSize}], got [${vx.shape.join(', ')}]`);
    const B = vx.shape[0]!;
    const vh = h == null ? lift(zeros([B, this.hiddenSize], { dtype: vx.dtype })) : lift(h, vx);
    if (vh.ndim !== 2 || vh.shape[0] !== B || vh.shape[1] !== this.hiddenSize)
      throw new ShapeError(
        `${name}: expected state [${B}, ${this.hiddenSize}], got [${vh.shape.join(', ')}]`,
      );
    return [vx, vh];
  }

  /** `x·W_ihᵀ + b_ih` and `h·W_hhᵀ + b_hh`, split into gate blocks. */
  protected projections(x: Variable, h: Variable): [Variable[], Variable[]] {
    return [
      split(linear(x, this.weight_ih, this.bias_ih), this.hiddenSize, -1),
      split(linear(h, this.weight_hh, this.bias_hh), this.hiddenSize, -1),
    ];
  }
}

/**
 * One step of an Elman RNN, `h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)`, as PyTorch's `nn.RNNCell`.
 *
 * Shapes: `x` `[B, inputSize]`, `h` `[B, hiddenSize]` (zeros when omitted) → `[B, hiddenSize]`.
 */
export class RNNCell extends CellBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(
    inputSize: number,
    hiddenSize: number,
    options: CellOptions & { nonlinearity?: 'tanh' | 'relu' } = {},
  ) {
    super(inputSize, hiddenSize, 1, options);
    this.nonlinearity = options.nonlinearity ?? 'tanh';
  }

  forward(x: VariableLike, h?: VariableLike | null): Variable {
    const [vx, vh] = this.inputs('RNNCell', x, h);
    const [[xa], [ha]] = this.projections(vx, vh);
    const a = add(xa!, ha!);
    return this.nonlinearity === 'tanh' ? tanh(a) : relu(a);
  }
}

/** State of an {@link LSTMCell}: hidden and cell state, each `[B, hiddenSize]`. */
export interface LSTMCellState {
  h: Variable;
  c: Variable;
}

/**
 * One LSTM step as PyTorch's `nn.LSTMCell` (gates `i, f, g, o`): `c' = f⊙c + i⊙g`, `h' = o⊙tanh(c')`.
 *
 * Shapes: `x` `[B, inputSize]`, `state.h`/`state.c` `[B, hiddenSize]` (zeros when omitted).
 */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super(inputSize, hiddenSize, 4, options);
  }

  forward(x: VariableLike, state?: { h: VariableLike; c: VariableLike } | null): LSTMCellState {
    const [vx, vh] = this.inputs('LSTMCell', x, state?.h);
    const [, vc] = this.inputs('LSTMCell', x, state?.c);
    const [xs, hs] = this.projections(vx, vh);
    const gate = (k: number) => add(xs[k]!, hs[k]!);
    const i = sigmoid(gate(0));
    const f = sigmoid(gate(1));
    const g = tanh(gate(2));
    const o = sigmoid(gate(3));
    const c = add(mul(f, vc), mul(i, g));
    return { h: mul(o, tanh(c)), c };
  }
}

/**
 * One GRU step as PyTorch's `nn.GRUCell` (gates `r, z, n`):
 * `n = tanh(W_in·x + b_in + r⊙(W_hn·h + b_hn))`, `h' = (1 − z)⊙n + z⊙h`.
 *
 * Shapes: `x` `[B, inputSize]`, `h` `[B, hiddenSize]` (zeros when omitted) → `[B, hiddenSize]`.
 */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super(inputSize, hiddenSize, 3, options);
  }

  forward(x: VariableLike, h?: VariableLike | null): Variable {
    const [vx, vh] = this.inputs('GRUCell', x, h);
    const [[xr, xz, xn], [hr, hz, hn]] = this.projections(vx, vh);
    const r = sigmoid(add(xr!, hr!));
    const z = sigmoid(add(xz!, hz!));
    const n = tanh(add(xn!, mul(r, hn!)));
    return add(n, mul(z, sub(vh, n)));
  }
}
